#!/usr/bin/env python3
"""Training-step time with and without the mmscratch hooks (CPU demo).

Trains the demo config twice per round, once with ScratchAuditHook +
ComputeBudgetHook + ConvergenceHook and once without, alternating so that
the machine's drift cancels, and also times the hooks' own callbacks inside
the hooked runs. Prints median s/iter of each, the ratio, and the hooks'
measured share of the step time.

Example:
    python tools/analysis/hook_overhead.py --iters 30 --rounds 3
"""
import argparse
import json
import os.path as osp
import statistics
import sys
import tempfile
import time
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

import mmscratch  # noqa: E402,F401
from mmengine.hooks import Hook  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmscratch.cli.config import load_config  # noqa: E402
from mmscratch.datasets import (make_synthetic_coco,  # noqa: E402
                                synthetic_data_options)
from mmscratch.engine import (ComputeBudgetHook,  # noqa: E402
                              ConvergenceHook, ScratchAuditHook)

# the plugin's analysis hooks (the reliability hooks run in both arms)
TIMED = (ScratchAuditHook, ComputeBudgetHook, ConvergenceHook)

CONFIG = osp.join(ROOT, 'configs/demo/mask_rcnn_r18_gn_synthetic.py')
HOOKED = ('before_train', 'after_train_iter', 'before_val_epoch',
          'after_val_epoch', 'before_save_checkpoint', 'after_run')


class StepTimer(Hook):
    """Wall time of every training iteration after ``warmup``."""
    priority = 'LOWEST'

    def __init__(self, warmup):
        self.warmup = warmup
        self.times = []
        self._t = None

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self._t = time.perf_counter()

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if runner.iter >= self.warmup:
            self.times.append(time.perf_counter() - self._t)


def time_hook_methods(hook, spent):
    """Wrap the hook's callbacks to add their wall time to ``spent``."""
    for name in HOOKED:
        method = getattr(hook, name, None)
        if method is None:
            continue

        def timed(*args, _m=method, **kwargs):
            t = time.perf_counter()
            try:
                return _m(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - t
        setattr(hook, name, timed)


def run_once(data, work_dir, iters, warmup, hooks):
    cfg = load_config(CONFIG)
    cfg.merge_from_dict(synthetic_data_options(data))
    cfg.merge_from_dict({
        'train_cfg.max_iters': warmup + iters,
        'train_cfg.val_begin': 10 ** 9,
        'default_hooks.checkpoint.interval': 10 ** 9,
        'default_hooks.logger.interval': 10,
        'log_level': 'WARNING',
        'randomness.seed': 0,
    })
    cfg.work_dir = work_dir
    # one visualizer (and log folder) per Runner of this process
    cfg.visualizer.name = f'visualizer_{osp.basename(work_dir)}'
    table = osp.join(work_dir, 'baseline.json')
    if hooks:
        cfg.merge_from_dict({
            'default_hooks.compute_budget.interval': 10,
            'default_hooks.convergence': dict(
                type='ConvergenceHook', baseline=table, x='images')})
    else:  # the reliability hooks stay in both arms
        for key in ('scratch_audit', 'compute_budget', 'convergence'):
            cfg.default_hooks.pop(key, None)
    import os
    os.makedirs(work_dir, exist_ok=True)
    with open(table, 'w') as f:
        json.dump(dict(x='images', metrics={
            'coco/bbox_mAP': [[0, 0.1], [1e6, 0.5]],
            'coco/segm_mAP': [[0, 0.1], [1e6, 0.5]]}), f)
    runner = Runner.from_cfg(cfg)
    timer = StepTimer(warmup)
    runner.register_hook(timer)
    spent = [0.0]
    for hook in runner.hooks:
        if isinstance(hook, TIMED):
            time_hook_methods(hook, spent)
    runner.train()
    return timer.times, spent[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--iters', type=int, default=30,
                        help='timed iterations per run')
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--rounds', type=int, default=3,
                        help='alternating (without, with) pairs')
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = osp.join(tmp, 'data')
        make_synthetic_coco(data, dict(train=64, val=4), seed=0)
        off, on, hook_time = [], [], 0.0
        for r in range(args.rounds):
            times, _ = run_once(data, osp.join(tmp, f'off{r}'), args.iters,
                                args.warmup, hooks=False)
            off += times
            times, spent = run_once(data, osp.join(tmp, f'on{r}'),
                                    args.iters, args.warmup, hooks=True)
            on += times
            hook_time += spent
    med_off, med_on = statistics.median(off), statistics.median(on)
    # the hooks' own time over all hooked runs (set-up included) against
    # the total training time of those runs
    share = hook_time / sum(on)
    result = dict(s_per_iter_without=med_off, s_per_iter_with=med_on,
                  ratio_with_over_without=med_on / med_off,
                  hook_time_share=share, iters=len(on))
    if args.json:
        print(json.dumps(result))
        return
    print(f'without hooks: {med_off:.4f} s/iter (median of {len(off)})')
    print(f'with hooks:    {med_on:.4f} s/iter (median of {len(on)})')
    print(f'ratio with/without: {med_on / med_off:.4f}')
    print(f'time inside the hooks: {100 * share:.3f}% of training time')


if __name__ == '__main__':
    main()
