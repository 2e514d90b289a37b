# ResNeXt-152 32x8d with GN, random (Kaiming) init, nothing frozen: the
# backbone of the paper's Table 3 system, shared by the X152 Mask R-CNN and
# its Cascade phase (configs that list this file use it as
# model = dict(backbone={{_base_.x152_gn_backbone}})).
x152_gn_backbone = dict(
    type='ResNeXt',
    depth=152,
    groups=32,
    base_width=8,
    frozen_stages=-1,
    norm_cfg=dict(type='GN', num_groups=32, requires_grad=True),
    norm_eval=False,
    zero_init_residual=False,
    init_cfg=None)
