# The less-data experiments' data and schedule: a train2017 subset with
# scale augmentation (datasets/coco_instance_subset.py), the LR divided at
# 2/3 and 8/9 of the run, validation every 10k iterations. Each leaf names
# its subset file and its length (train_cfg.max_iters).
_base_ = [
    './datasets/coco_instance_subset.py',
    './schedules/proportional_schedule.py',
]

train_cfg = dict(val_interval=10000)
