"""``benchmark.py resume``: process start to the first step of a resume.

Trains the demo config (synthetic data) for 2 iterations, then makes copies
of its checkpoint that claim to be at iteration N (as if the run had
trained that long) and resumes each one in a fresh process: with
mmscratch's PositionedIterBasedTrainLoop (the configs' default) and with
mmengine's IterBasedTrainLoop and samplers, which replay every trained
batch. The time runs from starting the process (imports included) to the
first ``before_train_iter`` of iteration N+1.
"""
import argparse
import os
import os.path as osp
import signal
import subprocess
import sys
import tempfile
import time

import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from ..checkpoint import load_local_checkpoint
from .common import demo_config, demo_data, emit

# mmengine's own iteration loop and data stream
MMENGINE = {
    'train_cfg.type': 'IterBasedTrainLoop',
    'train_dataloader.sampler': dict(type='InfiniteSampler', shuffle=True),
    'train_dataloader.batch_sampler': dict(type='AspectRatioBatchSampler'),
}


class FirstStepHook(Hook):
    """Says when the first step starts, then waits to be killed."""
    priority = 'HIGHEST'

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        print(MARKER, flush=True)
        while True:
            time.sleep(1)


MARKER = 'first training step'


def add_arguments(parser) -> None:
    parser.add_argument('--iters', type=int, nargs='+',
                        default=[10, 1000, 100000],
                        help='iterations to resume at (mmscratch loop)')
    parser.add_argument('--mmengine-iters', type=int, nargs='*',
                        default=[10, 1000],
                        help='iterations to resume at with mmengine\'s loop')
    parser.add_argument('--workers', type=int, default=2,
                        help='training loader workers')
    parser.add_argument('--trial', nargs=5, metavar=(
        'DATA', 'WORK', 'CKPT', 'AT', 'LOOP'), help=argparse.SUPPRESS)


def make_config(data, work_dir, options):
    return demo_config(data, work_dir, dict(
        {'train_dataloader.num_workers': 0,
         'default_hooks.logger.interval': 10 ** 9}, **options))


def run_trial(data, work, checkpoint, at, loop, workers):
    """(In the child process) resume and stop at the first step."""
    options = {'train_cfg.max_iters': at + 1,
               'train_dataloader.num_workers': workers,
               'train_dataloader.persistent_workers': workers > 0}
    options.update(MMENGINE if loop == 'mmengine' else {})
    cfg = make_config(data, work, options)
    cfg.resume, cfg.load_from = True, checkpoint
    runner = Runner.from_cfg(cfg)
    runner.register_hook(FirstStepHook())
    runner.train()
    raise RuntimeError('the run ended without a training step')


def time_resume(data, tmp, checkpoint, at, workers, loop):
    """Seconds from starting a process to its first step after ``at``."""
    cmd = [sys.executable, '-m', __name__, '--workers', str(workers),
           '--trial', data, osp.join(tmp, f'{loop}_{at}'), checkpoint,
           str(at), loop]
    start = time.perf_counter()
    # a session of its own: the trial and its loader workers end together
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True,
                            start_new_session=True)
    try:
        for line in proc.stdout:
            if line.strip() == MARKER:
                return time.perf_counter() - start
        raise RuntimeError(f'the {loop} run resumed at {at} failed')
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def checkpoint_at(source, at, out):
    """``source`` as if saved at iteration ``at``."""
    ckpt = load_local_checkpoint(source, map_location='cpu')
    ckpt['meta']['iter'] = at
    torch.save(ckpt, out)
    return out


def run(args) -> None:
    if args.trial:
        data, work, ckpt, at, loop = args.trial
        run_trial(data, work, ckpt, int(at), loop, args.workers)
        return
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        data = demo_data(tmp)
        cfg = make_config(data, osp.join(tmp, 'seed_run'), {
            'train_cfg.max_iters': 2,
            'default_hooks.checkpoint.interval': 2})
        Runner.from_cfg(cfg).train()
        source = osp.join(tmp, 'seed_run', 'iter_2.pth')
        rows = []
        for tag, points in (('mmscratch', args.iters),
                            ('mmengine', args.mmengine_iters)):
            for at in points:
                ckpt = checkpoint_at(source, at,
                                     osp.join(tmp, f'{tag}_{at}.pth'))
                seconds = time_resume(data, tmp, ckpt, at, args.workers,
                                      tag)
                rows.append(dict(loop=tag, resume_at=at, seconds=seconds))
                lines.append(f'{tag:9s} resume at {at:>7,}: first step '
                             f'after {seconds:6.2f} s')
    emit(args, dict(rows=rows), lines)



if __name__ == '__main__':  # a trial, in its own process
    import mmscratch  # noqa: F401
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    run(parser.parse_args())
