# Shared by the random-init less-data configs (configs/scratch/*_coco*k_*):
# R50-FPN GN on a train2017 subset with scale augmentation. Table 1 holds
# full-COCO numbers, so the convergence hook finds no paper row here and
# compares nothing (set its baseline to the pretrained subset run's work dir
# to compare).
_base_ = [
    './models/mask_rcnn_r50_fpn_gn.py', './less_data.py',
    './scratch_runtime.py'
]
