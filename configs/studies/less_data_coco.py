# The paper's less-data experiment on COCO: random init vs ImageNet
# pretraining on 35k, 10k and 3.5k images (30%, 8.5% and 3% of train2017,
# subsets made by the study with tools/dataset/make_coco_subset.py's
# sampling), at 1x and 2x of 90k iterations. The paper tuned each length per
# size (configs/scratch/mask_rcnn_r50_gn_coco*_*.py); here one study crosses
# all sizes with both lengths. Needs data/coco and the ImageNet weights.
# Paper (box AP): 35k: 36.3 vs 36.3; 10k: 26.0 vs 25.9; 3.5k: 9.3 vs 16.0.
description = (
    'Less data: Mask R-CNN R50-FPN GN, random init vs ImageNet pretrained, '
    'on 100%, 30%, 8.5% and 3% of COCO train2017.')
arms = dict(
    random='configs/scratch/mask_rcnn_r50_gn_2x.py',
    pretrained='configs/pretrained/mask_rcnn_r50_gn_in1k_2x.py')
reference = 'pretrained'
cfg_options = {'train_cfg.max_iters': 90000}
schedules = [1, 2]
seeds = [0, 1, 2]
fractions = [1, 0.3, 0.085, 0.03]
fraction_schedules = [1, 2]
margin = 0.02
metric = 'bbox'
curve_points = 6
launcher = dict(type='slurm', partition='gpu', gpus_per_run=8,
                time='3-00:00:00')
