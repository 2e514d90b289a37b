"""``benchmark.py coco-eval``: mmdet's CocoMetric against FastCocoMetric.

Makes a synthetic ground truth and detector output (boxes and RLE masks,
``--dets`` detections per image), then evaluates it (bbox and segm, as a
validation does) with mmdet's ``CocoMetric`` (pycocotools), with
``FastCocoMetric`` on pycocotools and with ``FastCocoMetric`` on
faster-coco-eval, in rotating order over ``--repeats`` rounds: each one's
time, the speed-up over mmdet's metric, and the largest difference of the
12 COCO statistics between the two libraries. Exits 1 if they differ by
more than 5e-5 (4 decimals) or if any logged metric differs.
"""
import contextlib
import copy
import io
import json
import os.path as osp
import statistics
import tempfile
import time

import numpy as np
from mmdet.evaluation.metrics import CocoMetric
from mmengine.logging import MMLogger

from ..evaluation import FastCocoMetric, make_prediction_set
from ..evaluation.fast_coco_metric import TOLERANCE, faster_coco_eval_version
from ..utils.errors import UserInputError
from .common import emit

# (label, backend or None for mmdet's own CocoMetric)
SUBJECTS = (('mmdet CocoMetric (pycocotools)', None),
            ('FastCocoMetric, pycocotools', 'pycocotools'),
            ('FastCocoMetric, faster-coco-eval', 'faster_coco_eval'))
HEADLINE = ('AP', 'AP50', 'AP75')  # the first COCO statistics, printed


def add_arguments(parser) -> None:
    parser.add_argument('--images', type=int, default=5000)
    parser.add_argument('--dets', type=int, default=20,
                        help='detections (with masks) per image')
    parser.add_argument('--repeats', type=int, default=1,
                        help='rounds; each runs both libraries')
    parser.add_argument('--seed', type=int, default=0)


def evaluate(backend, ann_file, classes, results):
    """(seconds, metrics, {iou_type: 12 stats}) of one bbox+segm run."""
    results = copy.deepcopy(results)  # the metric edits what it is given
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the libraries' chatter
        if backend is None:
            metric = CocoMetric(ann_file=ann_file, metric=['bbox', 'segm'])
        else:
            metric = FastCocoMetric(ann_file=ann_file,
                                    metric=['bbox', 'segm'], backend=backend)
        metric.dataset_meta = dict(classes=classes)
        metrics = metric.compute_metrics(results)
    return (time.perf_counter() - start, metrics,
            getattr(metric, 'full_stats', None))


def run(args) -> int:
    if args.images < 1 or args.dets < 1 or args.repeats < 1:
        raise UserInputError('--images, --dets and --repeats must be >= 1')
    if faster_coco_eval_version() is None:
        raise UserInputError('faster-coco-eval is not installed; '
                             '`pip install faster-coco-eval`')
    # mmdet's metric logs each summary; keep the console to our figures
    MMLogger.get_instance('benchmark_coco_eval', log_level='WARNING')
    start = time.perf_counter()
    gt, results = make_prediction_set(args.images, args.dets, args.seed)
    made_s = time.perf_counter() - start
    classes = [c['name'] for c in gt['categories']]
    times = {label: [] for label, _ in SUBJECTS}
    metrics, stats = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        ann_file = osp.join(tmp, 'gt.json')
        with open(ann_file, 'w') as f:
            json.dump(gt, f)
        for round_ in range(args.repeats):
            shift = round_ % len(SUBJECTS)  # rotate the order each round
            for label, backend in SUBJECTS[shift:] + SUBJECTS[:shift]:
                seconds, metrics[label], full = evaluate(
                    backend, ann_file, classes, results)
                times[label].append(seconds)
                if full is not None:
                    stats[backend] = full
    median = {label: statistics.median(t) for label, t in times.items()}
    base, fast = SUBJECTS[0][0], SUBJECTS[-1][0]
    diffs = {t: np.abs(stats['faster_coco_eval'][t] - stats['pycocotools'][t])
             for t in ('bbox', 'segm')}
    max_diff = max(float(d.max()) for d in diffs.values())
    same_logged = all(m == metrics[base] for m in metrics.values())
    result = dict(
        images=args.images, dets_per_image=args.dets,
        annotations=len(gt['annotations']),
        detections=args.images * args.dets, repeats=args.repeats,
        faster_coco_eval=faster_coco_eval_version(),
        seconds=times, median_s=median,
        speedup=median[base] / median[fast],
        stats={b: {t: s.tolist() for t, s in v.items()}
               for b, v in stats.items()},
        max_abs_diff=max_diff, same_to_4_decimals=max_diff <= TOLERANCE,
        same_logged_metrics=same_logged)
    lines = [
        f'{args.images} images, {result["annotations"]} ground-truth '
        f'objects, {result["detections"]} detections with masks '
        f'(made in {made_s:.1f} s); bbox + segm, {args.repeats} '
        f'round(s); faster-coco-eval {result["faster_coco_eval"]}']
    for label, _ in SUBJECTS:
        lines.append(f'  {label:<34} {median[label]:8.2f} s  (runs: '
                     + ', '.join(f'{t:.2f}' for t in times[label]) + ')')
    lines.append(f'speed-up of FastCocoMetric (faster-coco-eval) over '
                 f'mmdet CocoMetric: {result["speedup"]:.2f}x')
    for iou_type in ('bbox', 'segm'):
        ref = stats['pycocotools'][iou_type]
        lines.append(f'{iou_type:<4} ' + '  '.join(
            f'{n} {v:.4f}' for n, v in zip(HEADLINE, ref))
            + f'  (largest difference of the 12 statistics between '
            f'the libraries: {diffs[iou_type].max():.1e})')
    lines.append('same statistics to 4 decimals: '
                 + ('yes' if result['same_to_4_decimals'] else 'NO')
                 + '; same logged metrics: '
                 + ('yes' if same_logged else 'NO'))
    emit(args, result, lines)
    return 0 if result['same_to_4_decimals'] and same_logged else 1
