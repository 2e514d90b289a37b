"""PreemptionHook's branch logic with mock runners (real signals and
processes: tests/test_tools/test_preemption.py)."""
import os
import signal
from unittest.mock import MagicMock

import pytest
from mmengine.logging import MessageHub

from mmscratch.engine.hooks import (DurableCheckpointHook, PreemptionHook,
                                    TrainingStopped)


def runner_with_checkpoints(work_dir, iteration=5, max_iters=100):
    runner = MagicMock()
    runner.work_dir = str(work_dir)
    runner.iter = iteration
    runner.epoch = 0
    runner.max_iters = max_iters
    runner.message_hub = MessageHub.get_instance(f'hub_{id(runner)}')
    ckpt = DurableCheckpointHook(interval=10, by_epoch=False,
                                 max_keep_ckpts=2)

    def save(out_dir, filename, *args, **kwargs):
        ckpt.file_backend.put(b'checkpoint', f'{out_dir}/{filename}')
    runner.save_checkpoint.side_effect = save
    ckpt.before_train(runner)
    runner.hooks = [ckpt]
    return runner, ckpt


def files(folder):
    return sorted(p for p in os.listdir(folder) if p.endswith('.pth'))


def test_signal_saves_the_current_iteration_and_exits(tmp_path):
    runner, ckpt = runner_with_checkpoints(tmp_path)
    hook = PreemptionHook()
    runner.hooks.append(hook)
    before = signal.getsignal(signal.SIGTERM)
    hook.before_train(runner)
    try:
        hook.after_train_iter(runner, 0)  # no signal: nothing happens
        assert files(tmp_path) == []
        os.kill(os.getpid(), signal.SIGTERM)  # recorded, not fatal
        assert hook.received == signal.SIGTERM
        with pytest.raises(TrainingStopped) as stop:
            hook.after_train_iter(runner, 0)
    finally:
        hook.after_train(runner)
    assert stop.value.code == 143
    assert files(tmp_path) == ['iter_6.pth']
    assert (tmp_path / 'last_checkpoint').read_text().endswith('iter_6.pth')
    assert signal.getsignal(signal.SIGTERM) == before  # handler restored
    message = runner.logger.info.call_args[0][0]
    assert message.startswith('SIGTERM received: saved ') and \
        'at iteration 6' in message and 'exit status 143' in message


def test_no_second_save_when_the_interval_saved_this_iteration(tmp_path):
    runner, ckpt = runner_with_checkpoints(tmp_path, iteration=9)
    ckpt.after_train_iter(runner, 0)  # the interval's iter_10
    hook = PreemptionHook()
    runner.hooks.append(hook)
    hook.received = signal.SIGUSR1
    runner.save_checkpoint.reset_mock()
    with pytest.raises(TrainingStopped) as stop:
        hook.after_train_iter(runner, 0)
    assert stop.value.code == 128 + signal.SIGUSR1
    runner.save_checkpoint.assert_not_called()


def test_wall_clock_checkpoints_replace_each_other(tmp_path):
    runner, ckpt = runner_with_checkpoints(tmp_path, iteration=0)
    hook = PreemptionHook(every_minutes=1e-9)
    runner.hooks.append(hook)
    for it in range(12):
        runner.iter = it
        ckpt.after_train_iter(runner, 0)
        hook.after_train_iter(runner, 0)
        timed = [f for f in files(tmp_path) if f != 'iter_10.pth']
        # the newest timed checkpoint only; none right after the interval's
        assert timed == ([] if it == 9 else [f'iter_{it + 1}.pth'])
    # the interval's iter_10 stays; only the newest timed one besides it
    assert files(tmp_path) == ['iter_10.pth', 'iter_12.pth']


def test_switched_off_and_bad_arguments(tmp_path):
    runner, _ = runner_with_checkpoints(tmp_path)
    hook = PreemptionHook(signals=[])
    before = signal.getsignal(signal.SIGTERM)
    hook.before_train(runner)
    assert signal.getsignal(signal.SIGTERM) == before
    hook.received = signal.SIGTERM  # not consulted when switched off
    hook.after_train_iter(runner, 0)
    assert files(tmp_path) == []
    for kwargs, text in ((dict(signals=['SIGNOPE']), 'not a signal name'),
                         (dict(check_interval=0), 'check_interval'),
                         (dict(every_minutes=-1), 'every_minutes')):
        with pytest.raises(ValueError, match=text):
            PreemptionHook(**kwargs)
    assert PreemptionHook(signals='SIGHUP').signals == [signal.SIGHUP]


def test_a_second_signal_while_saving_changes_nothing(tmp_path):
    """SIGTERM, then SIGINT in the middle of the write: the save completes,
    the first signal decides the exit status."""
    runner, ckpt = runner_with_checkpoints(tmp_path)
    hook = PreemptionHook()
    runner.hooks.append(hook)

    def save(out_dir, filename, *args, **kwargs):
        os.kill(os.getpid(), signal.SIGINT)  # arrives during the write
        ckpt.file_backend.put(b'complete', f'{out_dir}/{filename}')
    runner.save_checkpoint.side_effect = save
    hook.before_train(runner)
    try:
        os.kill(os.getpid(), signal.SIGTERM)
        with pytest.raises(TrainingStopped) as stop:
            hook.after_train_iter(runner, 0)
    finally:
        hook.after_train(runner)
    assert stop.value.code == 143
    assert (tmp_path / 'iter_6.pth').read_bytes() == b'complete'


def test_a_distributed_stop_ignores_further_signals_until_exit(
        tmp_path, monkeypatch):
    """torchrun sends SIGTERM to a rank still exiting after another rank's
    exit: the stopping rank ignores it at the OS level (a Python handler is
    removed while the interpreter shuts down, and SIGTERM would kill)."""
    from mmscratch.engine.hooks import preemption_hook as module
    runner, _ = runner_with_checkpoints(tmp_path)
    hook = PreemptionHook()
    runner.hooks.append(hook)
    monkeypatch.setattr(module, 'is_distributed', lambda: True)
    monkeypatch.setattr(module, 'is_main_process', lambda: True)
    monkeypatch.setattr(module.torch_dist, 'barrier', lambda: None)
    before = {s: signal.getsignal(s) for s in hook.signals}
    hook.before_train(runner)
    try:
        with pytest.raises(TrainingStopped) as stop:
            hook.stop(runner, 6, signal.SIGTERM)
        assert stop.value.code == 143
        assert all(signal.getsignal(s) == signal.SIG_IGN
                   for s in hook.signals)
    finally:
        for signum, handler in before.items():
            signal.signal(signum, handler)
