# Mask R-CNN R101-FPN, GN everywhere, random init, 6x.
# Paper (Table 1, GN): 42.7 box AP.
_base_ = './mask_rcnn_r50_gn_6x.py'

model = dict(backbone=dict(depth=101))
