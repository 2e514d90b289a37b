"""A study's numbers: per-run APs, contrasts with seed-and-image
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
from ..utils.errors import UserInputError
from .plan import Run

METRICS = {'bbox': 'coco/bbox_mAP', 'segm': 'coco/segm_mAP'}


class Comparisons:
    """Every run's per-image matches, resampled once per IoU type."""

    def __init__(self, out: str, runs: Sequence[Run], ann_file: str,
                 samples: int, seed: int, margin: float,
                 ious: Sequence[str] = tuple(METRICS)):
        gt = load_gt(ann_file)
        self.seed, self.margin = seed, margin
        self.names = [run.name for run in runs]
        self.aps, self.draws = {}, {}
        for iou in ious:
            matches = []
            for name in self.names:
                path = osp.join(out, name, f'val_preds.{iou}.json')
                if not osp.isfile(path):
                    raise UserInputError(
                        f'run {name} has no {path}: its last validation '
                        'wrote no results; rerun the study to retrain it')
                matches.append(per_image_matches(
                    gt, load_results(path, gt), iou))
            self.aps[iou], self.draws[iou] = image_resampled_aps(
                matches, samples, seed)
        self.images = len(gt.getImgIds())
        self.samples = samples

    def columns(self, runs: Sequence[Run]) -> List[int]:
        return [self.names.index(run.name) for run in runs]

    def ap(self, run: Run, iou: str) -> float:
        """The run's AP on all validation images."""
        return float(self.aps[iou][self.names.index(run.name)])

    def contrast(self, arms: Sequence[Sequence[Run]],
                 weights: Sequence[float], iou: str) -> dict:
        """Value and intervals of ``sum(weights * arm mean AP)``."""
        return contrast_interval(
            self.aps[iou], self.draws[iou],
            [self.columns(arm) for arm in arms], weights, seed=self.seed + 1)

    def pair(self, reference: Sequence[Run], other: Sequence[Run],
             iou: str) -> dict:
        """other - reference, its margin (a share of the reference's mean
        AP) and its verdict."""
        out = self.contrast([reference, other], (-1, 1), iou)
        margin = self.margin * float(np.mean(out['aps'][0]))
        return dict(out, margin=margin,
                    verdict=claim_verdict(out, margin, recipes=True))

    def arm(self, runs: Sequence[Run], iou: str) -> dict:
        """The arm's mean AP with its seed-and-image interval."""
        return self.contrast([runs], (1, ), iou)


def images_seen(run: RunLog, step: int, batch: int) -> float:
    """Images seen by ``step``: the logged budget, else step x batch."""
    try:
        return images_at(run, [step])[0]
    except UserInputError:  # trained without ComputeBudgetHook
        return float(step * batch)


def images_to_reach(run: RunLog, target: float, metric: str,
                    batch: int) -> Optional[dict]:
    """The first validation of ``run`` whose AP reaches ``target``: its
    step, AP and images seen; None if none does."""
    for step, value in run.metric(metric):
        if value >= target:
            return dict(step=step, ap=value,
                        images=images_seen(run, step, batch))
    return None


def best_point(run: RunLog, metric: str, batch: int) -> Dict:
    step, value = max(run.metric(metric), key=lambda p: p[1])
    return dict(step=step, ap=value, images=images_seen(run, step, batch))
