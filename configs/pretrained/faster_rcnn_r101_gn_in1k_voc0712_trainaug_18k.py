# Faster R-CNN R101-FPN GN, ImageNet init (MMDetection's GN R-101), PASCAL VOC
# (VOC2007 trainval + VOC2012 train, evaluated on VOC2012 val), train aug.
# Paper: ImageNet init: 82.7 mAP at 18k iterations (batch 16).
# LR /10 at 2/3 and 8/9 of the run (the 1x proportions; the paper's VOC steps
# are not in its reference sheet).
_base_ = [
    '../_base_/models/faster_rcnn_r50_fpn_gn_pretrained.py',
    '../_base_/datasets/voc0712_trainaug.py',
    '../_base_/schedules/proportional_schedule.py',
    '../_base_/pretrained_runtime.py',
    '../_base_/models/imagenet_r101.py',
]

model = dict(
    backbone={{_base_.imagenet_r101_gn}},
    roi_head=dict(bbox_head=dict(num_classes=20)))
train_cfg = dict(max_iters=18000, val_interval=3000)
default_hooks = dict(checkpoint=dict(interval=3000))
