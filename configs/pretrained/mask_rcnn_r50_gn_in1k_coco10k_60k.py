# Mask R-CNN R50-FPN GN, ImageNet init, on 10,000 COCO train2017 images.
# Paper (less data): pretrained 26.0 box AP at 60k iterations, random init
# 25.9 at 220k.
# 60,000 iterations at batch 16: the paper's count.
# LR /10 at 2/3 and 8/9 of the run (the 1x proportions). Make the subset:
#   python tools/dataset/make_coco_subset.py \
#       data/coco/annotations/instances_train2017.json \
#       data/coco/annotations/instances_train2017_10k.json --num 10000
_base_ = '../_base_/coco_subset_pretrained.py'

train_dataloader = dict(
    dataset=dict(ann_file='annotations/instances_train2017_10k.json'))
train_cfg = dict(max_iters=60000)
