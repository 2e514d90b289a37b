# Faster R-CNN R101-FPN GN, random init, PASCAL VOC
# (VOC2007 trainval + VOC2012 train, evaluated on VOC2012 val), train aug.
# Paper: random init: 77.6 mAP at 144k iterations (batch 16).
# LR /10 at 2/3 and 8/9 of the run (the 1x proportions; the paper's VOC steps
# are not in its reference sheet).
_base_ = [
    '../_base_/models/faster_rcnn_r50_fpn_gn.py',
    '../_base_/datasets/voc0712_trainaug.py',
    '../_base_/schedules/proportional_schedule.py',
    '../_base_/scratch_runtime.py',
]

model = dict(
    backbone=dict(depth=101),
    roi_head=dict(bbox_head=dict(num_classes=20)))
train_cfg = dict(max_iters=144000, val_interval=24000)
default_hooks = dict(checkpoint=dict(interval=24000))
