# The demo's "pretrained" counterpart: the same model and schedule, with the
# ResNet-18-GN backbone initialised from the demo's pretraining on a
# separate synthetic classification task (mmscratch/pretrain.py), standing
# in for ImageNet. tools/demo.py writes both files below and points here.
_base_ = './mask_rcnn_r18_gn_synthetic.py'

pretrain_dir = 'results/demo/pretrain/'
model = dict(
    backbone=dict(
        init_cfg=dict(
            _delete_=True,  # the base has init_cfg=None
            type='Pretrained',
            checkpoint=pretrain_dir + 'backbone.pth')))

# Not from scratch: report only; count the pretraining's images too.
custom_hooks = [
    dict(type='ScratchAuditHook', strict=False),
    dict(
        type='ComputeBudgetHook',
        interval=20,
        pretrain=pretrain_dir + 'budget.json'),
]
