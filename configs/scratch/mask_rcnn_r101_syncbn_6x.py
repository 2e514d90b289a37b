# Mask R-CNN R101-FPN, SyncBN everywhere, random init, 6x.
_base_ = './mask_rcnn_r50_syncbn_6x.py'

model = dict(backbone=dict(depth=101))
