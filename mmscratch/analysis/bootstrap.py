"""COCO AP from per-image matches, and a paired bootstrap of AP differences.

pycocotools' ``COCOeval.evaluate()`` matches detections to ground truth per
(category, image); its ``accumulate()`` then pools the images. Here the
pooling is redone with a weight per image, so that an image drawn k times
by a bootstrap resample counts k times, without evaluating again. With all
weights 1 the result equals ``COCOeval.stats[0]`` (AP at IoU .50:.95, all
areas, 100 detections; tested).

A paired bootstrap draws the same images for both runs, so the interval of
the difference reflects which images the validation set happens to hold,
not the (shared) noise of each run's AP.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional

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


def paired_bootstrap(a: PerImageMatches, b: PerImageMatches,
                     samples: int = 1000, level: float = 0.95,
                     seed: int = 0) -> Dict[str, float]:
    """AP of ``a`` and ``b`` with ``level`` percentile intervals of each
    and of AP(b) - AP(a), over ``samples`` resamples of the images (the
    same resample for both runs).

    Returns:
        dict: ``a``, ``b``, ``diff`` (on the full set), ``low``/``high``
        (interval of the difference), ``a_low``/``a_high``,
        ``b_low``/``b_high``, ``samples``, ``images``.
    """
    if a.image_ids != b.image_ids:
        raise ValueError('the two runs were evaluated on different images')
    rng = np.random.default_rng(seed)
    n = len(a.image_ids)
    draws = np.empty((samples, 2))
    for s in range(samples):
        w = np.bincount(rng.integers(0, n, n), minlength=n)
        draws[s] = a.average_precision(w), b.average_precision(w)
    ap_a, ap_b = a.average_precision(), b.average_precision()
    tail = (1 - level) / 2 * 100
    qs = [tail, 100 - tail]
    low, high = np.nanpercentile(draws[:, 1] - draws[:, 0], qs)
    a_low, a_high = np.nanpercentile(draws[:, 0], qs)
    b_low, b_high = np.nanpercentile(draws[:, 1], qs)
    return dict(a=ap_a, b=ap_b, diff=ap_b - ap_a, low=float(low),
                high=float(high), a_low=float(a_low), a_high=float(a_high),
                b_low=float(b_low), b_high=float(b_high), samples=samples,
                images=n)


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
