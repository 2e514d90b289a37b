# Mask R-CNN R101-FPN, GN everywhere, random init, 2x.
# Paper (Table 1, GN): 38.2 box AP.
_base_ = './mask_rcnn_r50_gn_2x.py'

model = dict(backbone=dict(depth=101))
