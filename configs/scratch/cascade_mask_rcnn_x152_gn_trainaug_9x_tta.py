# Multi-scale test-time augmentation for the Cascade X152 system (paper,
# Table 3: 50.9 box AP / 43.2 mask AP). Use with the phase-2 checkpoint:
#   python tools/test.py \
#       configs/scratch/cascade_mask_rcnn_x152_gn_trainaug_9x_tta.py \
#       work_dirs/cascade_mask_rcnn_x152_gn_trainaug_9x/iter_270000.pth --tta
# Views: shorter side 600 to 1200 in steps of 100, each with and without a
# horizontal flip (our choice of scales; the reference sheet says only
# "multi-scale"). Boxes merge by class-wise NMS; each kept detection keeps
# the mask of its view (InstanceSegTTAModel).
_base_ = './cascade_mask_rcnn_x152_gn_trainaug_9x.py'

tta_model = dict(
    type='InstanceSegTTAModel',
    tta_cfg=dict(nms=dict(type='nms', iou_threshold=0.5), max_per_img=100))

tta_scales = [(round(s * 1333 / 800), s) for s in range(600, 1201, 100)]
tta_pipeline = [
    dict(type='LoadImageFromFile', backend_args=None),
    dict(
        type='TestTimeAug',
        transforms=[
            [dict(type='Resize', scale=s, keep_ratio=True)
             for s in tta_scales],
            [dict(type='RandomFlip', prob=1.),
             dict(type='RandomFlip', prob=0.)],
            [dict(type='LoadAnnotations', with_bbox=True, with_mask=True)],
            [dict(
                type='PackDetInputs',
                meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                           'scale_factor', 'flip', 'flip_direction'))],
        ])
]
test_dataloader = dict(batch_size=1)
