# mmdet's runtime with iteration-based logging and checkpoints and the
# mmscratch plugin loaded. Every hook is a named default hook, so a
# downstream config changes one by its key, e.g.
#   default_hooks = dict(scratch_audit=dict(strict=False))
# (docs/hooks.md).
_base_ = 'mmdet::_base_/default_runtime.py'

custom_imports = dict(imports=['mmscratch'], allow_failed_imports=False)

default_hooks = dict(
    # log_metric_by_epoch=False: validation metrics are logged at their
    # iteration (the default, True, would log them all at epoch 0).
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    # atomic, fsynced checkpoints; a full disk stops in one line
    checkpoint=dict(
        type='DurableCheckpointHook', by_epoch=False, interval=30000,
        max_keep_ckpts=3),
    # checkpoints that stock torch.load(weights_only=True) reads
    plain_checkpoint=dict(type='PlainCheckpointHook'),
    # exact RNG streams across --resume
    rng_state=dict(type='RNGStateHook'),
    # on --resume the config's LR, momentum, weight decay and schedule win
    resume_config=dict(type='ResumeConfigHook'),
    # SIGTERM/SIGINT/SIGUSR1: save at the current iteration, exit 128+sig;
    # every_minutes=30 also saves every 30 minutes (one such file kept)
    preemption=dict(type='PreemptionHook'),
    # stop at the first NaN/inf loss, before it is checkpointed
    invalid_loss=dict(type='InvalidLossHook'),
    # skip training images that cannot be decoded, name them, stop past 1%
    unreadable_images=dict(type='UnreadableImagesHook', max_share=0.01),
    # report (not enforce) whether the run is from scratch
    scratch_audit=dict(type='ScratchAuditHook', strict=False),
    # images, instances and pixels seen (the paper's Figure 2 axes)
    compute_budget=dict(type='ComputeBudgetHook'),
    # mmdet's drawing hook (tools/test.py --show-dir); drawings keep the
    # image's path below the image folder, so same-named files of two
    # subfolders do not overwrite each other
    visualization=dict(type='KeepPathsDetVisualizationHook'),
)
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
