#!/usr/bin/env python3
"""Print the paper's schedule for your dataset, batch size and length.

The paper's rule at batch 16: k x 90k iterations, LR 0.02 divided by 10 at
60k and 20k iterations before the end, whatever k. For another total batch
B the same number of images is seen with iterations x 16/B and the LR
scaled linearly by B/16 (warm-up scaled with the iterations). A run too
short for those steps (under 60k iterations at batch 16) divides the LR at
2/3 and 8/9 of it instead, as RelativeMultiStepLR does. On a small dataset
give the length in epochs: the paper's multiples assume COCO's 118k images.

Example:
    python tools/analysis/schedule.py --images 118287 --batch 16 --multiple 6
    python tools/analysis/schedule.py --images 500 --batch 8 --epochs 100
"""
import argparse
import json
import math
import os.path as osp
import sys
from dataclasses import asdict

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))
from mmscratch.analysis.schedule import (BASE_BATCH,  # noqa: E402
                                         MANY_EPOCHS, paper_schedule)

def parse_multiple(text: str) -> float:
    text = text.lower().rstrip('x')
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'{text!r}: give the multiple as 6 or 6x') from None
    if value <= 0 or math.isnan(value):
        raise argparse.ArgumentTypeError('the multiple must be positive')
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--images', type=int, required=True,
                        help='training images that have annotations (the '
                        'pre-flight, tools/train.py --check-only, prints '
                        'the count)')
    parser.add_argument('--batch', type=int, default=16,
                        help='total batch size (GPUs x images per GPU)')
    length = parser.add_mutually_exclusive_group(required=True)
    length.add_argument('--multiple', type=parse_multiple,
                        help='schedule length in units of 90k iterations '
                        'at batch 16 (2, 3x, 6, ...), as in the paper')
    length.add_argument('--epochs', type=float,
                        help='schedule length in passes over your images '
                        '(for datasets much smaller than COCO)')
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args()
    try:
        s = paper_schedule(args.images, args.batch, args.multiple,
                           args.epochs)
    except ValueError as err:
        sys.exit(f'error: {err}')
    if args.json:
        print(json.dumps(asdict(s)))
        return
    print(f'{s.multiple:.3g}x (of 90k iterations at batch 16) at total '
          f'batch {s.batch} on {args.images:,} images:')
    print(f'  iterations:   {s.max_iters:,}')
    rule = ('60k and 20k iterations at batch 16 before the end' if
            s.rule == 'before_end' else 'at 2/3 and 8/9 of the run: too '
            'short for the paper\'s 60k before the end')
    print(f'  LR steps:     {" and ".join(f"{m:,}" for m in s.milestones)} '
          f'(LR / 10 each; {rule})')
    print(f'  warm-up:      {s.warmup_iters:,} iterations (linear)')
    print(f'  LR:           {s.lr:g} (0.02 x {s.batch}/16: the paper\'s LR '
          'at batch 16, scaled linearly with the batch)')
    print(f'  images seen:  {s.images_seen:,} ({s.epochs:.1f} epochs)')
    print('  apply with:   --cfg-options ' + s.cfg_options())
    if s.batch > BASE_BATCH:
        print(f'  note: above the paper\'s batch of {BASE_BATCH}, linearly '
              'scaled LRs can diverge in scratch runs; lower the LR if the '
              'losses explode')
    elif s.batch < BASE_BATCH:
        print(f'  note: below batch {BASE_BATCH} the scaled LR is the '
              'cautious choice; GN does not depend on the batch, and a '
              'higher LR may train faster (configs/demo trains at 0.02 with '
              'batch 4, chosen for its short CPU runs): try it for a few '
              'hundred iterations first')
    if s.epochs > MANY_EPOCHS:
        print(f'  note: {s.epochs:,.0f} epochs: the paper\'s multiples '
              'assume COCO\'s 118k images; on a small dataset give the '
              'length with --epochs (scratch runs need long schedules, '
              'often hundreds of epochs, but not tens of thousands)')
    print('  also set train_cfg.val_interval and '
          'default_hooks.checkpoint.interval to fit the new length')


if __name__ == '__main__':
    main()
