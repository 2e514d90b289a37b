# 4x: 360,000 iterations at batch 16, LR /10 at 300,000 and 340,000.
_base_ = './iter_schedule.py'

train_cfg = dict(max_iters=360000)
