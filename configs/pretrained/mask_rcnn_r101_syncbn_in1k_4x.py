# Mask R-CNN R101-FPN, SyncBN everywhere, ImageNet init, fine-tuned 4x.
_base_ = ['./mask_rcnn_r50_syncbn_in1k_4x.py',
          '../_base_/models/imagenet_r101.py']

model = dict(backbone={{_base_.imagenet_r101_syncbn}})
