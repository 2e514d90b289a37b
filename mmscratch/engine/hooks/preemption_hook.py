"""Save a checkpoint when the run is asked to stop (SIGTERM, SIGINT, ...)."""
import json
import logging
import os.path as osp
import signal
import threading
import time
from typing import Optional, Sequence

import torch
import torch.distributed as torch_dist
from mmengine.dist import is_distributed, is_main_process
from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmdet.registry import HOOKS
from ...fileio import atomic_write
from .durable_checkpoint_hook import DurableCheckpointHook


# written into the work dir when a signal stopped the run after saving
STOP_MARKER = 'stopped_by_signal.json'


def _mid_accumulation(runner) -> bool:
    """Whether the last iteration left accumulated gradients that the next
    ones apply (``optim_wrapper.accumulative_counts`` > 1)."""
    should_update = getattr(runner.optim_wrapper, 'should_update', None)
    return should_update is not None and not should_update()


class StopRequested(Exception):
    """Raised inside validation when every rank agreed to stop; the train
    loop catches it, saves and exits (:class:`TrainingStopped`)."""


class TrainingStopped(SystemExit):
    """The run stopped on a signal after saving; exit status 128 + signal.

    A ``SystemExit``: MMDetection's own ``train.py`` exits with the status
    too, without a traceback.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(128 + signum)
        self.signum = signum


def _signal_number(name) -> int:
    if isinstance(name, int) and not isinstance(name, bool):
        return int(signal.Signals(name))
    if isinstance(name, str) and hasattr(signal.Signals, name.upper()):
        return int(signal.Signals[name.upper()])
    raise ValueError(f'signals: {name!r} is not a signal name such as '
                     "'SIGTERM', 'SIGINT' or 'SIGUSR1'")


@HOOKS.register_module()
class PreemptionHook(Hook):
    """Stop politely: on a signal, save at the current iteration and exit.

    The signal handler only records the signal. After each training
    iteration (and each validation iteration) the ranks agree on it, so
    every rank stops at the same iteration: one ``all_reduce`` of two
    numbers when distributed, overlapped with the next training iteration
    (the stop then comes one iteration later). The durable checkpoint hook
    writes ``iter_N.pth`` and ``last_checkpoint``, one line says how to
    continue, and the process exits with status 128 + the signal number
    (143 for SIGTERM, 130 for SIGINT, 138 for SIGUSR1). A validation in
    progress is abandoned without logging a metric; the resumed run
    repeats it. Forked loader workers inherit the handler, so a signal sent
    to the whole process group does not kill them. With gradient
    accumulation (``optim_wrapper.accumulative_counts`` > 1) the stop, and
    a wall-clock save, wait for the iteration that applies the accumulated
    gradients (these are not saved), so the resumed run is exact.

    ``every_minutes`` also saves a checkpoint when that much wall-clock time
    has passed since the last one, so a SIGKILL (no grace period) loses a
    bounded amount of time; each such checkpoint replaces the previous one
    of its kind.

    Args:
        signals (Sequence[str | int]): the signals that stop the run; ``[]``
            switches the hook off (no handler, no agreement) unless
            ``every_minutes`` is set. Defaults to ('SIGTERM', 'SIGINT',
            'SIGUSR1').
        check_interval (int): agree on the flag every n iterations.
            Defaults to 1.
        every_minutes (float, optional): wall-clock checkpoint interval.
            Defaults to None (off).
    """
    priority = 'LOWEST'  # after the checkpoint hook of the same iteration

    def __init__(self,
                 signals: Sequence = ('SIGTERM', 'SIGINT', 'SIGUSR1'),
                 check_interval: int = 1,
                 every_minutes: Optional[float] = None) -> None:
        if isinstance(signals, (str, int)):
            signals = [signals]
        self.signals = [_signal_number(s) for s in signals]
        if not isinstance(check_interval, int) or check_interval < 1:
            raise ValueError(f'check_interval={check_interval!r} must be an '
                             'int >= 1')
        if every_minutes is not None and not (
                isinstance(every_minutes, (int, float))
                and every_minutes > 0):
            raise ValueError(f'every_minutes={every_minutes!r} must be a '
                             'positive number of minutes, or None')
        self.check_interval = check_interval
        self.every_minutes = every_minutes
        self.received: Optional[int] = None
        self._previous = {}
        self._last_save = time.monotonic()
        self._stopping = False
        self._pending = None  # (async all_reduce, its tensor)
        self._deferred = 0  # an agreed signal waiting for the accumulation

    # signal handling -----------------------------------------------------
    def _handle(self, signum, frame) -> None:
        if self.received is None:
            self.received = signum

    def before_train(self, runner) -> None:
        self._last_save = time.monotonic()
        if threading.current_thread() is not threading.main_thread():
            print_log('PreemptionHook: not in the main thread, so no signal '
                      'handler is installed', logger='current',
                      level=logging.WARNING)
            return
        for signum in self.signals:
            self._previous[signum] = signal.signal(signum, self._handle)

    def after_train(self, runner) -> None:
        if is_distributed():
            self._finish_pending()
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous = {}

    # agreement across ranks ----------------------------------------------
    def _time_due(self) -> bool:
        return self.every_minutes is not None and \
            time.monotonic() - self._last_save >= 60 * self.every_minutes

    def _flags(self, check_time: bool) -> torch.Tensor:
        """This rank's (signal, wall-clock due) as a tensor to reduce."""
        due = check_time and torch_dist.get_rank() == 0 and self._time_due()
        flags = torch.tensor([self.received or 0, int(due)],
                             dtype=torch.int64)
        return flags.cuda() if torch_dist.get_backend() == 'nccl' else flags

    @staticmethod
    def _read(flags: torch.Tensor) -> tuple:
        signum, due = (int(v) for v in flags.cpu())
        return signum, bool(due)

    def agree(self, check_time: bool = True) -> tuple:
        """(signal number or 0, wall-clock save due), the same on every
        rank: the largest signal number any rank received, and rank 0's
        clock. A collective when distributed: every rank calls it."""
        if not is_distributed():
            return self.received or 0, check_time and self._time_due()
        self._finish_pending()
        flags = self._flags(check_time)
        torch_dist.all_reduce(flags, op=torch_dist.ReduceOp.MAX)
        return self._read(flags)

    def _agree_overlapped(self) -> tuple:
        """What the ranks agreed on after the previous check, while this
        check's ``all_reduce`` runs in the background until the next one:
        no rank waits for the others here. A signal thus stops the run one
        check later than :meth:`agree` would."""
        if not is_distributed():
            return self.agree()
        agreed = self._finish_pending()
        flags = self._flags(check_time=True)
        self._pending = (torch_dist.all_reduce(
            flags, op=torch_dist.ReduceOp.MAX, async_op=True), flags)
        return agreed

    def _finish_pending(self) -> tuple:
        if self._pending is None:
            return 0, False
        work, flags = self._pending
        self._pending = None
        work.wait()
        return self._read(flags)

    # stages --------------------------------------------------------------
    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if self._deferred and not _mid_accumulation(runner):
            self.stop(runner, runner.iter + 1, self._deferred)
        if self._stopping or not (self.signals or self.every_minutes) or \
                not (self.every_n_train_iters(runner, self.check_interval)
                or self.is_last_train_iter(runner)):
            return
        if self.is_last_train_iter(runner):
            signum, due = self.agree()  # nothing left in flight at the end
        else:
            signum, due = self._agree_overlapped()
        step = runner.iter + 1
        if (signum or due) and _mid_accumulation(runner):
            # gradients of an unfinished accumulation are not saved: stop
            # (or save) after the iteration that applies them
            if signum and not self._deferred:
                self._deferred = signum
                runner.logger.info(
                    f'{signal.Signals(signum).name} received: stopping '
                    'after the current gradient accumulation ends')
            return
        if signum:
            self.stop(runner, step, signum)
        if due:
            hook = self._checkpoint_hook(runner)
            if hook.saved_step != step:
                hook.save_at(runner, step, transient=True)
            self._last_save = time.monotonic()

    def after_val_iter(self, runner, batch_idx: int, data_batch=None,
                       outputs=None) -> None:
        # only validations inside training stop; a stand-alone test/val run
        # never installed the handler
        if self._previous and runner.train_loop is not None and \
                getattr(runner.train_loop, 'stops_validation', False):
            signum, _ = self.agree(check_time=False)
            if signum:
                self.received = signum
                raise StopRequested

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        self._last_save = time.monotonic()  # any checkpoint restarts it

    def _checkpoint_hook(self, runner) -> DurableCheckpointHook:
        for hook in runner.hooks:
            if isinstance(hook, DurableCheckpointHook):
                return hook
        raise RuntimeError('PreemptionHook needs the DurableCheckpointHook '
                           '(default_hooks.checkpoint) to save')

    def stop(self, runner, step: int, signum: int) -> None:
        """Save at ``step`` (unless saved there already), say how to
        continue, and exit with 128 + ``signum`` on every rank."""
        self._stopping = True
        if is_distributed():
            self._finish_pending()  # every rank has one in flight, or none
        # a second signal while saving is recorded and ignored: the save
        # is atomic, the previous checkpoint stays valid either way
        hook = self._checkpoint_hook(runner)
        if hook.saved_step != step:
            hook.save_at(runner, step, transient=True)
        if is_distributed():
            # no rank exits before rank 0 has written the file: launchers
            # (srun --kill-on-bad-exit, torchrun) kill the group on the
            # first non-zero exit
            torch_dist.barrier()
        name = signal.Signals(signum).name
        if is_main_process():
            # what tells a launcher that this stop saved (a crash's status
            # 128 + N looks the same): tools/slurm_train.sh requeues only
            # when the file is there
            atomic_write(json.dumps(dict(signal=name, iter=step,
                                         checkpoint=hook.last_ckpt)),
                         osp.join(runner.work_dir, STOP_MARKER))
        runner.logger.info(
            f'{name} received: saved {hook.last_ckpt} at iteration {step} '
            f'and stopped (exit status {128 + signum}); resume the run from '
            f'{runner.work_dir} to continue')
        if not is_distributed():
            self.after_train(runner)  # e.g. an interactive session goes on
        else:
            # a launcher's own SIGTERM to a rank that is already exiting
            # (torchrun, after another rank's exit status) must not kill it
            # first, so that every rank reports the stop's status: ignored
            # at the OS level, which, unlike a Python handler, the
            # interpreter keeps while it shuts down
            for number in self._previous:
                signal.signal(number, signal.SIG_IGN)
        raise TrainingStopped(signum)
