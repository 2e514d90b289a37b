"""COCO AP from per-image matches; bootstrap intervals over images and seeds.

pycocotools' ``COCOeval.evaluate()`` matches detections to ground truth per
(category, image); its ``accumulate()`` then pools the images. Here the
pooling is redone with a weight per image, so that an image drawn k times
by a bootstrap resample counts k times, without evaluating again. With all
weights 1 the result equals ``COCOeval.stats[0]`` (AP at IoU .50:.95, all
areas, 100 detections; tested).

A paired bootstrap draws the same images for every run, so the interval of
a difference reflects which images the validation set happens to hold, not
the (shared) noise of each run's AP; :func:`contrast_interval` adds the
training noise, which initialisation and data order each run happened to
get, estimated from the spread of each arm's seeds, with Student's t for
the few seeds there are (docs/analysis.md shows by simulation that its
intervals cover what they claim).
"""
import math
from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np


@dataclass
class PerImageMatches:
    """Matches of one run's detections, per category, over the images.

    Attributes:
        image_ids (list): the images, in the order weights refer to.
        categories (list[dict]): per category with ground truth: ``image``
            (image index of each detection, sorted by score as COCO
            sorts), ``tp``/``fp`` (IoU thresholds x detections, bool),
            ``gt`` (non-ignored ground truth per image).
        rec_thrs (np.ndarray): COCO's 101 recall thresholds.
    """
    image_ids: list
    categories: List[dict]
    rec_thrs: np.ndarray

    def average_precision(self, weights: Optional[np.ndarray] = None
                          ) -> float:
        """COCO AP@[.5:.95] with each image counted ``weights[i]`` times."""
        w = np.ones(len(self.image_ids)) if weights is None else \
            np.asarray(weights, dtype=float)
        values = []
        for cat in self.categories:
            n_gt = float(np.dot(w, cat['gt']))
            if n_gt == 0:
                continue  # COCO leaves such a category out (-1)
            dw = w[cat['image']]
            keep = dw > 0
            dw = dw[keep]
            tp = np.cumsum(cat['tp'][:, keep] * dw, axis=1)
            fp = np.cumsum(cat['fp'][:, keep] * dw, axis=1)
            values.append(_interpolated_precision(tp, fp, n_gt,
                                                  self.rec_thrs))
        return float(np.mean(values)) if values else float('nan')


def _interpolated_precision(tp, fp, n_gt, rec_thrs) -> np.ndarray:
    """Precision at each recall threshold per IoU threshold (rows), as
    COCOeval.accumulate computes it: the monotone envelope, 0 beyond the
    highest recall reached."""
    q = np.zeros((tp.shape[0], len(rec_thrs)))
    if tp.shape[1] == 0:
        return q
    rc = tp / n_gt
    pr = tp / (fp + tp + np.spacing(1))
    pr = np.maximum.accumulate(pr[:, ::-1], axis=1)[:, ::-1]
    for t in range(tp.shape[0]):
        idx = np.searchsorted(rc[t], rec_thrs, side='left')
        valid = idx < pr.shape[1]
        q[t, valid] = pr[t, idx[valid]]
    return q


def per_image_matches(coco_gt, results: List[dict],
                      iou_type: str = 'bbox') -> PerImageMatches:
    """Evaluate ``results`` (COCO result dicts) against ``coco_gt`` (a
    pycocotools COCO) once and keep the per-image matches of area 'all'
    and 100 detections per image."""
    from pycocotools.cocoeval import COCOeval
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        dt = coco_gt.loadRes(results) if results else _empty_res(coco_gt)
        ev = COCOeval(coco_gt, dt, iou_type)
        ev.evaluate()
    p = ev.params
    image_ids = list(p.imgIds)
    index = {img: i for i, img in enumerate(image_ids)}
    n_area, n_img = len(p.areaRng), len(image_ids)
    max_det = p.maxDets[-1]
    categories = []
    for k in range(len(p.catIds)):
        # evalImgs is ordered category, area range, image; area 0 is 'all'
        records = [e for e in ev.evalImgs[k * n_area * n_img:
                                          k * n_area * n_img + n_img]
                   if e is not None]
        gt = np.zeros(n_img)
        for e in records:
            gt[index[e['image_id']]] = np.count_nonzero(
                np.asarray(e['gtIgnore']) == 0)
        if not records or gt.sum() == 0:
            continue
        scores = np.concatenate([e['dtScores'][:max_det] for e in records])
        order = np.argsort(-scores, kind='mergesort')
        image = np.concatenate([
            np.full(len(e['dtScores'][:max_det]), index[e['image_id']])
            for e in records]).astype(int)[order]
        matched = np.concatenate(
            [e['dtMatches'][:, :max_det] for e in records], axis=1)[:, order]
        ignored = np.concatenate(
            [e['dtIgnore'][:, :max_det] for e in records], axis=1)[:, order]
        categories.append(dict(
            image=image, gt=gt,
            tp=np.logical_and(matched, ~ignored.astype(bool)),
            fp=np.logical_and(~matched.astype(bool),
                              ~ignored.astype(bool))))
    return PerImageMatches(image_ids, categories, np.asarray(p.recThrs))


