# Mask R-CNN R50-FPN, GN everywhere, ImageNet init (MMDetection's GN R-50),
# fine-tuned 6x with nothing frozen.
# Paper (Table 1, GN): 41.1 box AP.
_base_ = [
    '../_base_/models/mask_rcnn_r50_fpn_gn_pretrained.py',
    '../_base_/datasets/coco_instance.py',
    '../_base_/schedules/schedule_6x.py',
    '../_base_/pretrained_runtime.py',
]
