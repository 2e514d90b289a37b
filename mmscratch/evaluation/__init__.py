from .fast_coco_metric import (FastCocoMetric, check_faster_coco_eval,
                               resolve_backend)
from .synthetic_results import make_prediction_set, to_coco_detections

__all__ = [
    'FastCocoMetric', 'check_faster_coco_eval', 'make_prediction_set',
    'resolve_backend', 'to_coco_detections'
]