def _empty_res(coco_gt):
    from pycocotools.coco import COCO
    res = COCO()
    res.dataset = dict(images=coco_gt.dataset['images'], annotations=[],
                       categories=coco_gt.dataset['categories'])
    res.createIndex()
    return res


def load_gt(ann_file: str):
    """A pycocotools COCO of ``ann_file``, or a one-line error."""
    import contextlib
    import io

    from pycocotools.coco import COCO

    from ..datasets.coco_file import read_coco_file
    data = read_coco_file(ann_file)
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = data
        gt.createIndex()
    return gt


def load_results(path: str, coco_gt) -> List[dict]:
    """COCO result dicts from ``path`` (JSON only), checked against the
    images of ``coco_gt``; a one-line error otherwise."""
    import os.path as osp

    from ..utils.errors import UserInputError, read_json
    if not osp.isfile(path):
        raise UserInputError(
            f'result file {path} does not exist; a validation writes it '
            'when the evaluator has outfile_prefix set')
    results = read_json(path, 'result file')
    if not isinstance(results, list) or not all(
            isinstance(r, dict) and 'image_id' in r and 'score' in r
            for r in results):
        raise UserInputError(f'{path} is not a list of COCO results '
                             '(image_id, category_id, score, bbox/segm)')
    unknown = {r['image_id'] for r in results} - set(coco_gt.getImgIds())
    if unknown:
        raise UserInputError(
            f'{path} has results for {len(unknown)} image(s) that the '
            f'annotation file does not hold (e.g. id {min(unknown)}); '
            'compare runs evaluated on the same file')
    return results


def image_resampled_aps(runs: Sequence, samples: int = 1000,
                        seed: int = 0):
    """Each run's AP on all images, and on ``samples`` resamples of the
    images (the same draws for every run).

    Args:
        runs: objects with ``image_ids`` and ``average_precision(weights)``
            (:class:`PerImageMatches`), all evaluated on the same images.

    Returns:
        tuple: (APs on all images, shape (runs,); APs per resample,
        shape (samples, runs)).
    """
    if not runs:
        raise ValueError('no runs')
    if any(run.image_ids != runs[0].image_ids for run in runs):
        raise ValueError('the runs were evaluated on different images')
    n = len(runs[0].image_ids)
    rng = np.random.default_rng(seed)
    draws = np.empty((samples, len(runs)))
    for s in range(samples):
        w = np.bincount(rng.integers(0, n, n), minlength=n)
        draws[s] = [run.average_precision(w) for run in runs]
    return np.array([run.average_precision() for run in runs]), draws


