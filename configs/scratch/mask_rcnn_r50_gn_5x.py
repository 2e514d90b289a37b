# Mask R-CNN R50-FPN, GN everywhere, random init, 5x.
# Paper (Table 1, GN): 40.7 box AP.
_base_ = [
    '../_base_/models/mask_rcnn_r50_fpn_gn.py',
    '../_base_/datasets/coco_instance.py',
    '../_base_/schedules/schedule_5x.py',
    '../_base_/scratch_runtime.py',
]
