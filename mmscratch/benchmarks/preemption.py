"""``benchmark.py preemption``: cost of PreemptionHook's agreement.

Trains the demo config on two CPU processes (gloo), alternating runs with
the hook checking every iteration (its default) and with it switched off
(``signals=[]``), and times the hook's ``agree`` inside the checking runs
(rank 0's figures).
"""
import json
import os
import os.path as osp
import socket
import tempfile

import torch.multiprocessing as mp

from .common import (StepTimer, ab_figures, ab_lines, demo_config,
                     demo_data, emit, time_calls)

SIGNALS = ['SIGTERM', 'SIGINT', 'SIGUSR1']


def add_arguments(parser) -> None:
    parser.add_argument('--iters', type=int, default=30,
                        help='timed iterations per run')
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--rounds', type=int, default=2,
                        help='alternating (off, on) pairs')


def run_once(data, work_dir, iters, warmup, check):
    """(step times, seconds inside agree() after warm-up) of this rank."""
    from mmengine.runner import Runner

    from ..cli.launch import prepare_launcher
    from ..engine import PreemptionHook
    cfg = demo_config(data, work_dir, {
        'train_cfg.max_iters': warmup + iters,
        'default_hooks.preemption.signals': SIGNALS if check else []})
    prepare_launcher(cfg, 'pytorch')
    runner = Runner.from_cfg(cfg)
    timer = StepTimer(warmup)
    runner.register_hook(timer)
    spent = [0.0]
    for hook in runner.hooks:
        if isinstance(hook, PreemptionHook):
            time_calls(hook, 'agree', spent)
    runner.train()
    # the agreement's time, counted like the step times (after warm-up)
    return timer.times, spent[0] * len(timer.times) / (warmup + iters)


def rank_main(rank, port, data, tmp, args, out):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port),
                      RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE='2',
                      LOCAL_WORLD_SIZE='2', OMP_NUM_THREADS='1')
    import torch
    torch.set_num_threads(1)
    off, on, inside = [], [], 0.0
    for r in range(args.rounds):
        times, _ = run_once(data, osp.join(tmp, f'off{r}'), args.iters,
                            args.warmup, check=False)
        off += times
        times, spent = run_once(data, osp.join(tmp, f'on{r}'), args.iters,
                                args.warmup, check=True)
        on += times
        inside += spent
    if rank == 0:
        with open(out, 'w') as f:
            json.dump(dict(off=off, on=on, inside=inside), f)
    from ..cli.launch import close_launcher
    close_launcher()  # no rank tears gloo down under the other


def run(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = demo_data(tmp)
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        out = osp.join(tmp, 'result.json')
        mp.spawn(rank_main, args=(port, data, tmp, args, out), nprocs=2)
        with open(out) as f:
            res = json.load(f)
    result = ab_figures(res['off'], res['on'], res['inside'])
    emit(args, result, [
        f'2 gloo ranks, demo config, {len(res["on"])} timed iterations '
        'per arm (rank 0)'] + ab_lines(result, 'agreement off',
                                       'agreement on ', 'the agreement'))
