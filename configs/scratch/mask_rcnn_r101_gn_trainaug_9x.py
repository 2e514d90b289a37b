# Mask R-CNN R101-FPN, GN, random init, train aug, 9x.
# Paper (Table 3, first row): 45.0 box AP / 39.5 mask AP.
_base_ = './mask_rcnn_r50_gn_trainaug_9x.py'

model = dict(backbone=dict(depth=101))
