# The demo's long version (make demo ARGS=--long, tools/demo.py --long):
# the findings the 14-minute demo is too short for. Four times the
# training images (1,000; their own data folder), a long schedule of 24
# of their epochs (6,000 iterations, where scratch flattens), a
# pretraining stand-in more than five times the longest run's images, and
# the less-data cell: 10% of the images (100) for 24 epochs of them.
# Run: python tools/study.py configs/studies/demo_synthetic_long.py
# --out results/demo_long
_base_ = './demo_synthetic.py'

description = (
    'Mask R-CNN, ResNet-18 backbone at a quarter width (16 base channels, '
    'GN(16) in the backbone), GN everywhere, nothing frozen '
    '(configs/demo/), batch 4, on 1,000 synthetic 64x64 training images '
    'with 1 to 4 textured shapes of 6 classes, validated on 300; 1 and 24 '
    'epochs; 10% of the training images (100) for 24 epochs. The '
    'pretrained arm starts from a backbone trained on a separate synthetic '
    'classification task (other shapes; 4,000 iterations x 32 images: '
    '128,000 images, 5.3 times what a 24-epoch run sees), the stand-in '
    'for ImageNet.')
data_root = 'data/synthetic_long/'

# epochs of each run's training images at batch 4: 250 and 6,000
# iterations with all the images (LR /10 at 4,000 and 5,333), 600 with 10%
# of them
schedules = [1, 24]
fractions = [1, 0.1]
fraction_schedules = [24]

# (a study file's helpers are its own: the base's width, restated)
_width = ('model.backbone.base_channels=16 '
          'model.backbone.norm_cfg.num_groups=16')
prepare = [
    dict(name='data',
         command='python tools/dataset/make_synthetic_coco.py {data_root} '
         '--train 1000 --val 300 --size 64 64 --max-objects 4 '
         '--size-range 0.25 0.6 --texture 0.4 --seed 0',
         creates='{data_root}annotations/instances_train.json'),
    dict(name='pretrain',
         command='python tools/dataset/pretrain_demo_backbone.py '
         'configs/demo/mask_rcnn_r18_gn_synthetic_pretrained.py '
         '{out}/pretrain --iters 4000 --num-images 20000 --texture 0.4 '
         '--seed 0 --cfg-options ' + _width,
         creates='{out}/pretrain/budget.json'),
]
