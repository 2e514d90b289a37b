# 2x: 180,000 iterations at batch 16, LR /10 at 120,000 and 160,000.
_base_ = './iter_schedule.py'

train_cfg = dict(max_iters=180000)
