# 6x: 540,000 iterations at batch 16, LR /10 at 480,000 and 520,000.
_base_ = './iter_schedule.py'

train_cfg = dict(max_iters=540000)
