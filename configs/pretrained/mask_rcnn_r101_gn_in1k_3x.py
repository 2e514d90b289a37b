# Mask R-CNN R101-FPN, GN everywhere, ImageNet init, fine-tuned 3x.
# Paper (Table 1, GN): 42.3 box AP.
_base_ = './mask_rcnn_r50_gn_in1k_3x.py'

model = dict(
    backbone=dict(
        depth=101, init_cfg=dict(checkpoint='open-mmlab://detectron/resnet101_gn')))
