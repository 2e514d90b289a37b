# COCO instance segmentation on a subset of train2017 (the paper's
# less-data experiments), with scale augmentation: shorter side sampled from
# [512, 800]. Make the subset file with tools/dataset/make_coco_subset.py;
# each leaf config names its file. Evaluation is on the full val2017.
_base_ = './coco_instance.py'

train_pipeline = [
    dict(type='LoadImageFromFile', backend_args={{_base_.backend_args}}),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(
        type='RandomResize',
        scale=[(1333, 512), (1333, 800)],
        keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
