# Mask R-CNN R101-FPN, GN, ImageNet init, train aug, 6x.
_base_ = ['./mask_rcnn_r50_gn_in1k_trainaug_6x.py',
          '../_base_/models/imagenet_r101.py']

model = dict(backbone={{_base_.imagenet_r101_gn}})
