# Mask R-CNN R101-FPN, GN everywhere, random init, 4x.
# Paper (Table 1, GN): 41.8 box AP.
_base_ = './mask_rcnn_r50_gn_4x.py'

model = dict(backbone=dict(depth=101))
