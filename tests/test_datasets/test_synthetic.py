import json
import os.path as osp

import numpy as np
import pytest
from pycocotools.coco import COCO

from mmscratch.datasets import CATEGORIES, make_synthetic_coco


def _read(path):
    with open(path) as f:
        return json.load(f)


def test_writes_coco_files_that_pycocotools_reads(tmp_path):
    written = make_synthetic_coco(str(tmp_path), dict(train=10, val=4),
                                  image_size=(64, 80), seed=1)
    assert set(written) == {'train', 'val'}
    coco = COCO(written['train'])
    assert len(coco.imgs) == 10
    assert [c['name'] for c in coco.loadCats(coco.getCatIds())] == \
        list(CATEGORIES)
    assert len(coco.anns) >= 10  # at least one visible shape per image
    for img in coco.imgs.values():
        assert (img['height'], img['width']) == (64, 80)
        assert osp.isfile(osp.join(tmp_path, 'train', img['file_name']))
    for ann in coco.anns.values():
        x, y, w, h = ann['bbox']
        assert w > 0 and h > 0 and x >= 0 and y >= 0
        assert x + w <= 80 and y + h <= 64
        mask = coco.annToMask(ann)
        assert mask.sum() > 0
        ys, xs = np.nonzero(mask)
        # the polygon lies inside the box (1 px of rasterisation slack)
        assert xs.min() >= x - 1 and xs.max() <= x + w + 1
        assert ys.min() >= y - 1 and ys.max() <= y + h + 1


def test_same_seed_same_data_other_seed_other_data(tmp_path):
    a = make_synthetic_coco(str(tmp_path / 'a'), dict(train=5), seed=7)
    b = make_synthetic_coco(str(tmp_path / 'b'), dict(train=5), seed=7)
    c = make_synthetic_coco(str(tmp_path / 'c'), dict(train=5), seed=8)
    assert _read(a['train']) == _read(b['train'])
    assert _read(a['train']) != _read(c['train'])
    img_a = (tmp_path / 'a' / 'train' / '000001.png').read_bytes()
    img_b = (tmp_path / 'b' / 'train' / '000001.png').read_bytes()
    assert img_a == img_b


def _boxes_overlap(a, b):
    return (min(a[0] + a[2], b[0] + b[2]) > max(a[0], b[0])
            and min(a[1] + a[3], b[1] + b[3]) > max(a[1], b[1]))


def test_occluded_masks_do_not_overlap(tmp_path):
    written = make_synthetic_coco(str(tmp_path), dict(train=30),
                                  max_objects=8, seed=2)
    coco = COCO(written['train'])
    overlaps = 0
    stacked = 0  # pairs whose boxes overlap: one shape lies over the other
    for img_id in coco.imgs:
        anns = coco.loadAnns(coco.getAnnIds(imgIds=img_id))
        masks = [coco.annToMask(a).astype(bool) for a in anns]
        for i in range(len(masks)):
            for j in range(i + 1, len(masks)):
                overlaps += int((masks[i] & masks[j]).sum())
                stacked += _boxes_overlap(anns[i]['bbox'], anns[j]['bbox'])
    # polygons of touching visible regions may share boundary pixels only
    assert overlaps < 0.02 * sum(a['area'] for a in coco.anns.values())
    assert stacked > 0
    assert len({a['category_id'] for a in coco.anns.values()}) == \
        len(CATEGORIES)


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError, match='too small'):
        make_synthetic_coco(str(tmp_path), dict(train=1), image_size=(8, 8))
    with pytest.raises(ValueError, match='max_objects'):
        make_synthetic_coco(str(tmp_path), dict(train=1), max_objects=0)
