# Mask R-CNN R101-FPN, GN everywhere, random init, 3x.
# Paper (Table 1, GN): 41.0 box AP.
_base_ = './mask_rcnn_r50_gn_3x.py'

model = dict(backbone=dict(depth=101))
