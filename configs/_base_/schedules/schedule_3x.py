# 3x: 270,000 iterations at batch 16, LR /10 at 210,000 and 250,000.
_base_ = './iter_schedule.py'

train_cfg = dict(max_iters=270000)
