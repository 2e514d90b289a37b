# 1x: 90,000 iterations at batch 16, LR /10 at 30,000 and 70,000.
_base_ = './iter_schedule.py'

train_cfg = dict(max_iters=90000, val_interval=10000)
