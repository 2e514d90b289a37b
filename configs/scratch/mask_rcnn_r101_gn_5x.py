# Mask R-CNN R101-FPN, GN everywhere, random init, 5x.
# Paper (Table 1, GN): 42.2 box AP.
_base_ = './mask_rcnn_r50_gn_5x.py'

model = dict(backbone=dict(depth=101))
