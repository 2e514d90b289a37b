# Mask R-CNN R50-FPN, GN everywhere, random init, 4x.
# Paper (Table 1, GN): 40.6 box AP.
_base_ = [
    '../_base_/models/mask_rcnn_r50_fpn_gn.py',
    '../_base_/datasets/coco_instance.py',
    '../_base_/schedules/schedule_4x.py',
    '../_base_/scratch_runtime.py',
]
