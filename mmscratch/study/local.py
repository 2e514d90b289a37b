"""Train a study's runs on this machine: N at a time on the CPUs, or one
per group of GPUs (``CUDA_VISIBLE_DEVICES``), a multi-GPU run through
tools/dist_train.sh. Each run's console output goes to its work dir."""
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Callable, List, Optional

from tqdm import tqdm

from ..runs import read_run
from ..utils.checkout import REPO
from ..utils.errors import UserInputError


class LineProgress:
    """tqdm's interface for logs and pipes: a line every ``every`` seconds."""

    def __init__(self, total, desc, every=30):
        self.total, self.desc, self.every = total, desc, every
        self.n, self.start, self.last = 0, time.time(), time.time()

    def update(self, k=1):
        self.n += k
        now = time.time()
        if now - self.last >= self.every and 0 < self.n < self.total:
            self.last = now
            eta = (now - self.start) / self.n * (self.total - self.n)
            print(f'[study] {self.desc}: {self.n}/{self.total} iterations, '
                  f'ETA {eta:.0f}s', flush=True)

    def close(self):
        pass


def progress_bar(total, desc):
    """A tqdm bar on a terminal, periodic lines otherwise."""
    if sys.stdout.isatty():
        return tqdm(total=total, desc=desc, unit='it', mininterval=1,
                    leave=False)
    return LineProgress(total, desc)


def gpu_groups(gpus_per_run: int) -> List[Optional[str]]:
    """``CUDA_VISIBLE_DEVICES`` of each job slot: [None] for CPU runs."""
    if not gpus_per_run:
        return [None]
    visible = os.environ.get('CUDA_VISIBLE_DEVICES')
    if visible:
        ids = [i for i in visible.split(',') if i.strip()]
    else:
        import torch
        ids = [str(i) for i in range(torch.cuda.device_count())]
    groups = [','.join(ids[i:i + gpus_per_run])
              for i in range(0, len(ids) - gpus_per_run + 1, gpus_per_run)]
    if not groups:
        raise UserInputError(
            f'launcher.gpus_per_run={gpus_per_run} but this machine shows '
            f'{len(ids)} GPU(s); lower gpus_per_run, or set it to 0 to '
            'train on the CPUs')
    return groups


def train_command(config: str, work_dir: str, gpus: int,
                  resume: bool) -> List[str]:
    """The command line of one run (tools/train.py, or tools/dist_train.sh
    for more than one GPU)."""
    tail = ['--work-dir', work_dir] + (['--resume'] if resume else [])
    if gpus > 1:
        return ['bash', os.path.join(REPO, 'tools', 'dist_train.sh'),
                config, str(gpus)] + tail
    return [sys.executable, os.path.join(REPO, 'tools', 'train.py'),
            config] + tail


def logged_iter(work_dir: str) -> int:
    try:
        run = read_run(work_dir)
    except Exception:  # not written yet
        return 0
    return run.train[-1]['step'] if run.train else 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class LocalJobs:
    """Runs ``jobs`` processes at a time; ``start(job, slot)`` returns a
    handle dict with ``proc``, ``work_dir``, ``iters``, ``name``;
    ``done(handle)`` is called when one exits, ``stopped(handle)`` for
    each run that Ctrl-C stopped."""

    def __init__(self, slots: List[Optional[str]], jobs: int):
        self.slots = slots if slots != [None] else [None] * jobs

    def env(self, slot: Optional[str], index: int) -> dict:
        env = dict(os.environ, MMSCRATCH_CHECKED_BY_LAUNCHER='1')
        if slot is None:
            threads = str(max((os.cpu_count() or 1) // len(self.slots), 1))
            env.update(OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
        else:
            env['CUDA_VISIBLE_DEVICES'] = slot
            env['PORT'] = str(29500 + index)  # one per dist_train.sh
        return env

    def run(self, queue: list, start: Callable, done: Callable,
            stopped: Callable) -> None:
        queue, free = list(queue), list(range(len(self.slots)))
        active = []
        # a SIGTERM (kill, docker stop, a scheduler) stops like Ctrl-C
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _interrupt) if main \
            else None
        try:
            while queue or active:
                while queue and free:
                    index = free.pop(0)
                    handle = start(queue.pop(0), self.env(
                        self.slots[index], index))
                    handle['slot'] = index
                    handle['bar'] = progress_bar(handle['iters'],
                                                 handle['name'])
                    active.append(handle)
                time.sleep(1)
                for handle in list(active):
                    bar = handle['bar']
                    bar.update(max(logged_iter(handle['work_dir']) - bar.n,
                                   0))
                    if handle['proc'].poll() is not None:
                        active.remove(handle)
                        free.append(handle['slot'])
                        bar.close()
                        done(handle)
        except KeyboardInterrupt:
            # the runs save and stop (a Ctrl-C in a terminal reached them
            # too; a repeated signal is one stop)
            for handle in active:
                if handle['proc'].poll() is None:
                    handle['proc'].send_signal(signal.SIGINT)
            for handle in active:
                try:
                    handle['proc'].wait(timeout=120)
                except subprocess.TimeoutExpired:
                    handle['proc'].kill()
                stopped(handle)
            raise
        except BaseException:
            for handle in active:
                handle['proc'].terminate()
                handle['proc'].wait()
            raise
        finally:
            if main:
                signal.signal(signal.SIGTERM, previous)
