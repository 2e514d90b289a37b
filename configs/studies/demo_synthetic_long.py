# The demo's long version (make demo ARGS=--long, tools/demo.py --long):
# the findings the 14-minute demo is too short for. Twice the training
# images (500), a long schedule of 24 epochs (the paper's 2x), a pretraining
# stand-in ten times the longest run's images, and the less-data cell: 10% of
# the images for as many iterations as the shortest schedule.
# Run: python tools/study.py configs/studies/demo_synthetic_long.py
# --out results/demo_long
_base_ = './demo_synthetic.py'

description = (
    'Mask R-CNN, ResNet-18 backbone at a quarter width (16 base channels, '
    'GN(16) in the backbone), GN everywhere, nothing frozen '
    '(configs/demo/), batch 4, on 500 synthetic 64x64 training images with '
    '1 to 4 textured shapes of 6 classes, validated on 300. 1x = 375 '
    'iterations = 3 epochs; 8x = 3,000 iterations = 24 epochs; 10% of the '
    'training images (50) at 1x. The pretrained arm starts from a backbone '
    'trained on a separate synthetic classification task (other shapes; '
    '4,000 iterations x 32 images: 128,000 images, 10.7 times what an 8x '
    'run sees), the stand-in for ImageNet.')
data_root = 'data/synthetic_long/'

# multiples of 375 iterations (3 epochs of the 500 images at batch 4), so
# that the 10% cell trains as many iterations as the shortest all-images
# cell: the less-data contrast differs in the images only (the paper
# trains its small subsets as long as or longer than COCO's 1x)
schedule_unit = 'x'
schedules = [1, 8]
fractions = [1, 0.1]
fraction_schedules = [1]
curve_points = 8

# (a study file's helpers are its own: the base's width, restated)
_width = ('model.backbone.base_channels=16 '
          'model.backbone.norm_cfg.num_groups=16')
prepare = [
    dict(name='data',
         command='python tools/dataset/make_synthetic_coco.py {data_root} '
         '--train 500 --val 300 --size 64 64 --max-objects 4 '
         '--size-range 0.25 0.6 --texture 0.4 --seed 0',
         creates='{data_root}annotations/instances_train.json'),
    dict(name='pretrain',
         command='python tools/dataset/pretrain_demo_backbone.py '
         'configs/demo/mask_rcnn_r18_gn_synthetic_pretrained.py '
         '{out}/pretrain --iters 4000 --num-images 20000 --texture 0.4 '
         '--seed 0 --cfg-options ' + _width,
         creates='{out}/pretrain/budget.json'),
]
cfg_options = {'train_cfg.max_iters': 375}
