# Mask R-CNN ResNeXt-152 32x8d FPN, GN, random init, train aug, 9x.
# Paper (Table 3, second row): 46.4 box AP / 40.5 mask AP. Its checkpoint at
# 540k iterations (before the first LR drop at 750k) is also the first phase
# of the Cascade system: cascade_mask_rcnn_x152_gn_trainaug_9x.py.
_base_ = [
    './mask_rcnn_r50_gn_trainaug_9x.py',
    '../_base_/models/x152_gn_backbone.py',
]

model = dict(backbone={{_base_.x152_gn_backbone}})

# Phase 2 (the cascade) loads iter_540000.pth: keep it past max_keep_ckpts.
default_hooks = dict(checkpoint=dict(keep_iters=[540000]))
