from .coco import SkipEmptyMaskCocoDataset
from .subset import make_coco_subset, read_coco
from .synthetic import (CATEGORIES, make_synthetic_coco, render_image,
                        synthetic_data_options)

__all__ = [
    'CATEGORIES', 'make_coco_subset', 'make_synthetic_coco', 'read_coco',
    'render_image', 'SkipEmptyMaskCocoDataset', 'synthetic_data_options'
]
