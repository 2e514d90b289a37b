# Faster R-CNN R101-FPN GN, random init, PASCAL VOC
# (VOC2007 trainval + VOC2012 train, evaluated on VOC2012 val), train aug.
# Paper: random init: 77.6 mAP at 144k iterations (batch 16).
# LR /10 at 2/3 and 8/9 of the run (the 1x proportions; the paper's VOC steps
# are not in its reference sheet).
_base_ = [
    '../_base_/models/faster_rcnn_r50_fpn_gn.py',
    '../_base_/datasets/voc0712_trainaug.py',
    '../_base_/schedules/schedule_1x.py',
    '../_base_/scratch_runtime.py',
]

model = dict(
    backbone=dict(depth=101),
    roi_head=dict(bbox_head=dict(num_classes=20)))
max_iters = 144000
train_cfg = dict(max_iters=max_iters, val_interval=24000)
param_scheduler = [
    {{_base_.warmup}},
    dict(
        type='MultiStepLR',
        begin=0,
        end=max_iters,
        by_epoch=False,
        milestones=[96000, 128000],
        gamma=0.1)
]
default_hooks = dict(checkpoint=dict(interval=24000))

# VOC reports pascal_voc/mAP and the paper's Table 1 is COCO: no paper
# baseline (compare with the pretrained VOC run's work dir instead).
custom_hooks = [
    dict(type='ScratchAuditHook', strict=True),
    dict(type='ComputeBudgetHook'),
]
