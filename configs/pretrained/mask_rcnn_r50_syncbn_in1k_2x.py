# Mask R-CNN R50-FPN, SyncBN everywhere, ImageNet init (torchvision R-50),
# fine-tuned 2x with nothing frozen.
_base_ = [
    '../_base_/models/mask_rcnn_r50_fpn_syncbn_pretrained.py',
    '../_base_/datasets/coco_instance.py',
    '../_base_/schedules/schedule_2x.py',
    '../_base_/pretrained_runtime.py',
]
