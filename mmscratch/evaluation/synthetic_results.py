"""A synthetic ground truth and detector output for timing COCO evaluation.

Ground truth: polygons of random star-shaped objects at sizes spanning
COCO's small, medium and large ranges, on 80 categories. Detections: noisy
copies of the true objects (shifted, scaled, vertices jittered, sometimes
the wrong class) plus false positives, each with a box, a score and an
RLE mask, in the form ``CocoMetric.process`` stores them. Everything
follows from the seed.
"""
from typing import List, Tuple

import numpy as np
from pycocotools import mask as mask_utils

NUM_CLASSES = 80


def _star_polygon(cx: float, cy: float, radius: float,
                  rng: np.random.Generator) -> np.ndarray:
    """A closed star-shaped outline (N x 2) around (cx, cy)."""
    n = int(rng.integers(6, 17))
    angles = np.sort(rng.uniform(0, 2 * np.pi, n))
    radii = radius * rng.uniform(0.55, 1.0, n)
    return np.stack([cx + radii * np.cos(angles),
                     cy + radii * np.sin(angles)], 1)


def _random_star(rng: np.random.Generator, width: int,
                 height: int) -> np.ndarray:
    """A star somewhere in the image; log-uniform radius from 4 to 160 px,
    about a third each of COCO's small, medium and large objects."""
    radius = float(np.exp(rng.uniform(np.log(4), np.log(160))))
    return _star_polygon(rng.uniform(0, width), rng.uniform(0, height),
                         radius, rng)


def _clip(poly: np.ndarray, width: int, height: int) -> np.ndarray:
    return np.stack([poly[:, 0].clip(0, width - 1),
                     poly[:, 1].clip(0, height - 1)], 1)


def _box_xyxy(poly: np.ndarray) -> List[float]:
    return [float(poly[:, 0].min()), float(poly[:, 1].min()),
            float(poly[:, 0].max()), float(poly[:, 1].max())]


def _rle(poly: np.ndarray, width: int, height: int) -> dict:
    """RLE of one polygon, with byte counts as mmdet's encoder gives."""
    rles = mask_utils.frPyObjects([poly.ravel().tolist()], height, width)
    return mask_utils.merge(rles)


def make_prediction_set(num_images: int, dets_per_image: int = 20,
                        seed: int = 0, size: Tuple[int, int] = (480, 640)
                        ) -> Tuple[dict, list]:
    """Return (COCO ground-truth dict, list of (gt, pred) results).

    The results list has the layout that mmdet's ``CocoMetric.process``
    appends and ``compute_metrics`` reads, with masks.
    """
    rng = np.random.default_rng(seed)
    height, width = size
    categories = [dict(id=i + 1, name=f'class_{i:02d}')
                  for i in range(NUM_CLASSES)]
    images, annotations, results = [], [], []
    for img_id in range(1, num_images + 1):
        images.append(dict(id=img_id, file_name=f'{img_id:06d}.jpg',
                           width=width, height=height))
        truths = []
        for _ in range(int(rng.integers(3, 13))):
            poly = _clip(_random_star(rng, width, height), width, height)
            label = int(rng.integers(NUM_CLASSES))
            rle = _rle(poly, width, height)
            area = float(mask_utils.area(rle))
            if area < 1:
                continue
            x0, y0, x1, y1 = _box_xyxy(poly)
            annotations.append(dict(
                id=len(annotations) + 1, image_id=img_id,
                category_id=label + 1, iscrowd=0, area=area,
                bbox=[x0, y0, x1 - x0, y1 - y0],
                segmentation=[poly.ravel().round(2).tolist()]))
            truths.append((poly, label))
        polys, labels = [], []
        for _ in range(dets_per_image):
            if truths and rng.random() < 0.7:
                poly, label = truths[int(rng.integers(len(truths)))]
                centre = poly.mean(0)
                scale = rng.normal(1.0, 0.12)
                shift = rng.normal(0, 0.08, 2) * np.ptp(poly, 0)
                poly = (poly - centre) * scale + centre + shift
                poly = poly + rng.normal(0, 1.5, poly.shape)
                if rng.random() < 0.1:
                    label = int(rng.integers(NUM_CLASSES))
            else:
                poly = _random_star(rng, width, height)
                label = int(rng.integers(NUM_CLASSES))
            polys.append(_clip(poly, width, height))
            labels.append(label)
        pred = dict(
            img_id=img_id,
            bboxes=np.array([_box_xyxy(p) for p in polys], np.float32),
            scores=rng.uniform(0.05, 1.0, dets_per_image).astype(np.float32),
            labels=np.array(labels, np.int64),
            masks=[_rle(p, width, height) for p in polys])
        results.append((dict(img_id=img_id, width=width, height=height),
                        pred))
    gt = dict(images=images, annotations=annotations, categories=categories)
    return gt, results


def to_coco_detections(results: list) -> List[dict]:
    """COCO result entries (box xywh, score, RLE) of ``results``.

    Category ids are ``label + 1``, as in :func:`make_prediction_set`.
    """
    detections = []
    for _, pred in results:
        for box, score, label, rle in zip(pred['bboxes'], pred['scores'],
                                          pred['labels'], pred['masks']):
            x0, y0, x1, y1 = (float(v) for v in box)
            counts = rle['counts']
            detections.append(dict(
                image_id=pred['img_id'], category_id=int(label) + 1,
                bbox=[x0, y0, x1 - x0, y1 - y0], score=float(score),
                segmentation=dict(
                    size=rle['size'],
                    counts=counts.decode() if isinstance(counts, bytes)
                    else counts)))
    return detections
