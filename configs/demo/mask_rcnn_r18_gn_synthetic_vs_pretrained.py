# The demo's scratch run, compared at every validation with the pretrained
# run's curve (ConvergenceHook; tools/demo.py sets the baseline's path).
_base_ = './mask_rcnn_r18_gn_synthetic.py'

custom_hooks = [
    dict(type='ScratchAuditHook', strict=True),
    dict(type='ComputeBudgetHook', interval=20),
    dict(
        type='ConvergenceHook',
        baseline='results/demo/pretrained',
        metrics=['coco/bbox_mAP', 'coco/segm_mAP'],
        x='iter'),
]
