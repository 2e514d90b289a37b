"""``benchmark.py preflight``: the pre-flight checks on a COCO-sized set.

Writes a synthetic ``instances_train2017.json`` of COCO's size (118,287
images, 860,001 annotations with polygon masks, the 80 COCO categories;
about the size of the real file) and one small JPEG per image with the
header size the file states, then runs the checks ``tools/train.py`` runs
before the first step (``mmscratch.cli.data_check.check_data``) on the
flagship config pointed at it: sampled image headers (the default) and
every header (``--check-all-images``); the time and peak memory of each.
"""
import io
import json
import os
import os.path as osp
import time

import numpy as np

from ..utils.checkout import REPO
from .common import emit, peak_gib

COCO_TRAIN = dict(images=118287, annotations=860001)
SIZES = [(640, 480), (640, 427), (480, 640), (500, 375), (640, 426)]


def write_dataset(out: str, images: int, annotations: int,
                  seed: int = 0) -> str:
    """Write the annotation file and the image files; return the JSON's
    path. Image files of one size share their bytes (written once each)."""
    from mmdet.datasets import CocoDataset
    from PIL import Image
    rng = np.random.default_rng(seed)
    img_dir = osp.join(out, 'train2017')
    os.makedirs(img_dir, exist_ok=True)
    os.makedirs(osp.join(out, 'annotations'), exist_ok=True)
    encoded = []
    for w, h in SIZES:
        buf = io.BytesIO()
        Image.new('RGB', (w, h), (120, 110, 100)).save(buf, 'JPEG')
        encoded.append(buf.getvalue())
    records = []
    for i in range(images):
        k = i % len(SIZES)
        name = f'{i + 1:012d}.jpg'
        with open(osp.join(img_dir, name), 'wb') as f:
            f.write(encoded[k])
        records.append(dict(id=i + 1, file_name=name, width=SIZES[k][0],
                            height=SIZES[k][1]))
    classes = CocoDataset.METAINFO['classes']
    anns = []
    owners = rng.integers(0, images, annotations)
    points = rng.integers(6, 40, annotations)
    for a in range(annotations):
        img = records[owners[a]]
        w, h = img['width'], img['height']
        x, y = rng.uniform(0, w - 40), rng.uniform(0, h - 40)
        bw, bh = rng.uniform(2, w - x), rng.uniform(2, h - y)
        poly = np.round(np.stack(
            [x + bw * rng.random(points[a]), y + bh * rng.random(points[a])],
            1).ravel(), 2).tolist()
        anns.append(dict(
            id=a + 1, image_id=img['id'], category_id=int(a % 80) + 1,
            iscrowd=0, area=round(bw * bh / 2, 2),
            bbox=[round(x, 2), round(y, 2), round(bw, 2), round(bh, 2)],
            segmentation=[poly]))
    path = osp.join(out, 'annotations', 'instances_train2017.json')
    with open(path, 'w') as f:
        json.dump(dict(images=records, annotations=anns, categories=[
            dict(id=i + 1, name=n, supercategory='') for i, n in
            enumerate(classes)]), f)
    return path


def time_checks(data_root: str, all_images: bool) -> float:
    from mmscratch.cli.config import load_config
    from mmscratch.cli.data_check import check_data
    cfg = load_config(
        osp.join(REPO, 'configs/scratch/mask_rcnn_r50_gn_6x.py'),
        {'train_dataloader.dataset.data_root': data_root})
    start = time.perf_counter()
    check_data(cfg, ['train_dataloader'], all_images=all_images)
    return time.perf_counter() - start


def add_arguments(parser) -> None:
    parser.add_argument('--out', required=True,
                        help='folder for the dataset (about 1 GB)')
    parser.add_argument('--images', type=int, default=COCO_TRAIN['images'])
    parser.add_argument('--annotations', type=int,
                        default=COCO_TRAIN['annotations'])
    parser.add_argument('--repeats', type=int, default=2)


def run(args) -> None:
    path = osp.join(args.out, 'annotations', 'instances_train2017.json')
    if not osp.isfile(path):
        start = time.perf_counter()
        write_dataset(args.out, args.images, args.annotations)
        lines = [f'wrote {path} ({osp.getsize(path) / 2**20:.0f} MiB) and '
                 f'{args.images} images in '
                 f'{time.perf_counter() - start:.0f} s']
    else:
        lines = [f'reusing {path} ({osp.getsize(path) / 2**20:.0f} MiB)']
    result = dict(annotation_file=path)
    for all_images in (False, True):
        times = [time_checks(args.out.rstrip('/') + '/', all_images)
                 for _ in range(args.repeats)]
        what = 'every image header' if all_images else \
            'sampled image headers'
        result['all_headers_s' if all_images else 'sampled_headers_s'] = \
            times
        lines.append(f'pre-flight, {what}: ' +
                     ', '.join(f'{t:.1f} s' for t in times))
    result['peak_gib'] = peak_gib()
    lines.append(f'peak memory of this process: {result["peak_gib"]:.1f} '
                 'GiB')
    emit(args, result, lines)

