"""``benchmark.py hooks``: step time with and without the analysis hooks.

Trains the demo config twice per round, once with ScratchAuditHook,
ComputeBudgetHook and ConvergenceHook and once without (the reliability
hooks run in both arms), alternating so that the machine's drift cancels,
and times the hooks' own callbacks inside the hooked runs.
"""
import json
import os
import os.path as osp
import tempfile

from ..engine import ComputeBudgetHook, ConvergenceHook, ScratchAuditHook
from .common import (ab_figures, ab_lines, add_ab_arguments, demo_config,
                     demo_data, emit, timed_training)

TIMED = (ScratchAuditHook, ComputeBudgetHook, ConvergenceHook)
CALLBACKS = ('before_train', 'after_train_iter', 'before_val_epoch',
             'after_val_epoch', 'before_save_checkpoint', 'after_run')


def add_arguments(parser) -> None:
    add_ab_arguments(parser, rounds=3)


def run_once(data, work_dir, iters, warmup, hooks):
    """(step times, seconds inside the analysis hooks) of one run."""
    table = osp.join(work_dir, 'baseline.json')
    cfg = demo_config(data, work_dir, {'train_cfg.max_iters': warmup + iters})
    if hooks:
        cfg.merge_from_dict({
            'default_hooks.compute_budget.interval': 10,
            'default_hooks.convergence': dict(
                type='ConvergenceHook', baseline=table, x='images')})
    else:
        for key in ('scratch_audit', 'compute_budget', 'convergence'):
            cfg.default_hooks.pop(key, None)
    os.makedirs(work_dir, exist_ok=True)
    with open(table, 'w') as f:
        json.dump(dict(x='images', metrics={
            'coco/bbox_mAP': [[0, 0.1], [1e6, 0.5]],
            'coco/segm_mAP': [[0, 0.1], [1e6, 0.5]]}), f)
    return timed_training(cfg, warmup, {cls: CALLBACKS for cls in TIMED})


def run(args) -> None:
    off, on, inside = [], [], 0.0
    with tempfile.TemporaryDirectory() as tmp:
        data = demo_data(tmp)
        for r in range(args.rounds):
            times, _ = run_once(data, osp.join(tmp, f'off{r}'), args.iters,
                                args.warmup, hooks=False)
            off += times
            times, spent = run_once(data, osp.join(tmp, f'on{r}'),
                                    args.iters, args.warmup, hooks=True)
            on += times
            inside += spent
    # the hooks' own time over all hooked runs (set-up included) against
    # the training time of those runs
    result = ab_figures(off, on, inside)
    emit(args, result, [f'demo config, {len(on)} timed iterations per arm']
         + ab_lines(result, 'without hooks', 'with hooks   ', 'the hooks'))
