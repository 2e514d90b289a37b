# The paper's experiment in miniature, on a CPU (make demo, tools/demo.py):
# Mask R-CNN R18-GN from scratch against the same model from a backbone
# pretrained on a separate synthetic classification task (the stand-in for
# ImageNet), on synthetic shapes, at two schedules in epochs of the
# training set (the paper's 2x and 6x are about 24 and 73 COCO epochs).
# Run: python tools/study.py configs/studies/demo_synthetic.py
# --out results/demo
description = (
    'Mask R-CNN, ResNet-18 backbone at a quarter width (16 base channels, '
    'GN(16) in the backbone), GN everywhere, nothing frozen '
    '(configs/demo/), batch 4, on 250 synthetic 64x64 training images with '
    '1 to 4 textured shapes of 6 classes, validated on 300; 4 and 16 '
    'epochs. The pretrained arm starts from a backbone trained on a '
    'separate synthetic classification task (other shapes; 500 iterations '
    'x 32 images: 16,000 images, 4 times what a 16-epoch run sees), the '
    'stand-in for ImageNet.')
data_root = 'data/synthetic/'

arms = dict(
    scratch='configs/demo/mask_rcnn_r18_gn_synthetic.py',
    pretrained='configs/demo/mask_rcnn_r18_gn_synthetic_pretrained.py')
reference = 'pretrained'
# epochs of the 250 training images at batch 4: 250 and 1,000 iterations;
# both arms flatten by the end of the longer one (its LR drops at 2/3 and
# 8/9 of the run)
schedule_unit = 'epochs'
schedules = [4, 16]
seeds = [0, 1, 2]
fractions = [1]
fraction_schedules = [4]
# declared before the runs: 5% of the pretrained arm's AP (docs/analysis.md)
margin = 0.05
metric = 'bbox'
launcher = dict(type='local', jobs=2)
curve_points = 8

# a quarter-width ResNet-18, the design these schedules were measured
# with (a step 7% faster than the demo config's half width,
# docs/performance.md); the pretraining stand-in trains the same backbone
_width = ('model.backbone.base_channels=16 '
          'model.backbone.norm_cfg.num_groups=16')
prepare = [
    dict(name='data',
         command='python tools/dataset/make_synthetic_coco.py {data_root} '
         '--train 250 --val 300 --size 64 64 --max-objects 4 '
         '--size-range 0.25 0.6 --texture 0.4 --seed 0',
         creates='{data_root}annotations/instances_train.json'),
    dict(name='pretrain',
         command='python tools/dataset/pretrain_demo_backbone.py '
         'configs/demo/mask_rcnn_r18_gn_synthetic_pretrained.py '
         '{out}/pretrain --iters 500 --num-images 3000 --texture 0.4 '
         '--seed 0 --cfg-options ' + _width,
         creates='{out}/pretrain/budget.json'),
]
cfg_options = {
    'model.backbone.base_channels': 16,
    'model.backbone.norm_cfg.num_groups': 16,
    'model.neck.in_channels': [16, 32, 64, 128],
    'train_dataloader.dataset.data_root': '{data_root}',
    'val_dataloader.dataset.data_root': '{data_root}',
    'test_dataloader.dataset.data_root': '{data_root}',
    'val_evaluator.ann_file': '{data_root}annotations/instances_val.json',
    'test_evaluator.ann_file': '{data_root}annotations/instances_val.json',
    'default_hooks.checkpoint.max_keep_ckpts': 1,
}
arm_options = dict(pretrained={
    'model.backbone.init_cfg.checkpoint': '{out}/pretrain/backbone.pth',
    'default_hooks.compute_budget.pretrain': '{out}/pretrain/budget.json',
})
