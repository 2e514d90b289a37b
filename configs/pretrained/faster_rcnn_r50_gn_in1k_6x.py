# Faster R-CNN R50-FPN, GN everywhere, ImageNet init (the GN ResNet-50 of
# MMDetection), fine-tuned 6x with nothing frozen.
_base_ = [
    '../_base_/models/faster_rcnn_r50_fpn_gn_pretrained.py',
    '../_base_/datasets/coco_detection.py',
    '../_base_/schedules/schedule_6x.py',
    '../_base_/pretrained_runtime.py',
]
