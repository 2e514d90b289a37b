# The ImageNet-1k ResNet-101 weights of the pretrained twins, named once:
# MMDetection's GN R-101 (Detectron's, caffe-style input, as the GN R-50)
# and torchvision's R-101 for SyncBN. A leaf that turns an R50 twin into an
# R101 one lists this file after its parent and sets
#   model = dict(backbone={{_base_.imagenet_r101_gn}})  # or _syncbn
imagenet_r101_gn = dict(
    depth=101,
    init_cfg=dict(checkpoint='open-mmlab://detectron/resnet101_gn'))
imagenet_r101_syncbn = dict(
    depth=101, init_cfg=dict(checkpoint='torchvision://resnet101'))
