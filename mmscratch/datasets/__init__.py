from .coco import SeededSkippingCocoDataset
from .positioned_sampling import (PositionedAspectRatioBatchSampler,
                                  PositionedInfiniteSampler, PositionedStream,
                                  SeededConcatDataset, SeededIndex)
from .coco_file import read_coco_file
from .subset import make_coco_subset
from .synthetic import (CATEGORIES, make_synthetic_coco, render_image,
                        synthetic_data_options)

__all__ = [
    'PositionedAspectRatioBatchSampler', 'PositionedInfiniteSampler',
    'PositionedStream', 'SeededConcatDataset', 'SeededIndex',
    'CATEGORIES', 'make_coco_subset', 'make_synthetic_coco', 'read_coco_file',
    'render_image', 'SeededSkippingCocoDataset', 'synthetic_data_options'
]
