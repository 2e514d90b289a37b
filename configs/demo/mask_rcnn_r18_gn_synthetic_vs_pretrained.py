# The demo's scratch config compared, at every validation, with the curve
# of the demo's longest pretrained run (ConvergenceHook), e.g. after
# `make demo` (its 16-epoch runs: 1,000 iterations at 16 base channels)
#   python tools/train.py \
#       configs/demo/mask_rcnn_r18_gn_synthetic_vs_pretrained.py \
#       --cfg-options train_cfg.max_iters=1000 \
#       model.backbone.base_channels=16 \
#       model.backbone.norm_cfg.num_groups=16 \
#       model.neck.in_channels=[16,32,64,128]
_base_ = './mask_rcnn_r18_gn_synthetic.py'

default_hooks = dict(
    convergence=dict(
        baseline='results/demo/pretrained_16ep_s0',
        metrics=['coco/bbox_mAP', 'coco/segm_mAP'],
        x='iter'))
