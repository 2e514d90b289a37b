# Shared by the random-init less-data configs (configs/scratch/*_coco*k_*):
# R50-FPN GN on a train2017 subset with scale augmentation; each leaf names
# its subset file and its schedule. Table 1 holds full-COCO numbers, so no
# paper baseline here: audit and budget only (add a ConvergenceHook with the
# pretrained subset run's work dir as baseline to compare).
_base_ = [
    './models/mask_rcnn_r50_fpn_gn.py',
    './datasets/coco_instance_subset.py',
    './schedules/schedule_1x.py',
    './scratch_runtime.py',
]

train_cfg = dict(val_interval=10000)
default_hooks = dict(checkpoint=dict(interval=10000))
custom_hooks = [
    dict(type='ScratchAuditHook', strict=True),
    dict(type='ComputeBudgetHook'),
]
