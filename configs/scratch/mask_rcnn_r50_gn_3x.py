# Mask R-CNN R50-FPN, GN everywhere, random init, 3x.
# Paper (Table 1, GN): 39.5 box AP.
_base_ = [
    '../_base_/models/mask_rcnn_r50_fpn_gn.py',
    '../_base_/datasets/coco_instance.py',
    '../_base_/schedules/schedule_3x.py',
    '../_base_/scratch_runtime.py',
]
