# Faster R-CNN R50-FPN GN initialised from ImageNet (the GN ResNet-50).
_base_ = './mask_rcnn_r50_fpn_gn_pretrained.py'

model = dict(
    type='FasterRCNN', roi_head=dict(mask_roi_extractor=None, mask_head=None))
