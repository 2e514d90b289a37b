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

from .common import (ab_figures, ab_lines, add_ab_arguments, demo_config,
                     demo_data, emit, timed_training)

SIGNALS = ['SIGTERM', 'SIGINT', 'SIGUSR1']


def add_arguments(parser) -> None:
    add_ab_arguments(parser, rounds=2)


def run_once(data, work_dir, iters, warmup, check):
    """(step times, seconds inside agree() after warm-up) of this rank."""
    from ..cli.launch import prepare_launcher
    from ..engine import PreemptionHook
    cfg = demo_config(data, work_dir, {
        'train_cfg.max_iters': warmup + iters,
        'default_hooks.preemption.signals': SIGNALS if check else []})
    prepare_launcher(cfg, 'pytorch')
    times, spent = timed_training(cfg, warmup, {PreemptionHook: ('agree',)})
    # the agreement's time, counted like the step times (after warm-up)
    return times, spent * len(times) / (warmup + iters)


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
