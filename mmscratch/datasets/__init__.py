from .coco import SkipEmptyMaskCocoDataset
from .subset import make_coco_subset, read_coco
from .synthetic import (CATEGORIES, PRETRAIN_CLASSES,
                        make_classification_images, make_synthetic_coco,
                        render_image)

__all__ = [
    'CATEGORIES', 'PRETRAIN_CLASSES', 'make_classification_images',
    'make_coco_subset', 'make_synthetic_coco', 'read_coco', 'render_image',
    'SkipEmptyMaskCocoDataset'
]
