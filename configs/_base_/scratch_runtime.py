# Runtime of the random-init experiments: the audit stops a run that is not
# from scratch before its first step, and every validation is compared with
# the paper's pretrained result when Table 1 has a row for the run (Mask
# R-CNN, GN, ResNet-50/101; the log says which row, or that none matches).
_base_ = './default_runtime.py'

default_hooks = dict(
    scratch_audit=dict(strict=True),
    convergence=dict(
        type='ConvergenceHook',
        baseline='paper:auto',
        metrics=['coco/bbox_mAP']),
)
