# The demo at tiny sizes (make demo ARGS=--quick, about 2 minutes): 40
# training and 16 validation images, runs of 4 and 16 iterations, every
# detection kept (the scores of a few iterations are all low). It checks
# that the whole path works; its numbers mean nothing.
_base_ = './demo_synthetic.py'

description = 'The demo at tiny sizes, for tests: its numbers mean nothing.'
schedule_unit = 'x'  # multiples of max_iters = 4
schedules = [1, 4]
fraction_schedules = [1]
curve_points = 2
samples = 200
# (a study file's helpers are its own: the base's width, restated)
_width = ('model.backbone.base_channels=16 '
          'model.backbone.norm_cfg.num_groups=16')
prepare = [
    dict(name='data',
         command='python tools/dataset/make_synthetic_coco.py {data_root} '
         '--train 40 --val 16 --size 64 64 --max-objects 4 '
         '--size-range 0.25 0.6 --texture 0.4 --seed 0',
         creates='{data_root}annotations/instances_train.json'),
    dict(name='pretrain',
         command='python tools/dataset/pretrain_demo_backbone.py '
         'configs/demo/mask_rcnn_r18_gn_synthetic_pretrained.py '
         '{out}/pretrain --iters 4 --num-images 160 --texture 0.4 --seed 0 '
         '--cfg-options ' + _width,
         creates='{out}/pretrain/budget.json'),
]
cfg_options = {
    'train_cfg.max_iters': 4,
    'model.test_cfg.rcnn.score_thr': 0.0,
}
