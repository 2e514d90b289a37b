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
from dataclasses import asdict, dataclass

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(
    __file__)))))
from mmscratch.engine.schedulers.relative_multi_step_lr import (  # noqa: E402
    relative_steps)

BASE_BATCH = 16
BASE_LR = 0.02
UNIT_ITERS = 90_000
DROPS_BEFORE_END = (60_000, 20_000)
WARMUP_ITERS = 1000
# a warm-up is kept under this share of the run
MAX_WARMUP_SHARE = 0.1
# more epochs than this: the multiple was probably meant for COCO
MANY_EPOCHS = 1000


@dataclass
class Schedule:
    multiple: float
    batch: int
    max_iters: int
    milestones: tuple
    rule: str
    warmup_iters: int
    lr: float
    images_seen: int
    epochs: float

    def cfg_options(self) -> str:
        """--cfg-options that apply this schedule to an mmscratch config.

        The configs' RelativeMultiStepLR places its steps from max_iters
        by itself; only the paper's steps at another batch size need their
        distances from the end scaled (the less-data, VOC and demo configs
        step at fractions of the run and need no option)."""
        options = [f'train_cfg.max_iters={self.max_iters}',
                   f'param_scheduler.0.end={self.warmup_iters}',
                   f'optim_wrapper.optimizer.lr={self.lr:g}']
        if self.rule == 'before_end' and self.batch != BASE_BATCH:
            before_end = [self.max_iters - m for m in self.milestones]
            options.insert(2, 'param_scheduler.1.before_end='
                           f'[{before_end[0]},{before_end[1]}]')
        return ' '.join(options)


def paper_schedule(images: int, batch: int, multiple: float = None,
                   epochs: float = None) -> Schedule:
    """The paper's schedule for ``multiple`` x 90k iterations at batch 16
    (or for ``epochs`` passes over ``images``), converted to a total batch
    of ``batch`` images."""
    if (multiple is None) == (epochs is None):
        raise ValueError('give the length as a multiple or in epochs')
    length = multiple if multiple is not None else epochs
    if images <= 0 or batch <= 0 or length <= 0:
        raise ValueError('images, batch and the length must be positive')
    scale = BASE_BATCH / batch
    if multiple is not None:
        max_iters = round(multiple * UNIT_ITERS * scale)
    else:
        max_iters = max(1, math.ceil(epochs * images / batch))
    steps, rule = relative_steps(
        max_iters, [round(d * scale) for d in DROPS_BEFORE_END])
    warmup = min(round(WARMUP_ITERS * scale),
                 max(1, round(MAX_WARMUP_SHARE * max_iters)))
    return Schedule(
        multiple=max_iters * batch / (UNIT_ITERS * BASE_BATCH), batch=batch,
        max_iters=max_iters, milestones=tuple(steps), rule=rule,
        warmup_iters=warmup, lr=BASE_LR * batch / BASE_BATCH,
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
    print(f'  LR:           {s.lr:g} (0.02 x {s.batch}/16)')
    print(f'  images seen:  {s.images_seen:,} ({s.epochs:.1f} epochs)')
    print('  apply with:   --cfg-options ' + s.cfg_options())
    if s.batch != BASE_BATCH:
        print('  note: linearly scaled LRs can diverge in scratch runs at '
              'large batch; lower the LR if the losses explode')
    if s.epochs > MANY_EPOCHS:
        print(f'  note: {s.epochs:,.0f} epochs: the paper\'s multiples '
              'assume COCO\'s 118k images; on a small dataset give the '
              'length with --epochs (scratch runs need long schedules, '
              'often hundreds of epochs, but not tens of thousands)')
    print('  also set train_cfg.val_interval and '
          'default_hooks.checkpoint.interval to fit the new length')


if __name__ == '__main__':
    main()