def contrast_interval(full: np.ndarray, draws: np.ndarray,
                      arms: Sequence[Sequence[int]],
                      weights: Sequence[float], seed: int = 0,
                      levels: Sequence[float] = (0.90, 0.95)) -> dict:
    """Interval of a contrast of arm means over seeds and images.

    Each arm lists the columns of ``full``/``draws`` (from
    :func:`image_resampled_aps`) that are runs of one config differing only
    in their training seed. The statistic is ``sum(weights[k] * mean AP of
    arm k)``: ``(-1, 1)`` is arm 1 - arm 0. Its variance has two parts,
    added:

    - images: the variance of the statistic over the paired image
      resamples (every run sees the same draw, so what all runs share
      about an image cancels in a difference);
    - seeds: the spread of each arm's runs on all images, pooled over the
      arms (one recipe's seed noise is assumed alike across arms) with
      ``sum(n_k - 1)`` degrees of freedom, times ``sum(w_k^2 / n_k)``.

    The interval is ``value +- t * sqrt(sum)``, with Student's t at the
    Welch-Satterthwaite degrees of freedom (the image part counted as
    known): with 3 seeds per arm and two arms, t(4) = 2.78 where a normal
    quantile says 1.96. Arms of one seed each (two models, not two
    recipes) get the image part alone, with normal quantiles.
    (``seed`` is kept for the callers' signature; nothing is drawn here.)

    Returns:
        dict: ``value`` (all images and seeds), ``aps`` (per arm, each
        run's AP on all images), ``intervals`` ({level: (low, high)}),
        ``se`` (standard error), ``df`` (degrees of freedom, inf for
        images only), ``smallest_margin`` (the equivalence margin this
        design shows when the estimate is 0: the 90% half-width),
        ``samples``, ``seeds`` (runs per arm), ``image_var`` and
        ``seed_var_per_run`` (the two variance parts: the pooled variance
        of one run) and ``weights``, for :func:`seeds_for_margin`.
    """
    if len(arms) != len(weights) or not all(arms):
        raise ValueError('one weight per arm, and at least one run per arm')
    arms = [list(arm) for arm in arms]
    per_draw = sum(w * draws[:, arm].mean(1)
                   for w, arm in zip(weights, arms))
    image_var = float(np.nanvar(per_draw, ddof=1)) if len(draws) > 1 \
        else 0.0
    dof = sum(len(arm) - 1 for arm in arms)
    pooled = sum(float(np.var(full[arm], ddof=1)) * (len(arm) - 1)
                 for arm in arms if len(arm) > 1) / dof if dof > 0 else 0.0
    seed_var = pooled * sum(w * w / len(arm)
                            for w, arm in zip(weights, arms))
    se, df = _se_and_df(image_var, seed_var, dof)
    value = sum(w * float(np.mean(full[arm]))
                for w, arm in zip(weights, arms))

    def half(level: float) -> float:
        return _half_width(se, df, level)

    intervals = {level: (value - half(level), value + half(level))
                 for level in levels}
    return dict(value=value, aps=[full[arm].tolist() for arm in arms],
                intervals=intervals, se=se, df=df,
                smallest_margin=half(0.90), samples=len(draws),
                seeds=[len(arm) for arm in arms], image_var=image_var,
                seed_var_per_run=pooled, weights=list(weights))


def _se_and_df(image_var: float, seed_var: float, dof: int) -> tuple:
    """Standard error of the two variance parts added, and the
    Welch-Satterthwaite degrees of freedom (the image part counted as
    known; inf without a seed part)."""
    total = image_var + seed_var
    df = total ** 2 / (seed_var ** 2 / dof) if seed_var > 0 else math.inf
    return math.sqrt(total), df


def _half_width(se: float, df: float, level: float) -> float:
    """Half-width of a two-sided ``level`` interval: Student's t at
    ``df``, or the normal quantile when ``df`` is infinite."""
    from scipy import stats as scipy_stats
    q = scipy_stats.norm.ppf(0.5 + level / 2) if math.isinf(df) else \
        scipy_stats.t.ppf(0.5 + level / 2, df)
    return float(q) * se


def seeds_for_margin(contrast: dict, margin: float,
                     most: int = 100) -> Optional[int]:
    """The seeds per arm with which :func:`contrast_interval`'s smallest
    margin (its 90% half-width at an estimate of 0) would be at most
    ``margin``, if the image and seed variances stay as estimated; None
    when even ``most`` seeds do not (the validation images' part alone is
    too wide: more validation images are needed) or when the seed
    variance was not estimated (arms of one seed)."""
    weights = contrast.get('weights')
    pooled = contrast.get('seed_var_per_run', 0.0)
    if not weights or not math.isfinite(contrast['df']) or pooled <= 0:
        return None
    squares = sum(w * w for w in weights)
    for n in range(2, most + 1):
        se, df = _se_and_df(contrast['image_var'], pooled * squares / n,
                            len(weights) * (n - 1))
        if _half_width(se, df, 0.90) <= margin:
            return n
    return None


def seed_image_bootstrap(arms: Sequence[Sequence], weights: Sequence[float],
                         samples: int = 1000, seed: int = 0,
                         levels: Sequence[float] = (0.90, 0.95)) -> dict:
    """:func:`contrast_interval` of arms given as lists of runs."""
    runs = [run for arm in arms for run in arm]
    full, draws = image_resampled_aps(runs, samples, seed)
    columns, start = [], 0
    for arm in arms:
        columns.append(list(range(start, start + len(arm))))
        start += len(arm)
    out = contrast_interval(full, draws, columns, weights, seed + 1, levels)
    return dict(out, images=len(runs[0].image_ids))


def margin_power_text(contrast: dict, margin: float) -> str:
    """'' when the design shows ``margin``; otherwise what would: the seeds
    per arm (:func:`seeds_for_margin`), or more validation images."""
    if contrast['smallest_margin'] <= margin or \
            min(contrast['seeds']) < 2:
        return ''
    need = seeds_for_margin(contrast, margin)
    if need:
        return (f'; {need} seeds per arm would show the margin at these '
                'variances')
    return ('; no number of seeds shows the margin: the validation images\' '
            'part alone is wider; validate on more images')
