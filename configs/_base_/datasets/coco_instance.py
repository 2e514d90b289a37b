# COCO 2017 instance segmentation, 2 images per GPU (16 on 8 GPUs), shorter
# side 800 (max 1333), horizontal flip. Iteration-based: infinite sampler.
_base_ = 'mmdet::_base_/datasets/coco_instance.py'

data_root = 'data/coco/'
# CocoDataset that skips empty masks instead of failing on them
dataset_type = 'SkipEmptyMaskCocoDataset'
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    sampler=dict(_delete_=True, type='InfiniteSampler', shuffle=True),
    dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator
