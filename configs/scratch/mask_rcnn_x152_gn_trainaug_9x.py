# Mask R-CNN ResNeXt-152 32x8d FPN, GN, random init, train aug, 9x.
# Paper (Table 3, second row): 46.4 box AP / 40.5 mask AP. Its checkpoint at
# 540k iterations (before the first LR drop at 750k) is also the first phase
# of the Cascade system: cascade_mask_rcnn_x152_gn_trainaug_9x.py.
_base_ = './mask_rcnn_r50_gn_trainaug_9x.py'

model = dict(
    backbone=dict(
        type='ResNeXt',
        depth=152,
        groups=32,
        base_width=8))

# Table 1 has no X152 row: audit and budget only.
custom_hooks = [
    dict(type='ScratchAuditHook', strict=True),
    dict(type='ComputeBudgetHook'),
]
