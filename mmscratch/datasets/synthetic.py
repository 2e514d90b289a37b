"""Synthetic COCO-format instance segmentation data.

Images of textured shapes on textured backgrounds, several shapes per image
at varied sizes and rotations, later shapes occluding earlier ones. Masks are
the visible part of each shape, stored as COCO polygons. Everything follows
from the seed, so the same call writes the same files.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np

CATEGORIES = ('circle', 'rectangle', 'triangle', 'star', 'hexagon', 'cross')


def _shape_outline(name: str, size: float, aspect: float,
                   rng: np.random.Generator) -> np.ndarray:
    """Vertices of a shape centred at the origin, before rotation."""
    half = size / 2
    if name == 'circle':
        t = np.linspace(0, 2 * np.pi, 40, endpoint=False)
        return np.stack([np.cos(t), np.sin(t)], 1) * half
    if name == 'rectangle':
        w, h = half, half * aspect
        return np.array([[-w, -h], [w, -h], [w, h], [-w, h]], float)
    if name == 'triangle':
        t = np.pi / 2 + np.array([0, 2, 4]) * np.pi / 3
        return np.stack([np.cos(t), np.sin(t) * aspect], 1) * half
    if name == 'star':
        t = np.linspace(0, 2 * np.pi, 10, endpoint=False)
        r = np.where(np.arange(10) % 2 == 0, 1.0, rng.uniform(0.35, 0.55))
        return np.stack([np.cos(t) * r, np.sin(t) * r], 1) * half
    if name == 'hexagon':
        t = np.arange(6) * np.pi / 3
        return np.stack([np.cos(t), np.sin(t) * aspect], 1) * half
    if name == 'cross':
        a, b = 1.0, rng.uniform(0.3, 0.45)
        pts = [(-b, -a), (b, -a), (b, -b), (a, -b), (a, b), (b, b), (b, a),
               (-b, a), (-b, b), (-a, b), (-a, -b), (-b, -b)]
        return np.array(pts, float) * half
    raise ValueError(f'unknown shape {name!r}; choose from {CATEGORIES}')


def make_texture(h: int, w: int, rng: np.random.Generator,
             strength: float = 1.0) -> np.ndarray:
    """A random colour field: smooth blobs, optional stripes, fine noise.

    ``strength`` scales everything but the base colour (0: flat colour).
    """
    base = rng.uniform(0, 255, 3)
    grid = rng.normal(0, 40, (rng.integers(2, 6), rng.integers(2, 6), 3))
    field = cv2.resize(grid.astype(np.float32), (w, h),
                       interpolation=cv2.INTER_CUBIC)
    img = base + strength * field
    if rng.random() < 0.4:
        period = rng.uniform(4, 16)
        angle = rng.uniform(0, np.pi)
        yy, xx = np.mgrid[0:h, 0:w]
        phase = (xx * np.cos(angle) + yy * np.sin(angle)) / period
        img = img + strength * (np.sin(2 * np.pi * phase)[..., None] *
                                rng.uniform(10, 40, 3))
    img = img + strength * rng.normal(0, rng.uniform(2, 12), (h, w, 3))
    return np.clip(img, 0, 255)


def _visible_polygons(mask: np.ndarray) -> List[List[float]]:
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_EXTERNAL,
                                   cv2.CHAIN_APPROX_SIMPLE)
    return [c.reshape(-1).astype(float).tolist() for c in contours
            if len(c) >= 3]


def render_image(rng: np.random.Generator, height: int, width: int,
                 max_objects: int, size_range: Tuple[float, float],
                 min_visible: float = 0.3,
                 texture: float = 1.0,
                 classes: Sequence[str] = CATEGORIES
                 ) -> Tuple[np.ndarray, List[dict]]:
    """Draw one image and return it with its instances.

    Each instance is a dict with ``category_id`` (1-based index into
    ``classes``), ``mask`` (the visible part, bool HxW) and ``polygons``.
    """
    img = make_texture(height, width, rng, texture)
    masks, cats = [], []
    for _ in range(int(rng.integers(1, max_objects + 1))):
        cat = int(rng.integers(len(classes)))
        size = rng.uniform(*size_range) * min(height, width)
        pts = _shape_outline(classes[cat], size, rng.uniform(0.6, 1.0),
                             rng)
        angle = rng.uniform(0, 2 * np.pi)
        rot = np.array([[np.cos(angle), -np.sin(angle)],
                        [np.sin(angle), np.cos(angle)]])
        centre = rng.uniform([0.1 * width, 0.1 * height],
                             [0.9 * width, 0.9 * height])
        pts = pts @ rot.T + centre
        mask = np.zeros((height, width), np.uint8)
        cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], 1)
        if mask.sum() < 16:
            continue
        region = mask.astype(bool)
        img[region] = make_texture(height, width, rng, texture)[region]
        masks.append(region)
        cats.append(cat)
    instances = []
    covered = np.zeros((height, width), bool)
    for region, cat in reversed(list(zip(masks, cats))):
        visible = region & ~covered
        covered |= region
        if visible.sum() < max(16, min_visible * region.sum()):
            continue  # mostly hidden: not annotated, as in COCO practice
        polygons = _visible_polygons(visible)
        if not polygons:
            continue
        instances.append(
            dict(category_id=cat + 1, mask=visible, polygons=polygons))
    return np.round(img).astype(np.uint8), instances[::-1]


def make_synthetic_coco(out_dir: str,
                        splits: Dict[str, int] = None,
                        image_size: Sequence[int] = (128, 128),
                        max_objects: int = 6,
                        size_range: Tuple[float, float] = (0.15, 0.5),
                        seed: int = 0,
                        texture: float = 1.0,
                        classes: Sequence[str] = CATEGORIES
                        ) -> Dict[str, str]:
    """Write a COCO-format instance segmentation dataset.

    Layout: ``out_dir/{split}/000001.png`` and
    ``out_dir/annotations/instances_{split}.json``.

    Args:
        out_dir (str): folder to write into (created if needed).
        splits (dict[str, int], optional): images per split. Defaults to
            ``{'train': 200, 'val': 50}``.
        image_size (Sequence[int]): (height, width). Defaults to (128, 128).
        max_objects (int): most shapes drawn per image. Defaults to 6.
        size_range (tuple[float, float]): shape size as a fraction of the
            shorter image side. Defaults to (0.15, 0.5).
        seed (int): random seed. Defaults to 0.
        texture (float): strength of the textures, stripes and noise of
            shapes and background; 0 gives flat colours. Defaults to 1.
        classes (Sequence[str]): the shapes drawn, among
            :data:`CATEGORIES` (category ids 1.. in this order). Defaults
            to all of them.

    Returns:
        dict[str, str]: the annotation file written for each split.
    """
    splits = dict(train=200, val=50) if splits is None else dict(splits)
    height, width = (int(v) for v in image_size)
    if height < 32 or width < 32:
        raise ValueError(f'image_size {image_size} is too small; use >= 32')
    if max_objects < 1:
        raise ValueError(f'max_objects must be >= 1, got {max_objects}')
    unknown = [c for c in classes if c not in CATEGORIES]
    if unknown or not classes or len(set(classes)) != len(classes):
        raise ValueError(f'classes {list(classes)}: name each once, among '
                         + ', '.join(CATEGORIES))
    categories = [dict(id=i + 1, name=n, supercategory='shape')
                  for i, n in enumerate(classes)]
    os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
    written = {}
    for split_index, (split, count) in enumerate(splits.items()):
        rng = np.random.default_rng([seed, split_index])
        os.makedirs(osp.join(out_dir, split), exist_ok=True)
        images, annotations = [], []
        for image_id in range(1, int(count) + 1):
            img, instances = render_image(rng, height, width, max_objects,
                                          size_range, texture=texture,
                                          classes=classes)
            file_name = f'{image_id:06d}.png'
            cv2.imwrite(osp.join(out_dir, split, file_name), img[..., ::-1])
            images.append(dict(id=image_id, file_name=file_name,
                               height=height, width=width))
            for inst in instances:
                ys, xs = np.nonzero(inst['mask'])
                x0, y0 = float(xs.min()), float(ys.min())
                annotations.append(dict(
                    id=len(annotations) + 1,
                    image_id=image_id,
                    category_id=inst['category_id'],
                    segmentation=inst['polygons'],
                    area=float(inst['mask'].sum()),
                    bbox=[x0, y0, float(xs.max()) + 1 - x0,
                          float(ys.max()) + 1 - y0],
                    iscrowd=0))
        ann_file = osp.join(out_dir, 'annotations', f'instances_{split}.json')
        with open(ann_file, 'w') as f:
            json.dump(dict(images=images, annotations=annotations,
                           categories=categories), f)
        written[split] = ann_file
    return written


def synthetic_data_options(data_root: str) -> dict:
    """Config keys that point a COCO config at a synthetic dataset.

    For the layout :func:`make_synthetic_coco` writes (``train/``, ``val/``,
    ``annotations/instances_{train,val}.json``); as ``--cfg-options``:
    ``[f'{k}={v}' for k, v in synthetic_data_options(root).items()]``.
    """
    root = data_root.rstrip('/') + '/'
    options = {}
    for loader, split in (('train', 'train'), ('val', 'val'),
                          ('test', 'val')):
        key = f'{loader}_dataloader.dataset'
        options[f'{key}.data_root'] = root
        options[f'{key}.ann_file'] = f'annotations/instances_{split}.json'
        options[f'{key}.data_prefix.img'] = f'{split}/'
    for evaluator in ('val_evaluator', 'test_evaluator'):
        options[f'{evaluator}.ann_file'] = \
            root + 'annotations/instances_val.json'
    return options
