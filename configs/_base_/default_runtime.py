# mmdet's runtime with iteration-based logging and checkpoints, the mmscratch
# plugin loaded, and gloo as the backend where no GPU is present.
_base_ = 'mmdet::_base_/default_runtime.py'

custom_imports = dict(imports=['mmscratch'], allow_failed_imports=False)

default_hooks = dict(
    # log_metric_by_epoch=False: validation metrics are logged at their
    # iteration (the default, True, would log them all at epoch 0).
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=30000,
        max_keep_ckpts=3))
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)

# Report (not enforce) whether the run is from scratch, and count the images,
# instances and pixels seen (docs/hooks.md).
custom_hooks = [
    dict(type='ScratchAuditHook', strict=False),
    dict(type='ComputeBudgetHook'),
]
