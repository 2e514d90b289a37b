# Mask R-CNN R101-FPN, SyncBN everywhere, ImageNet init, fine-tuned 2x.
_base_ = './mask_rcnn_r50_syncbn_in1k_2x.py'

model = dict(
    backbone=dict(
        depth=101, init_cfg=dict(checkpoint='torchvision://resnet101')))
