# The GN model initialised from ImageNet: the GN ResNet-50 that MMDetection's
# GN configs use (Detectron's, caffe-style: BGR input, caffe mean, unit std).
# Fine-tuned with GN and nothing frozen, as the paper's baselines.
_base_ = './mask_rcnn_r50_fpn_gn.py'

model = dict(
    data_preprocessor=dict(
        mean=[103.530, 116.280, 123.675],
        std=[1.0, 1.0, 1.0],
        bgr_to_rgb=False),
    backbone=dict(
        init_cfg=dict(
            _delete_=True,  # the base has init_cfg=None
            type='Pretrained',
            checkpoint='open-mmlab://detectron/resnet50_gn')))
