# 9x: 810,000 iterations at batch 16, LR /10 at 750,000 and 790,000.
_base_ = './iter_schedule.py'

train_cfg = dict(max_iters=810000)
