# Runtime of the random-init experiments: the audit stops a run that is not
# from scratch before its first step, and every validation is compared with
# the paper's pretrained result of the same backbone (Table 1).
_base_ = './default_runtime.py'

custom_hooks = [
    dict(type='ScratchAuditHook', strict=True),
    dict(type='ComputeBudgetHook'),
    dict(
        type='ConvergenceHook',
        baseline='paper:auto',
        metrics=['coco/bbox_mAP']),
]
