#!/usr/bin/env python3
"""Print the paper's schedule for your dataset, batch size and multiple.

The paper's rule at batch 16: k x 90k iterations, LR 0.02 divided by 10 at
60k and 20k iterations before the end, whatever k. For another total batch
B the same number of images is seen with iterations x 16/B and the LR
scaled linearly by B/16 (warm-up scaled with the iterations).

Example:
    python tools/analysis/schedule.py --images 118287 --batch 16 --multiple 6
    python tools/analysis/schedule.py --images 5000 --batch 8 --multiple 3x
"""
import argparse
import json
import math
import sys
from dataclasses import asdict, dataclass

BASE_BATCH = 16
BASE_LR = 0.02
UNIT_ITERS = 90_000
DROPS_BEFORE_END = (60_000, 20_000)
WARMUP_ITERS = 1000


@dataclass
class Schedule:
    multiple: float
    batch: int
    max_iters: int
    milestones: tuple
    warmup_iters: int
    lr: float
    images_seen: int
    epochs: float

    def cfg_options(self) -> str:
        """--cfg-options that apply this schedule to an mmscratch config."""
        before_end = [self.max_iters - m for m in self.milestones]
        return ' '.join([
            f'train_cfg.max_iters={self.max_iters}',
            f'param_scheduler.0.end={self.warmup_iters}',
            'param_scheduler.1.before_end='
            f'[{before_end[0]},{before_end[1]}]',
            f'optim_wrapper.optimizer.lr={self.lr:g}',
        ])


def paper_schedule(images: int, batch: int, multiple: float) -> Schedule:
    """The paper's schedule for ``multiple`` x 90k iterations at batch 16,
    converted to a total batch of ``batch`` images."""
    if images <= 0 or batch <= 0 or multiple <= 0:
        raise ValueError('images, batch and multiple must be positive')
    scale = BASE_BATCH / batch
    max_iters = round(multiple * UNIT_ITERS * scale)
    milestones = tuple(max(round(max_iters - d * scale), 1)
                       for d in DROPS_BEFORE_END)
    return Schedule(
        multiple=multiple, batch=batch, max_iters=max_iters,
        milestones=milestones,
        warmup_iters=min(round(WARMUP_ITERS * scale), max_iters),
        lr=BASE_LR * batch / BASE_BATCH,
        images_seen=max_iters * batch,
        epochs=max_iters * batch / images)


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
                        help='training images in your dataset')
    parser.add_argument('--batch', type=int, default=16,
                        help='total batch size (GPUs x images per GPU)')
    parser.add_argument('--multiple', type=parse_multiple, required=True,
                        help='schedule length in units of 90k iterations '
                        'at batch 16 (2, 3x, 6, ...)')
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args()
    try:
        s = paper_schedule(args.images, args.batch, args.multiple)
    except ValueError as err:
        sys.exit(f'error: {err}')
    if args.json:
        print(json.dumps(asdict(s)))
        return
    print(f'{s.multiple:g}x at total batch {s.batch} '
          f'on {args.images:,} images:')
    print(f'  iterations:   {s.max_iters:,}')
    print(f'  LR steps:     {s.milestones[0]:,} and {s.milestones[1]:,} '
          '(LR / 10 each)')
    print(f'  warm-up:      {s.warmup_iters:,} iterations (linear)')
    print(f'  LR:           {s.lr:g} (0.02 x {s.batch}/16)')
    print(f'  images seen:  {s.images_seen:,} ({s.epochs:.1f} epochs)')
    print('  apply with:   --cfg-options ' + s.cfg_options())
    if s.batch != BASE_BATCH:
        print('  note: linearly scaled LRs can diverge in scratch runs at '
              'large batch; lower the LR if the losses explode')
    print('  also set train_cfg.val_interval and '
          'default_hooks.checkpoint.interval to fit the new length')


if __name__ == '__main__':
    main()
