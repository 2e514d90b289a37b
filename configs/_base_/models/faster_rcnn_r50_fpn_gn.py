# Faster R-CNN R50-FPN: the GN Mask R-CNN without its mask branch.
_base_ = './mask_rcnn_r50_fpn_gn.py'

model = dict(
    type='FasterRCNN', roi_head=dict(mask_roi_extractor=None, mask_head=None))
