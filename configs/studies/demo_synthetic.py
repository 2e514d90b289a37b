# The paper's experiment in miniature, on a CPU (make demo, tools/demo.py):
# Mask R-CNN R18-GN from scratch against the same model from a backbone
# pretrained on a separate synthetic classification task (the stand-in for
# ImageNet), on synthetic shapes. Run: python tools/study.py
# configs/studies/demo_synthetic.py --out results/demo
description = (
    'Mask R-CNN, ResNet-18 backbone at half width, GN everywhere, nothing '
    'frozen (configs/demo/), batch 4, on 2,000 synthetic 64x64 training '
    'images with 1 to 4 textured shapes of 6 classes, validated on 300. The '
    'pretrained arm starts from a backbone trained on a separate synthetic '
    'classification task (other shapes; 500 iterations x 32 images), the '
    'stand-in for ImageNet.')
data_root = 'data/synthetic/'

arms = dict(
    scratch='configs/demo/mask_rcnn_r18_gn_synthetic.py',
    pretrained='configs/demo/mask_rcnn_r18_gn_synthetic_pretrained.py')
reference = 'pretrained'
# multiples of the base length below (train_cfg.max_iters = 100 at batch 4)
schedules = [1, 2, 4]
seeds = [0, 1, 2]
# 3% mirrors the paper's 3.5k-image row (3% of COCO train2017), where
# pretraining helps (16.0 vs 9.3 AP); it trains at the 2x schedule
fractions = [1, 0.03]
fraction_schedules = [2]
# declared before the runs: 5% of the pretrained arm's AP (docs/analysis.md)
margin = 0.05
metric = 'bbox'
launcher = dict(type='local', jobs=2)
curve_points = 4

prepare = [
    dict(name='data',
         command='python tools/dataset/make_synthetic_coco.py {data_root} '
         '--train 2000 --val 300 --size 64 64 --max-objects 4 '
         '--size-range 0.25 0.6 --texture 0.4 --seed 0',
         creates='{data_root}annotations/instances_train.json'),
    dict(name='pretrain',
         command='python tools/dataset/pretrain_demo_backbone.py '
         'configs/demo/mask_rcnn_r18_gn_synthetic_pretrained.py '
         '{out}/pretrain --iters 500 --num-images 3000 --texture 0.4 '
         '--seed 0',
         creates='{out}/pretrain/budget.json'),
]
cfg_options = {
    'train_cfg.max_iters': 100,
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
