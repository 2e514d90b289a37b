# COCO instance segmentation with the paper's "train aug": the shorter side
# is sampled from [640, 800] (max 1333) for every training image.
_base_ = ['./coco_instance.py', './train_aug_pipelines.py']

train_dataloader = dict(
    dataset=dict(pipeline={{_base_.coco_trainaug_pipeline}}))
