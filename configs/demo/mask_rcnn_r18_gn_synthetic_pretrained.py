# The demo's "pretrained" counterpart: the same model and schedule, with the
# ResNet-18-GN backbone initialised from the demo's pretraining on a
# separate synthetic classification task (mmscratch/demo/pretrain.py),
# standing in for ImageNet. The demo study (configs/studies/demo_synthetic.py)
# writes both files below into its output folder and points its runs there.
_base_ = './mask_rcnn_r18_gn_synthetic.py'

pretrain_dir = 'results/demo/pretrain/'
# (_delete_: the base has init_cfg=None)
model = dict(backbone=dict(init_cfg=dict(
    _delete_=True, type='Pretrained',
    checkpoint=pretrain_dir + 'backbone.pth')))

# Not from scratch: the audit reports only; count the pretraining's images.
default_hooks = dict(
    scratch_audit=dict(strict=False),
    compute_budget=dict(pretrain=pretrain_dir + 'budget.json'))
