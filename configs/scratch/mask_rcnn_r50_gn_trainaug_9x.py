# Mask R-CNN R50-FPN, GN, random init, train aug (shorter side sampled from
# [640, 800]) and 9x, the paper's scratch schedule for augmented training.
_base_ = [
    '../_base_/models/mask_rcnn_r50_fpn_gn.py',
    '../_base_/datasets/coco_instance_trainaug.py',
    '../_base_/schedules/schedule_9x.py',
    '../_base_/scratch_runtime.py',
]
