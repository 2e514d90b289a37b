# Mask R-CNN R50-FPN with GroupNorm (32 groups) in backbone, FPN, a 4conv1fc
# box head and the mask head; random (Kaiming) init, nothing frozen.
# Pretrained counterparts set backbone.init_cfg; everything else is shared.
_base_ = 'mmdet::_base_/models/mask-rcnn_r50_fpn.py'

norm_cfg = dict(type='GN', num_groups=32, requires_grad=True)
model = dict(
    backbone=dict(
        frozen_stages=-1,  # 0 would still freeze the stem
        norm_cfg=norm_cfg,
        norm_eval=False,
        zero_init_residual=False,
        # None: ResNet's own init, Kaiming normal (fan_out) for convs and
        # weight 1 / bias 0 for norm layers.
        init_cfg=None),
    neck=dict(norm_cfg=norm_cfg),
    roi_head=dict(
        bbox_head=dict(
            type='Shared4Conv1FCBBoxHead',
            conv_out_channels=256,
            norm_cfg=norm_cfg),
        mask_head=dict(norm_cfg=norm_cfg)))
