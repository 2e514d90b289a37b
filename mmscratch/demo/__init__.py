"""The demo's stand-in for ImageNet: a synthetic classification task and
the backbone pretraining on it (tools/dataset/pretrain_demo_backbone.py,
a preparation step of configs/studies/demo_synthetic.py).

Not part of the plugin: configs never import it.
"""
