# The recipe of iter_schedule.py with the LR divided by 10 at 2/3 and 8/9 of
# the run (Detectron's 1x proportions), for runs whose length is not a
# multiple of 90k: the less-data and VOC experiments. Leaves set
#   train_cfg = dict(max_iters=N)
_base_ = './iter_schedule.py'

param_scheduler = [
    {{_base_.warmup}},
    dict(
        type='RelativeMultiStepLR',
        by_epoch=False,
        fractions=[2 / 3, 8 / 9],
        gamma=0.1),
]
