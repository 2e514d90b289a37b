# Mask R-CNN R101-FPN, SyncBN everywhere, random init, 5x.
_base_ = './mask_rcnn_r50_syncbn_5x.py'

model = dict(backbone=dict(depth=101))
