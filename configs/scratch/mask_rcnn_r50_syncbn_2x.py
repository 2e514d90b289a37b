# Mask R-CNN R50-FPN, SyncBN everywhere, random init, 2x.
_base_ = [
    '../_base_/models/mask_rcnn_r50_fpn_syncbn.py',
    '../_base_/datasets/coco_instance.py',
    '../_base_/schedules/schedule_2x.py',
    '../_base_/scratch_runtime.py',
]
