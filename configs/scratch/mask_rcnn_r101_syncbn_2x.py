# Mask R-CNN R101-FPN, SyncBN everywhere, random init, 2x.
_base_ = './mask_rcnn_r50_syncbn_2x.py'

model = dict(backbone=dict(depth=101))
