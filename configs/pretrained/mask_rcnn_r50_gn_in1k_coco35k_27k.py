# Mask R-CNN R50-FPN GN, ImageNet init, on 35,000 COCO train2017 images.
# Paper (less data): both reach 36.3 box AP.
# 27,000 iterations at batch 16: not given by the paper; chosen here as 1x
# scaled by the data size.
# LR /10 at 2/3 and 8/9 of the run (the 1x proportions). Make the subset:
#   python tools/dataset/make_coco_subset.py \
#       data/coco/annotations/instances_train2017.json \
#       data/coco/annotations/instances_train2017_35k.json --num 35000
_base_ = '../_base_/coco_subset_pretrained.py'

train_dataloader = dict(
    dataset=dict(ann_file='annotations/instances_train2017_35k.json'))
train_cfg = dict(max_iters=27000)
