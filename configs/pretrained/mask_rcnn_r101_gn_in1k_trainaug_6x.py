# Mask R-CNN R101-FPN, GN, ImageNet init, train aug, 6x.
_base_ = './mask_rcnn_r50_gn_in1k_trainaug_6x.py'

model = dict(
    backbone=dict(
        depth=101,
        init_cfg=dict(checkpoint='open-mmlab://detectron/resnet101_gn')))
