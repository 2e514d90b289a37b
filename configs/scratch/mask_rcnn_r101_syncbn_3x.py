# Mask R-CNN R101-FPN, SyncBN everywhere, random init, 3x.
_base_ = './mask_rcnn_r50_syncbn_3x.py'

model = dict(backbone=dict(depth=101))
