# The paper's flagship run: Mask R-CNN R50-FPN, GN everywhere, random init,
# 6x (540k iterations at batch 16). Paper: 41.3 box AP / 36.6 mask AP.
_base_ = [
    '../_base_/models/mask_rcnn_r50_fpn_gn.py',
    '../_base_/datasets/coco_instance.py',
    '../_base_/schedules/schedule_6x.py',
    '../_base_/scratch_runtime.py',
]
