# Faster R-CNN R50-FPN, GN everywhere, random init, 6x.
# MMDetection's scratch Faster R-CNN (epoch-based, 73 epochs): 40.7 box AP.
_base_ = [
    '../_base_/models/faster_rcnn_r50_fpn_gn.py',
    '../_base_/datasets/coco_detection.py',
    '../_base_/schedules/schedule_6x.py',
    '../_base_/scratch_runtime.py',
]
