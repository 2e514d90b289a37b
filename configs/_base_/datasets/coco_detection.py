# COCO 2017 detection (boxes only), 2 images per GPU (16 on 8 GPUs), shorter
# side 800 (max 1333), horizontal flip. Iteration-based: an infinite data
# stream whose every batch is a function of its position (images grouped by
# orientation within windows), so --resume positions it instead of
# replaying it (mmscratch/datasets/positioned_sampling.py).
# 4 loader workers per training process (tools/train.py lowers that to the
# CPUs there are; pin_memory follows CUDA: mmscratch/cli/loader.py).
_base_ = 'mmdet::_base_/datasets/coco_detection.py'

data_root = 'data/coco/'
# CocoDataset with seeded samples (exact resume) that skips undecodable
# images; boxes are kept whatever their mask field holds
dataset = dict(type='SeededSkippingCocoDataset', data_root=data_root,
               skip_empty_masks=False)
train_dataloader = dict(
    batch_size=2,
    num_workers=4,
    sampler=dict(
        _delete_=True, type='PositionedInfiniteSampler', shuffle=True),
    batch_sampler=dict(type='PositionedAspectRatioBatchSampler'),
    dataset=dataset)
val_dataloader = dict(dataset=dataset)
test_dataloader = val_dataloader
# mmdet's CocoMetric, computed by faster-coco-eval when it matches
# pycocotools (checked at start-up); backend='pycocotools' to opt out.
val_evaluator = dict(
    type='FastCocoMetric',
    ann_file=data_root + 'annotations/instances_val2017.json')
test_evaluator = val_evaluator
