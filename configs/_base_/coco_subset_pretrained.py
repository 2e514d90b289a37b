# Shared by the ImageNet-initialised less-data configs
# (configs/pretrained/*_coco*k_*): as coco_subset_scratch.py, with the GN
# ResNet-50 ImageNet weights and the pretrained runtime.
_base_ = [
    './models/mask_rcnn_r50_fpn_gn_pretrained.py', './less_data.py',
    './pretrained_runtime.py'
]
