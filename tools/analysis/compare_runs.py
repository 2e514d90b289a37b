#!/usr/bin/env python3
"""AP difference of two runs with a paired-bootstrap 95% interval.

Reads the COCO result files a validation or test wrote (``*.bbox.json`` /
``*.segm.json``; set ``val_evaluator.outfile_prefix=WORK_DIR/val_preds``
or ``test_evaluator.outfile_prefix=...``) for the same annotation file,
matches each run's detections per image once, then resamples the images
(the same draw for both runs) and recomputes COCO AP@[.5:.95] for each
draw (mmscratch/analysis/bootstrap.py, docs/analysis.md).

Example:
    python tools/analysis/compare_runs.py \\
        --ann-file data/synthetic/annotations/instances_val.json \\
        results/demo/pretrained_4x/val_preds.bbox.json \\
        results/demo/scratch_4x/val_preds.bbox.json
"""
import argparse
import os.path as osp
import sys
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

from mmscratch.analysis.bootstrap import (load_gt,  # noqa: E402
                                          load_results, paired_bootstrap,
                                          per_image_matches)
from mmscratch.cli.launch import run_tool  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('a', help='result JSON of run A (the reference)')
    parser.add_argument('b', help='result JSON of run B')
    parser.add_argument('--ann-file', required=True,
                        help='the COCO annotation file both were run on')
    parser.add_argument('--iou-type', choices=['bbox', 'segm'],
                        help='default: from the file name (.segm.json)')
    parser.add_argument('--samples', type=int, default=1000)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    iou = args.iou_type or ('segm' if args.a.endswith('.segm.json')
                            else 'bbox')
    gt = load_gt(args.ann_file)
    a = per_image_matches(gt, load_results(args.a, gt), iou)
    b = per_image_matches(gt, load_results(args.b, gt), iou)
    out = paired_bootstrap(a, b, samples=args.samples, seed=args.seed)
    print(f'{iou} AP: A {out["a"]:.4f}, B {out["b"]:.4f}; B - A '
          f'{out["diff"]:+.4f}, 95% interval [{out["low"]:+.4f}, '
          f'{out["high"]:+.4f}] (paired bootstrap over {out["images"]} '
          f'images, {out["samples"]} resamples)')


if __name__ == '__main__':
    run_tool(main)
