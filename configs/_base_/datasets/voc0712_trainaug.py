# PASCAL VOC as in the paper: train on VOC2007 trainval + VOC2012 train,
# evaluate on VOC2012 val (area-based mAP, the VOC2012 protocol). Train aug:
# shorter side sampled from [640, 800]; 800 at test. Data under
# data/VOCdevkit/VOC2007 and data/VOCdevkit/VOC2012 (docs/data.md).
_base_ = './train_aug_pipelines.py'

dataset_type = 'VOCDataset'
data_root = 'data/VOCdevkit/'
backend_args = None

test_pipeline = [
    dict(type='LoadImageFromFile', backend_args=backend_args),
    dict(type='Resize', scale=(1333, 800), keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(
        type='PackDetInputs',
        meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape',
                   'scale_factor')),
]
voc_train = dict(
    type=dataset_type,
    data_root=data_root,
    filter_cfg=dict(filter_empty_gt=True, min_size=32, bbox_min_size=32),
    pipeline={{_base_.voc_trainaug_pipeline}},
    backend_args=backend_args)
# 4 workers per process, fitted to the machine by tools/train.py
train_dataloader = dict(
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='PositionedInfiniteSampler', shuffle=True),
    batch_sampler=dict(type='PositionedAspectRatioBatchSampler'),
    dataset=dict(
        # ConcatDataset that seeds each sample's augmentation (exact resume)
        type='SeededConcatDataset',
        # VOCDataset adds its own dataset_type to the metainfo
        ignore_keys=['dataset_type'],
        datasets=[
            dict(voc_train,
                 ann_file='VOC2007/ImageSets/Main/trainval.txt',
                 data_prefix=dict(sub_data_root='VOC2007/')),
            dict(voc_train,
                 ann_file='VOC2012/ImageSets/Main/train.txt',
                 data_prefix=dict(sub_data_root='VOC2012/')),
        ]))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='VOC2012/ImageSets/Main/val.txt',
        data_prefix=dict(sub_data_root='VOC2012/'),
        test_mode=True,
        pipeline=test_pipeline,
        backend_args=backend_args))
test_dataloader = val_dataloader
val_evaluator = dict(type='VOCMetric', metric='mAP', eval_mode='area')
test_evaluator = val_evaluator
