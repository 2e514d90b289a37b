# Mask R-CNN R50-FPN, GN, ImageNet init, train aug (shorter side sampled from
# [640, 800]) and 6x, the paper's pretrained schedule for augmented training.
_base_ = [
    '../_base_/models/mask_rcnn_r50_fpn_gn_pretrained.py',
    '../_base_/datasets/coco_instance_trainaug.py',
    '../_base_/schedules/schedule_6x.py',
    '../_base_/pretrained_runtime.py',
]
