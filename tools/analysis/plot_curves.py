#!/usr/bin/env python3
"""Figure-1-style curves (AP vs iterations or images) from mmengine runs.

Examples:
    python tools/analysis/plot_curves.py work_dirs/scratch work_dirs/pre \
        --metric coco/bbox_mAP --out fig1.png
    python tools/analysis/plot_curves.py work_dirs/scratch \
        --reference r50_random r50_pretrained --out fig1.png
    python tools/analysis/plot_curves.py RUN_A RUN_B --x images \
        --labels scratch pretrained --out fig2.png
    python tools/analysis/plot_curves.py RUN --metric loss --out loss.png
"""
import argparse
import os.path as osp
import sys
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

from mmscratch.analysis import run_lr_steps  # noqa: E402
from mmscratch.runs import (config_name, images_at, lr_drops,  # noqa: E402
                            paper_reference, plot_curves, read_run)
from mmscratch.utils.errors import UserInputError
from mmscratch.cli.launch import run_tool

XLABELS = dict(iter='iterations', images='images seen', epoch='epochs')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='+', help='work dirs of runs')
    parser.add_argument('--metric', default='coco/bbox_mAP',
                        help='validation metric (default coco/bbox_mAP) or '
                        'training scalar (loss, loss_rpn_cls, lr, ...)')
    parser.add_argument('--x', choices=list(XLABELS), default='iter',
                        help='x axis; images and epoch need the runs\' '
                        'budget/images (ComputeBudgetHook)')
    parser.add_argument('--epoch-size', type=int,
                        help='training images per epoch, for --x epoch')
    parser.add_argument('--labels', nargs='+', help='legend labels')
    parser.add_argument('--reference', nargs='*', default=[],
                        help='paper Table 1 rows to mark, e.g. r50_random '
                        'r50_pretrained (bbox AP, x in iterations)')
    parser.add_argument('--out', default='curves.png', help='PNG to write')
    parser.add_argument('--title', help='figure title')
    return parser.parse_args()


def curves_from_runs(runs, metric, x='iter', labels=None, epoch_size=None):
    """(label -> points, LR drop x positions) for the given work dirs."""
    if labels and len(labels) != len(runs):
        raise UserInputError(f'{len(labels)} --labels for {len(runs)} runs; '
                             'give one label per run')
    if x == 'epoch' and not epoch_size:
        raise UserInputError('--x epoch needs --epoch-size (training images '
                             'per epoch)')
    curves, drops = {}, []
    for i, work_dir in enumerate(runs):
        run = read_run(work_dir)
        points = run.metric(metric) or run.train_metric(metric)
        if not points:
            val = [m for m in run.metric_names() if '/' in m]
            raise UserInputError(
                f'{work_dir} logged no {metric}; validation metrics: '
                f'{", ".join(val) or "none yet"}; training scalars: '
                f'{", ".join(run.train_metric_names()) or "none yet"}')
        steps, values = zip(*points)
        # where the LR dropped: from the logged LR when the run logged it
        # (a resume may have moved the steps of the last dumped config)
        run_drops = lr_drops(run) if run.train_metric('lr') else \
            run_lr_steps(work_dir) or []
        # only drops that happened: inside the logged part of the run
        run_drops = [d for d in run_drops if 0 < d <= steps[-1]]
        if x == 'iter':
            xs = list(steps)
        else:
            xs = images_at(run, list(steps))
            run_drops = images_at(run, run_drops) if run_drops else []
            if x == 'epoch':
                xs = [v / epoch_size for v in xs]
                run_drops = [v / epoch_size for v in run_drops]
        label = labels[i] if labels else config_name(work_dir)
        if label in curves:
            label = f'{label} ({work_dir})'
        curves[label] = list(zip(xs, values))
        drops += run_drops
    return curves, drops


def reference_points(rows, metric, x):
    """The paper's Table 1 points for the given rows."""
    if not rows:
        return {}
    if metric != 'coco/bbox_mAP' or x != 'iter':
        raise UserInputError('--reference marks Table 1 (bbox AP at '
                             'iterations): use it with --metric '
                             'coco/bbox_mAP and --x iter')
    table = paper_reference()['table1_bbox']
    out = {}
    for row in rows:
        if row not in table['rows']:
            raise UserInputError(f'--reference {row}: choose from '
                                 f'{", ".join(table["rows"])}')
        out[f'paper {row}'] = sorted(
            (table['schedules'][s], v) for s, v in table['rows'][row].items())
    return out


def main():
    args = parse_args()
    curves, drops = curves_from_runs(args.runs, args.metric, args.x,
                                     args.labels, args.epoch_size)
    reference = reference_points(args.reference, args.metric, args.x)
    plot_curves(curves, args.out, lr_drops=drops, xlabel=XLABELS[args.x],
                ylabel=args.metric, title=args.title, reference=reference)
    print(f'wrote {args.out}: {len(curves)} run(s), {len(reference)} '
          f'reference row(s), {len(set(drops))} LR drop(s)')


if __name__ == '__main__':
    run_tool(main)
