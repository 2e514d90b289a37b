"""Weighted COCO AP from per-image matches, and the paired bootstrap."""
import contextlib
import copy
import io

import numpy as np
import pytest
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmscratch.analysis.bootstrap import (per_image_matches,
                                          seed_image_bootstrap)


def paired_bootstrap(a, b, samples):
    """B - A of two single runs: value and 95% interval."""
    out = seed_image_bootstrap([[a], [b]], (-1, 1), samples=samples)
    low, high = out['intervals'][0.95]
    return dict(diff=out['value'], low=low, high=high)


def make_gt(images=40, seed=0):
    rng = np.random.default_rng(seed)
    imgs, anns = [], []
    for i in range(1, images + 1):
        imgs.append(dict(id=i, width=200, height=200, file_name=f'{i}.png'))
        for _ in range(rng.integers(1, 5)):
            x, y = rng.uniform(0, 120, 2)
            w, h = rng.uniform(10, 70, 2)
            anns.append(dict(id=len(anns) + 1, image_id=i, iscrowd=0,
                             category_id=int(rng.integers(1, 4)),
                             bbox=[x, y, w, h], area=w * h))
    return dict(images=imgs, annotations=anns, categories=[
        dict(id=c, name=f'c{c}') for c in (1, 2, 3)])


def coco(data):
    with contextlib.redirect_stdout(io.StringIO()):
        api = COCO()
        api.dataset = copy.deepcopy(data)
        api.createIndex()
    return api


def detections(data, noise, seed, worse_images=()):
    """One detection per object (jittered by ``noise`` of its size, much
    more on ``worse_images``) and a false positive per image."""
    rng = np.random.default_rng(seed)
    out = []
    for a in data['annotations']:
        x, y, w, h = a['bbox']
        k = noise * (6 if a['image_id'] in worse_images else 1)
        out.append(dict(image_id=a['image_id'], category_id=a['category_id'],
                        score=float(rng.uniform(0.3, 1)),
                        bbox=[x + rng.normal(0, k * w),
                              y + rng.normal(0, k * h), w, h]))
    for img in data['images']:
        out.append(dict(image_id=img['id'], category_id=1,
                        score=float(rng.uniform(0, 0.6)),
                        bbox=list(rng.uniform(0, 100, 4) + [0, 0, 20, 20])))
    return out


def coco_ap(data, results):
    with contextlib.redirect_stdout(io.StringIO()):
        gt = coco(data)
        ev = COCOeval(gt, gt.loadRes(copy.deepcopy(results)), 'bbox')
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return ev.stats[0]


def test_ap_equals_pycocotools():
    data = make_gt()
    results = detections(data, 0.08, seed=1)
    matches = per_image_matches(coco(data), copy.deepcopy(results))
    assert matches.average_precision() == pytest.approx(
        coco_ap(data, results), abs=1e-12)


def test_an_image_weighted_twice_counts_as_its_copy():
    data = make_gt(images=12)
    results = detections(data, 0.08, seed=2)
    matches = per_image_matches(coco(data), copy.deepcopy(results))
    # the same data with image 3 present twice (as image 99)
    twice = copy.deepcopy(data)
    twice['images'].append(dict(data['images'][2], id=99))
    twice['annotations'] += [dict(a, id=1000 + a['id'], image_id=99)
                             for a in data['annotations']
                             if a['image_id'] == 3]
    results_twice = results + [dict(r, image_id=99) for r in results
                               if r['image_id'] == 3]
    weights = np.ones(12)
    weights[matches.image_ids.index(3)] = 2
    assert matches.average_precision(weights) == pytest.approx(
        coco_ap(twice, results_twice), abs=1e-12)


def test_identical_runs_give_an_interval_of_zero():
    data = make_gt()
    a = per_image_matches(coco(data), detections(data, 0.08, seed=1))
    b = per_image_matches(coco(data), detections(data, 0.08, seed=1))
    out = paired_bootstrap(a, b, samples=200)
    assert out['diff'] == 0 and out['low'] == 0 and out['high'] == 0


def test_a_planted_difference_is_detected():
    """Worse boxes on half the images: the interval lies below 0 and holds
    the difference; two runs that differ only by noise get an interval
    around 0."""
    data = make_gt(images=80)
    a = per_image_matches(coco(data), detections(data, 0.05, seed=1))
    worse = per_image_matches(coco(data), detections(
        data, 0.05, seed=1, worse_images=set(range(1, 41))))
    out = paired_bootstrap(a, worse, samples=300)
    assert out['low'] <= out['diff'] <= out['high'] < 0
    same = per_image_matches(coco(data), detections(data, 0.05, seed=7))
    out = paired_bootstrap(a, same, samples=300)
    assert out['low'] < 0 < out['high']
