# The demo's scratch config compared, at every validation, with the curve
# of the demo's longest pretrained run (ConvergenceHook), e.g.
#   python tools/train.py \
#       configs/demo/mask_rcnn_r18_gn_synthetic_vs_pretrained.py \
#       --cfg-options train_cfg.max_iters=480
# after `make demo`.
_base_ = './mask_rcnn_r18_gn_synthetic.py'

default_hooks = dict(
    convergence=dict(
        baseline='results/demo/pretrained_4x_s0',
        metrics=['coco/bbox_mAP', 'coco/segm_mAP'],
        x='iter'))
