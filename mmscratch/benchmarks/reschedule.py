"""``benchmark.py reschedule``: a changed schedule re-stepped on resume.

A resume whose config changes the LR or the schedule rebuilds the
schedulers and steps them to the resumed iteration. Timed here for the
paper's 6x schedule (warm-up of 500 iterations, ``RelativeMultiStepLR``
steps 60k and 20k before 540k) on 223 param groups (the configs'
``paramwise_cfg`` gives each of Mask R-CNN R50-FPN's 223 weights a group of
its own): every ``step()`` call as a plain loop,
against ``fast_forward``, which counts the calls that set no value; both
reach the same LR (checked).
"""
import time
import warnings

import torch
from mmengine.optim import LinearLR, OptimWrapper
from torch import nn

from ..engine.schedulers import RelativeMultiStepLR
from ..engine.schedulers.fast_forward import fast_forward
from .common import emit


def add_arguments(parser) -> None:
    parser.add_argument('--iters', type=int, nargs='+',
                        default=[10000, 480000],
                        help='resumed iterations of the 6x schedule')
    parser.add_argument('--groups', type=int, default=223,
                        help='param groups of the optimizer')


def paper_6x(groups):
    optim = OptimWrapper(torch.optim.SGD(
        [dict(params=[nn.Parameter(torch.zeros(1))]) for _ in range(groups)],
        lr=0.02, momentum=0.9))
    return optim, [
        LinearLR(optim, start_factor=0.001, by_epoch=False, begin=0,
                 end=500),
        RelativeMultiStepLR(optim, before_end=[60000, 20000],
                            by_epoch=False, begin=0, end=540000)]


def plain(schedulers, steps) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)
        for _ in range(steps):
            for scheduler in schedulers:
                scheduler.step()


def timed(method, steps, groups):
    optim, schedulers = paper_6x(groups)
    start = time.perf_counter()
    method(schedulers, steps)
    return time.perf_counter() - start, optim.param_groups[0]['lr']


def run(args) -> None:
    rows, lines = [], [f're-stepping the 6x schedule ({args.groups} param '
                       'groups) to the resumed iteration (seconds)']
    for steps in args.iters:
        loop, lr = timed(plain, steps, args.groups)
        fast, fast_lr = timed(fast_forward, steps, args.groups)
        if fast_lr != lr:
            raise RuntimeError(f'fast_forward gives LR {fast_lr} at {steps}'
                               f', the loop {lr}')
        rows.append(dict(iters=steps, loop_s=loop, fast_forward_s=fast,
                         lr=lr))
        lines.append(f'  iteration {steps:>7}: loop {loop:.3f} s, '
                     f'fast_forward {fast:.4f} s (LR {lr:g})')
    emit(args, dict(rows=rows), lines)
