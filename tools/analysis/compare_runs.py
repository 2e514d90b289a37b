#!/usr/bin/env python3
"""AP difference of two runs (or two arms of seeds) with its intervals.

Reads the COCO result files a validation or test wrote (``*.bbox.json`` /
``*.segm.json``; set ``val_evaluator.outfile_prefix=WORK_DIR/val_preds``
or ``test_evaluator.outfile_prefix=...``) for the same annotation file,
matches each run's detections per image once, then resamples the images
(the same draw for every run; COCO AP@[.5:.95] recomputed for each draw)
and, when an arm has several runs (seeds of one config, comma-separated),
adds the spread of its seeds, with Student's t for their number
(mmscratch/analysis/bootstrap.py, docs/analysis.md). Prints B - A of the
arms' mean APs with its 95% and 90% intervals, and with --margin the
verdict: equivalent (the 90% interval inside +-margin x A's AP),
different (the 95% one excludes 0) or not shown; two arms of seeds need
3 seeds each for a verdict (one file each compares two models).

Example:
    python tools/analysis/compare_runs.py \\
        --ann-file data/synthetic/annotations/instances_val.json \\
        results/demo/pretrained_16ep_s0/val_preds.bbox.json \\
        results/demo/scratch_16ep_s0/val_preds.bbox.json
"""
import argparse
import json
import os.path as osp
import sys
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

import numpy as np  # noqa: E402

from mmscratch.analysis.bootstrap import (load_gt,  # noqa: E402
                                          load_results, margin_power_text,
                                          per_image_matches,
                                          seed_image_bootstrap)
from mmscratch.analysis.equivalence import (MIN_SEEDS,  # noqa: E402
                                            claim_verdict, enough_seeds)
from mmscratch.cli.launch import run_tool  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('a', help='result JSON of run A (the reference), '
                        'or of its seeds, comma-separated')
    parser.add_argument('b', help='result JSON of run B, or of its seeds')
    parser.add_argument('--ann-file', required=True,
                        help='the COCO annotation file all were run on')
    parser.add_argument('--iou-type', choices=['bbox', 'segm'],
                        help='default: from the file name (.segm.json)')
    parser.add_argument('--margin', type=float,
                        help='equivalence margin, a fraction of A\'s AP '
                        '(the demo declares 0.05)')
    parser.add_argument('--samples', type=int, default=1000)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--json', action='store_true',
                        help='print the figures as one JSON line')
    args = parser.parse_args()
    files = [args.a.split(','), args.b.split(',')]
    iou = args.iou_type or ('segm' if files[0][0].endswith('.segm.json')
                            else 'bbox')
    gt = load_gt(args.ann_file)
    arms = [[per_image_matches(gt, load_results(f, gt), iou) for f in arm]
            for arm in files]
    out = seed_image_bootstrap(arms, (-1, 1), samples=args.samples,
                               seed=args.seed)
    a, b = (float(np.mean(aps)) for aps in out['aps'])
    (low, high), (low90, high90) = (out['intervals'][level]
                                    for level in (0.95, 0.90))
    result = dict(iou_type=iou, a=a, b=b, value=out['value'],
                  interval95=[low, high], interval90=[low90, high90],
                  images=out['images'], seeds=out['seeds'],
                  samples=out['samples'])
    result.update(se=out['se'], df=out['df'],
                  smallest_margin=out['smallest_margin'])
    if args.margin is not None:
        result['margin'] = args.margin * a
        result['verdict'] = claim_verdict(out, result['margin'])
    if args.json:
        print(json.dumps(result))
        return
    seeds = '' if out['seeds'] == [1, 1] else \
        f' and {out["seeds"][0]}+{out["seeds"][1]} seeds'
    print(f'{iou} AP: A {a:.4f}, B {b:.4f}; B - A {out["value"]:+.4f}, '
          f'95% interval [{low:+.4f}, {high:+.4f}], 90% [{low90:+.4f}, '
          f'{high90:+.4f}] (paired bootstrap over {out["images"]} images'
          f'{seeds}, '
          f'{out["samples"]} resamples)')
    if args.margin is not None:
        why = '' if enough_seeds(out['seeds']) else \
            f' (a recipe needs {MIN_SEEDS} seeds per arm)'
        print(f'margin ±{result["margin"]:.4f} ({args.margin:g} x A): '
              f'{result["verdict"]}{why}; the smallest margin these runs '
              f'show: ±{out["smallest_margin"]:.4f}'
              f'{margin_power_text(out, result["margin"])}')


if __name__ == '__main__':
    run_tool(main)
