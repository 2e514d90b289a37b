"""The demo's numbers: per-run APs, contrasts with seed-and-image
intervals, verdicts against the declared margin, images to reach an AP.

Every interval the report prints comes from here (one image draw shared by
all runs, :func:`~mmscratch.analysis.bootstrap.contrast_interval`).
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np

from ..analysis.bootstrap import (contrast_interval, image_resampled_aps,
                                  load_gt, load_results, per_image_matches)
from ..analysis.equivalence import claim_verdict
from ..runs.logs import RunLog, images_at
from .plan import MARGIN, Pair, Run

METRICS = {'bbox': 'coco/bbox_mAP', 'segm': 'coco/segm_mAP'}


class Comparisons:
    """Every run's per-image matches, resampled once per IoU type."""

    def __init__(self, out: str, runs: Sequence[Run], ann_file: str,
                 samples: int, seed: int):
        gt = load_gt(ann_file)
        self.seed = seed
        self.names = [run.name for run in runs]
        self.aps, self.draws = {}, {}
        for iou in METRICS:
            matches = [per_image_matches(gt, load_results(osp.join(
                out, name, f'val_preds.{iou}.json'), gt), iou)
                for name in self.names]
            self.aps[iou], self.draws[iou] = image_resampled_aps(
                matches, samples, seed)
        self.images = len(gt.getImgIds())
        self.samples = samples

    def columns(self, runs: Sequence[Run]) -> List[int]:
        return [self.names.index(run.name) for run in runs]

    def contrast(self, arms: Sequence[Sequence[Run]],
                 weights: Sequence[float], iou: str = 'bbox') -> dict:
        """Value and intervals of ``sum(weights * arm mean AP)``."""
        return contrast_interval(
            self.aps[iou], self.draws[iou],
            [self.columns(arm) for arm in arms], weights, seed=self.seed + 1)

    def pair(self, pair: Pair, iou: str = 'bbox') -> dict:
        """scratch - pretrained of ``pair``, its margin and verdict."""
        out = self.contrast([pair.pretrained, pair.scratch], (-1, 1), iou)
        margin = MARGIN * float(np.mean(out['aps'][0]))
        return dict(out, margin=margin, verdict=claim_verdict(out, margin))

    def arm(self, runs: Sequence[Run], iou: str = 'bbox') -> dict:
        """The arm's mean AP with its seed-and-image interval."""
        return self.contrast([runs], (1, ), iou)


def images_to_reach(scratch: RunLog, target: float,
                    metric: str = METRICS['bbox']) -> Optional[dict]:
    """The first validation of ``scratch`` whose AP reaches ``target``:
    its step, AP and images seen; None if none does."""
    for step, value in scratch.metric(metric):
        if value >= target:
            return dict(step=step, ap=value,
                        images=images_at(scratch, [step])[0])
    return None


def best_point(run: RunLog, metric: str = METRICS['bbox']) -> Dict:
    step, value = max(run.metric(metric), key=lambda p: p[1])
    return dict(step=step, ap=value, images=images_at(run, [step])[0])
