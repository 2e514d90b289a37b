#!/usr/bin/env python3
"""Cost of PreemptionHook's per-iteration agreement on two gloo ranks.

Trains the demo config on two CPU processes (gloo), alternating runs with
the hook checking every iteration (its default) and with it switched off
(``signals=[]``), and times the hook's ``all_reduce`` inside the checking
runs. Prints median s/iter of each arm, their ratio, and the agreement's
share of the step time, measured in the same runs.

Example:
    python tools/analysis/benchmark_preemption.py --iters 30 --rounds 2
"""
import argparse
import json
import os
import os.path as osp
import socket
import statistics
import sys
import tempfile
import time
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)

import torch.multiprocessing as mp  # noqa: E402

CONFIG = osp.join(ROOT, 'configs/demo/mask_rcnn_r18_gn_synthetic.py')


def run_once(data, work_dir, iters, warmup, check):
    """(step times, seconds inside agree()) of one run of this rank."""
    from mmengine.hooks import Hook
    from mmengine.runner import Runner

    from mmscratch.cli.config import load_config
    from mmscratch.cli.launch import prepare_launcher
    from mmscratch.datasets import synthetic_data_options
    from mmscratch.engine import PreemptionHook

    class StepTimer(Hook):
        priority = 'HIGHEST'

        def __init__(self):
            self.times, self._t = [], None

        def before_train_iter(self, runner, batch_idx, data_batch=None):
            self._t = time.perf_counter()

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            if runner.iter >= warmup:
                self.times.append(time.perf_counter() - self._t)

    cfg = load_config(CONFIG)
    cfg.merge_from_dict(synthetic_data_options(data))
    cfg.merge_from_dict({
        'train_cfg.max_iters': warmup + iters,
        'train_cfg.val_begin': 10 ** 9,
        'default_hooks.checkpoint.interval': 10 ** 9,
        'default_hooks.logger.interval': 10,
        'default_hooks.preemption.signals': ['SIGTERM', 'SIGINT', 'SIGUSR1']
        if check else [],
        'log_level': 'WARNING',
        'randomness.seed': 0,
    })
    cfg.work_dir = work_dir
    cfg.visualizer.name = f'visualizer_{osp.basename(work_dir)}'
    prepare_launcher(cfg, 'pytorch')
    runner = Runner.from_cfg(cfg)
    timer = StepTimer()
    runner.register_hook(timer)
    spent = [0.0]
    for hook in runner.hooks:
        if isinstance(hook, PreemptionHook):
            agree = hook.agree

            def timed(*args, _agree=agree, **kwargs):
                t = time.perf_counter()
                try:
                    return _agree(*args, **kwargs)
                finally:
                    spent[0] += time.perf_counter() - t
            hook.agree = timed
    runner.train()
    # the agreement's time, counted like the step times (after warm-up)
    return timer.times, spent[0] * len(timer.times) / (warmup + iters)


def rank_main(rank, port, data, tmp, args, out):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port),
                      RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE='2',
                      LOCAL_WORLD_SIZE='2', OMP_NUM_THREADS='1')
    import torch
    torch.set_num_threads(1)
    import mmscratch  # noqa: F401
    off, on, agreeing = [], [], 0.0
    for r in range(args.rounds):
        times, _ = run_once(data, osp.join(tmp, f'off{r}'), args.iters,
                            args.warmup, check=False)
        off += times
        times, spent = run_once(data, osp.join(tmp, f'on{r}'), args.iters,
                                args.warmup, check=True)
        on += times
        agreeing += spent
    if rank == 0:
        with open(out, 'w') as f:
            json.dump(dict(off=off, on=on, agreeing=agreeing), f)
    from mmscratch.cli.launch import close_launcher
    close_launcher()  # no rank tears gloo down under the other


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--iters', type=int, default=30,
                        help='timed iterations per run')
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--rounds', type=int, default=2,
                        help='alternating (off, on) pairs')
    parser.add_argument('--json', action='store_true')
    args = parser.parse_args()
    from mmscratch.datasets import make_synthetic_coco
    with tempfile.TemporaryDirectory() as tmp:
        data = osp.join(tmp, 'data')
        make_synthetic_coco(data, dict(train=64, val=4), seed=0)
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        out = osp.join(tmp, 'result.json')
        mp.spawn(rank_main, args=(port, data, tmp, args, out), nprocs=2)
        with open(out) as f:
            res = json.load(f)
    med_off, med_on = statistics.median(res['off']), statistics.median(
        res['on'])
    share = res['agreeing'] / sum(res['on'])
    result = dict(s_per_iter_without=med_off, s_per_iter_with=med_on,
                  ratio_with_over_without=med_on / med_off,
                  agreement_share=share,
                  agreement_ms_per_iter=1000 * res['agreeing'] /
                  len(res['on']), iters=len(res['on']))
    if args.json:
        print(json.dumps(result))
        return
    print(f'2 gloo ranks, demo config, {len(res["on"])} timed iterations '
          'per arm (rank 0)')
    print(f'agreement off: {med_off:.4f} s/iter (median)')
    print(f'agreement on:  {med_on:.4f} s/iter (median)')
    print(f'ratio on/off: {med_on / med_off:.4f}')
    print(f'time inside the agreement: '
          f'{result["agreement_ms_per_iter"]:.3f} ms/iter, '
          f'{100 * share:.3f}% of the step time')


if __name__ == '__main__':
    main()
