# COCO instance segmentation on a subset of train2017 (the paper's
# less-data experiments), with scale augmentation: shorter side sampled from
# [512, 800]. Make the subset file with tools/dataset/make_coco_subset.py;
# each leaf config names its file. Evaluation is on the full val2017.
_base_ = ['./coco_instance.py', './train_aug_pipelines.py']

train_dataloader = dict(
    dataset=dict(pipeline={{_base_.coco_less_data_pipeline}}))
