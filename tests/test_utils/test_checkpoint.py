"""Checkpoint loading under weights_only=True, with an allow-list."""
import os

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import _load_checkpoint

import mmscratch  # noqa: F401  (installs the loader)
from mmscratch.utils.checkpoint import (TRUST_ENV, load_local_checkpoint,
                                        trust_checkpoint)
from mmscratch.utils.errors import UserInputError


def _mmengine_like(path):
    buf = HistoryBuffer()
    buf.update(1.5)
    torch.save(dict(
        meta=dict(iter=4, seed=np.int64(3), hook_msgs=dict(a=np.float64(1))),
        state_dict=nn.Linear(2, 1).state_dict(),
        message_hub=dict(log_scalars={'train/loss': buf},
                         runtime_info=dict(arr=np.zeros(3))),
    ), path)


def test_mmengine_objects_load_safely(tmp_path):
    path = str(tmp_path / 'ckpt.pth')
    _mmengine_like(path)
    # torch's own default (weights_only=True) would refuse this file
    with pytest.raises(Exception):
        torch.serialization.clear_safe_globals()
        torch.load(path)
    mmscratch.utils.checkpoint.install_checkpoint_loader()
    ckpt = _load_checkpoint(path, map_location='cpu')
    assert ckpt['meta']['iter'] == 4
    assert ckpt['message_hub']['log_scalars']['train/loss'].current() == 1.5


def test_other_objects_are_refused_unless_trusted(tmp_path, monkeypatch):
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(fn=os.getcwd, w=torch.ones(1)), path)
    with pytest.raises(UserInputError, match='outside the allow-list'):
        load_local_checkpoint(path)
    monkeypatch.setenv(TRUST_ENV, str(tmp_path))
    assert load_local_checkpoint(path)['fn'] is os.getcwd


def test_trust_checkpoint_function(tmp_path):
    path = str(tmp_path / 'evil2.pth')
    torch.save(dict(fn=os.getcwd), path)
    trust_checkpoint(path)
    assert load_local_checkpoint(path)['fn'] is os.getcwd


def test_getattr_is_restricted(tmp_path):
    # a pickle that reaches builtins.getattr on anything but HistoryBuffer
    path = str(tmp_path / 'attr.pth')
    torch.save(dict(fn=getattr(np.ndarray, 'tofile')), path)
    with pytest.raises(UserInputError):
        load_local_checkpoint(path)


@pytest.mark.parametrize('content,match', [
    (None, 'does not exist'),
    (b'not a checkpoint at all', 'not a PyTorch checkpoint'),
])
def test_missing_and_foreign_files(tmp_path, content, match):
    path = tmp_path / 'x.pth'
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UserInputError, match=match):
        load_local_checkpoint(str(path))


def test_truncated_checkpoint(tmp_path):
    path = str(tmp_path / 'full.pth')
    _mmengine_like(path)
    data = open(path, 'rb').read()
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(UserInputError, match='truncated'):
        load_local_checkpoint(str(cut))
