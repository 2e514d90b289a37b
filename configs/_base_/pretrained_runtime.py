# Runtime of the ImageNet-initialised counterparts: the audit reports that the
# run is not from scratch, and the compute budget includes ImageNet-1k
# pretraining (100 epochs of 1.28M images), as in the paper's Figure 2.
_base_ = './default_runtime.py'

default_hooks = dict(compute_budget=dict(pretrain='imagenet-1k-100ep'))
