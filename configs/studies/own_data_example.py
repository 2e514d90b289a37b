# Your own study: do you need pretraining on your data, and how long must
# you train from scratch to match it? Copy this file and edit it.
#
# With your data:
#   1. write the two configs with tools/dataset/new_config.py (from scratch,
#      and with --pretrained for the twin), check each with
#      python tools/train.py CONFIG --check-only;
#   2. list them in `arms` below, delete `prepare`, `data_root` and the
#      `cfg_options`/`arm_options` that fit the stand-in data;
#   3. choose schedules (multiples of the configs' max_iters), seeds (3 or
#      more per arm for a verdict), the margin, then run
#      python tools/study.py configs/studies/MY_STUDY.py --jobs 2
#      (or --launcher slurm on a cluster, docs/study.md).
#
# As shipped it runs on a CPU on a stand-in for "your data": 3 classes of
# shapes in non-square 48x80 images, a small Mask R-CNN (the demo's), from
# scratch vs from the demo's pretraining stand-in.
description = (
    'A study of your own data (here a stand-in: 3 classes, non-square '
    '48x80 images, 600 training images), from scratch vs pretrained.')
data_root = 'data/own_example/'

arms = dict(
    scratch='configs/demo/mask_rcnn_r18_gn_synthetic.py',
    pretrained='configs/demo/mask_rcnn_r18_gn_synthetic_pretrained.py')
reference = 'pretrained'  # the arm the other is compared with
schedules = [1, 2]  # x train_cfg.max_iters (below: 100 iterations)
seeds = [0, 1, 2]  # every arm; 3 or more for a verdict
fractions = [1]  # e.g. [1, 0.1]: also train on 10% of the images
# declared before any run: differences within 5% of the reference's AP
# count as equivalent (choose it for what matters in your application)
margin = 0.05
metric = 'segm'  # 'bbox' or 'segm' (mask AP)
launcher = dict(type='local', jobs=2)

# the stand-in data and backbone (delete with your own data)
prepare = [
    dict(name='data',
         command='python tools/dataset/make_synthetic_coco.py {data_root} '
         '--train 600 --val 200 --size 48 80 --max-objects 3 '
         '--size-range 0.3 0.7 --texture 0.3 --classes circle triangle star '
         '--seed 1',
         creates='{data_root}annotations/instances_train.json'),
    dict(name='pretrain',
         command='python tools/dataset/pretrain_demo_backbone.py '
         'configs/demo/mask_rcnn_r18_gn_synthetic_pretrained.py '
         '{out}/pretrain --iters 300 --num-images 3000 --seed 1',
         creates='{out}/pretrain/budget.json'),
]
_classes = ('circle', 'triangle', 'star')
_scale = (80, 48)  # (width, height) of the images
cfg_options = {
    'train_cfg.max_iters': 100,
    'model.roi_head.bbox_head.num_classes': len(_classes),
    'model.roi_head.mask_head.num_classes': len(_classes),
    'train_dataloader.dataset.data_root': '{data_root}',
    'train_dataloader.dataset.metainfo.classes': _classes,
    # the Resize step of each pipeline (index 2 of the demo's training
    # pipeline, 1 of its test pipeline): the images' own size
    'train_dataloader.dataset.pipeline.2.scale': _scale,
    'val_dataloader.dataset.data_root': '{data_root}',
    'val_dataloader.dataset.metainfo.classes': _classes,
    'val_dataloader.dataset.pipeline.1.scale': _scale,
    'test_dataloader.dataset.data_root': '{data_root}',
    'test_dataloader.dataset.metainfo.classes': _classes,
    'test_dataloader.dataset.pipeline.1.scale': _scale,
    'val_evaluator.ann_file': '{data_root}annotations/instances_val.json',
    'test_evaluator.ann_file': '{data_root}annotations/instances_val.json',
}
arm_options = dict(pretrained={
    'model.backbone.init_cfg.checkpoint': '{out}/pretrain/backbone.pth',
    'default_hooks.compute_budget.pretrain': '{out}/pretrain/budget.json',
})
