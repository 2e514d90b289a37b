# Mask R-CNN R50-FPN with synchronized BatchNorm in backbone, FPN, a 4conv1fc
# box head and the mask head; random (Kaiming) init, nothing frozen.
_base_ = './mask_rcnn_r50_fpn_gn.py'

# _delete_: replace the GN settings of the base (num_groups) entirely.
norm_cfg = dict(_delete_=True, type='SyncBN', requires_grad=True)
model = dict(
    # norm_eval=False: SyncBN must update its statistics while training.
    # mmdet's default (True) keeps BN in eval mode, i.e. frozen statistics:
    # harmless with GN, which has none, but wrong for a scratch SyncBN run.
    backbone=dict(norm_cfg=norm_cfg, norm_eval=False),
    neck=dict(norm_cfg=norm_cfg),
    roi_head=dict(
        bbox_head=dict(norm_cfg=norm_cfg),
        mask_head=dict(norm_cfg=norm_cfg)))
