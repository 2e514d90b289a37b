# 5x: 450,000 iterations at batch 16, LR /10 at 390,000 and 430,000.
_base_ = './iter_schedule.py'

train_cfg = dict(max_iters=450000)
