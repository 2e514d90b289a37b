# Mask R-CNN R101-FPN, GN everywhere, ImageNet init, fine-tuned 3x.
# Paper (Table 1, GN): 42.3 box AP.
_base_ = ['./mask_rcnn_r50_gn_in1k_3x.py',
          '../_base_/models/imagenet_r101.py']

model = dict(backbone={{_base_.imagenet_r101_gn}})
