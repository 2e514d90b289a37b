# The paper's optimisation recipe, shared by every schedule: SGD at batch 16
# (8 GPUs x 2 images), LR 0.02, momentum 0.9, weight decay 1e-4 but none on
# norm parameters, linear warm-up, and the LR divided by 10 at 60k and at
# 20k iterations before the end of training, whatever its length
# (RelativeMultiStepLR reads the length from train_cfg.max_iters). A
# schedule, or any downstream config, sets only
#   train_cfg = dict(max_iters=N)
# The iteration counts assume 16 images per step: for another total batch B,
# run with --auto-scale-lr (LR x B/16) and scale the iterations by 16/B
# (tools/analysis/schedule.py prints the numbers).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(norm_decay_mult=0.))

# PositionedIterBasedTrainLoop: mmengine's loop that resumes by positioning
# the data stream instead of replaying every batch already trained on
train_cfg = dict(
    type='PositionedIterBasedTrainLoop', max_iters=90000,
    val_interval=30000)
warmup = dict(
    type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1000)
param_scheduler = [
    warmup,
    dict(
        type='RelativeMultiStepLR',
        by_epoch=False,
        before_end=[60000, 20000],
        gamma=0.1),
]

val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

auto_scale_lr = dict(enable=False, base_batch_size=16)
