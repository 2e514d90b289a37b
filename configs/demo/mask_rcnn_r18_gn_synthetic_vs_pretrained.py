# The demo's scratch run, compared at every validation with the pretrained
# run's curve (ConvergenceHook; tools/demo.py sets the baseline's path).
_base_ = './mask_rcnn_r18_gn_synthetic.py'

default_hooks = dict(
    convergence=dict(
        baseline='results/demo/pretrained',
        metrics=['coco/bbox_mAP', 'coco/segm_mAP'],
        x='iter'))
