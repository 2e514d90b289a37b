# The SyncBN model initialised from the torchvision ImageNet ResNet-50.
# Fine-tuned with SyncBN (statistics updated) and nothing frozen.
_base_ = './mask_rcnn_r50_fpn_syncbn.py'

model = dict(
    backbone=dict(
        init_cfg=dict(
            _delete_=True,  # the base has init_cfg=None
            type='Pretrained',
            checkpoint='torchvision://resnet50')))
