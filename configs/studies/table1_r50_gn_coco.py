# The paper's Table 1 for Mask R-CNN R50-FPN GN on COCO: random init vs
# ImageNet pretraining at 2x..6x (1x = 90k iterations at batch 16), three
# seeds each: 30 runs of 8 GPUs. Needs data/coco (docs/data.md) and the
# ImageNet GN R-50 weights (docs/model_zoo.md). On SLURM:
#   python tools/study.py configs/studies/table1_r50_gn_coco.py --dry-run
#   python tools/study.py configs/studies/table1_r50_gn_coco.py
# Paper (box AP): random 36.8 / 39.5 / 40.6 / 41.3 / 41.3 at 2x..6x,
# pretrained 40.3 / 40.8 / 40.9 / 41.1 / 41.1.
description = (
    'Table 1 of the paper: Mask R-CNN R50-FPN GN, random init vs ImageNet '
    'pretrained, 2x to 6x on COCO train2017, validated on val2017.')
arms = dict(
    random='configs/scratch/mask_rcnn_r50_gn_2x.py',
    pretrained='configs/pretrained/mask_rcnn_r50_gn_in1k_2x.py')
reference = 'pretrained'
cfg_options = {'train_cfg.max_iters': 90000}  # 1x; schedules multiply it
schedules = [2, 3, 4, 5, 6]
seeds = [0, 1, 2]
fractions = [1]
# 1% of the pretrained AP (about 0.4 AP): the paper calls gaps of at most
# 0.3 AP comparable
margin = 0.01
metric = 'bbox'
curve_points = 18  # the 6x runs validate every 30k iterations
launcher = dict(type='slurm', partition='gpu', gpus_per_run=8,
                gpus_per_node=8, cpus_per_task=5, time='4-00:00:00')
