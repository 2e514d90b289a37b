# 4x: 360,000 iterations at batch 16, LR /10 at 300,000 and 340,000.
_base_ = './iter_schedule.py'

max_iters = 360000
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=max_iters, val_interval=30000)
param_scheduler = [
    {{_base_.warmup}},
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_iters,
        by_epoch=False,
        milestones=[max_iters - 60000, max_iters - 20000],
        gamma=0.1)
]
