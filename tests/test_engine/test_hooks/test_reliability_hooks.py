"""Unit tests of the checkpoint, RNG and loss hooks (mock runners)."""
import random
from collections import deque
from unittest.mock import MagicMock

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

from mmscratch.engine.hooks import (CheckpointWriteError,
                                    DurableCheckpointHook, InvalidLossHook,
                                    PlainCheckpointHook, RNGStateHook,
                                    TrainingDivergedError)


def checkpoint_runner(work_dir, fail=None):
    """A runner whose save_checkpoint writes a small file (or fails)."""
    runner = MagicMock()
    runner.work_dir = str(work_dir)
    runner.message_hub = MessageHub.get_instance(f'hub_{id(runner)}')

    def save(out_dir, filename, *args, **kwargs):
        if fail is not None:
            raise fail
        hook.file_backend.put(b'checkpoint', f'{out_dir}/{filename}')
    runner.save_checkpoint.side_effect = save
    hook = DurableCheckpointHook(interval=1, by_epoch=False,
                                 max_keep_ckpts=2, keep_iters=[2])
    hook.before_train(runner)
    return hook, runner


def test_outdated_checkpoints_go_after_the_save_and_keep_iters_stay(
        tmp_path):
    hook, runner = checkpoint_runner(tmp_path)
    for step in (1, 2, 3, 4):
        hook._save_checkpoint_with_step(runner, step, {})
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'iter_2.pth', 'iter_3.pth', 'iter_4.pth', 'last_checkpoint']
    assert (tmp_path / 'last_checkpoint').read_text() == \
        str(tmp_path / 'iter_4.pth')
    assert list(hook.keep_ckpt_ids) == [3, 4]
    assert runner.message_hub.get_info('keep_ckpt_ids') == [3, 4]


def test_a_failed_write_is_one_line_and_keeps_the_previous(tmp_path):
    hook, runner = checkpoint_runner(tmp_path)
    hook._save_checkpoint_with_step(runner, 1, {})
    runner.save_checkpoint.side_effect = OSError(28, 'No space left on '
                                                 'device')
    with pytest.raises(CheckpointWriteError) as err:
        hook._save_checkpoint_with_step(runner, 2, {})
    message = str(err.value)
    assert '\n' not in message and 'No space left on device' in message
    assert 'the previous checkpoint (iter_1.pth) is intact' in message
    assert (tmp_path / 'iter_1.pth').read_bytes() == b'checkpoint'
    assert (tmp_path / 'last_checkpoint').read_text() == \
        str(tmp_path / 'iter_1.pth')


def test_keep_iters_is_checked():
    with pytest.raises(ValueError, match='keep_iters'):
        DurableCheckpointHook(keep_iters=[0])


def test_local_checkpoints_use_the_atomic_backend(tmp_path):
    hook, _ = checkpoint_runner(tmp_path)
    assert type(hook.file_backend).__name__ == 'AtomicLocalBackend'
    remote = DurableCheckpointHook(out_dir='s3://bucket/run')
    assert remote.backend_args is None


def test_plain_checkpoint_hook_round_trip():
    buf = HistoryBuffer()
    buf.update(2.0)
    buf.update(4.0, count=3)
    checkpoint = dict(
        meta=dict(seed=np.int64(5), arr=np.arange(3), nested=(np.float32(1),
                                                              [np.int8(2)])),
        message_hub=dict(log_scalars={'train/loss': buf},
                         runtime_info=dict(x=np.float64(0.5)),
                         resumed_keys={'train/loss': True}))
    hook = PlainCheckpointHook()
    hook.before_save_checkpoint(None, checkpoint)
    meta = checkpoint['meta']
    assert meta['seed'] == 5 and type(meta['seed']) is int
    assert meta['arr'] == [0, 1, 2] and meta['nested'] == (1.0, [2])
    assert type(checkpoint['message_hub']['runtime_info']['x']) is float
    plain = checkpoint['message_hub']['log_scalars']['train/loss']
    assert isinstance(plain, dict)
    hook.after_load_checkpoint(None, checkpoint)
    back = checkpoint['message_hub']['log_scalars']['train/loss']
    assert isinstance(back, HistoryBuffer)
    assert [a.tolist() for a in back.data] == [a.tolist() for a in buf.data]
    assert back.max_length == buf.max_length


def test_rng_state_hook_restores_every_stream():
    hook = RNGStateHook()
    runner = MagicMock()
    runner.cfg = dict(resume=True)
    random.seed(1)
    np.random.seed(1)
    torch.manual_seed(1)
    checkpoint = {}
    hook.before_save_checkpoint(runner, checkpoint)
    state = checkpoint['meta']['rng_state']
    assert isinstance(state['numpy'][1], list)  # plain data
    expected = (random.random(), np.random.rand(), torch.rand(1).item())
    random.seed(2)
    np.random.seed(2)
    torch.manual_seed(2)
    hook.after_load_checkpoint(runner, checkpoint)
    hook.before_train(runner)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == \
        expected


def test_rng_state_is_left_alone_without_resume():
    hook = RNGStateHook()
    runner = MagicMock()
    runner.cfg = dict(resume=False)
    hook.after_load_checkpoint(runner, dict(meta=dict(rng_state={})))
    hook.before_train(runner)  # nothing pending: no error


def loss_runner(tmp_path, checkpoints=()):
    """A runner at iteration 7 whose work dir holds ``checkpoints``
    ({iteration: weight value})."""
    runner = MagicMock()
    runner.work_dir = str(tmp_path)
    runner.iter = 6
    runner.cfg = dict(optim_wrapper=dict(optimizer=dict(lr=0.02)))
    for it, value in dict(checkpoints).items():
        torch.save({'state_dict': {'w': torch.tensor([value])}},
                   tmp_path / f'iter_{it}.pth')
    return runner


def test_invalid_loss_names_the_newest_finite_checkpoint(tmp_path):
    """iter_6 already holds inf weights: iter_4 is named, with a resume
    at a tenfold lower LR."""
    hook = InvalidLossHook()
    runner = loss_runner(tmp_path, {2: 1.0, 4: 1.0, 6: float('inf')})
    hook.after_train_iter(runner, 0, outputs=dict(loss=torch.tensor(1.0)))
    good = tmp_path / 'iter_4.pth'
    with pytest.raises(TrainingDivergedError,
                       match=rf'nan at iteration 7.*\(finite weights\) is '
                       rf'{good}.*\(resume={good}\) with a lower LR '
                       r'\(optim_wrapper\.optimizer\.lr=0\.002\)'):
        hook.after_train_iter(runner, 0,
                              outputs=dict(loss=torch.tensor(float('nan'))))


def test_invalid_loss_before_any_checkpoint(tmp_path):
    hook = InvalidLossHook(interval=1)
    with pytest.raises(TrainingDivergedError, match='no checkpoint with'):
        hook.after_train_iter(loss_runner(tmp_path), 0,
                              outputs=dict(loss=torch.tensor(float('inf'))))


def test_invalid_loss_interval_is_checked():
    with pytest.raises(ValueError, match='interval'):
        InvalidLossHook(interval=0)


def test_deque_has_no_maxlen_after_before_train(tmp_path):
    hook, _ = checkpoint_runner(tmp_path)
    assert isinstance(hook.keep_ckpt_ids, deque)
    assert hook.keep_ckpt_ids.maxlen is None
