"""The plain-data checkpoint reader, in-process."""
import collections
import io
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import _load_checkpoint

import mmscratch  # noqa: F401  (registers the loader)
from hostile_files import PAYLOADS
from mmscratch.checkpoint import (TRUST_ENV, load_local_checkpoint,
                                  read_plain_checkpoint, trust_checkpoint)
from mmscratch.utils.errors import UserInputError


def mmengine_like(path, numpy1_names=False):
    """What mmengine's stock CheckpointHook writes: HistoryBuffers, numpy."""
    buf = HistoryBuffer()
    buf.update(1.5)
    buf.update(2.5, count=2)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.GroupNorm(2, 4))
    obj = dict(
        meta=dict(iter=4, seed=np.int64(3), rng=np.random.get_state(),
                  hook_msgs=dict(a=np.float64(1))),
        state_dict=model.state_dict(),
        message_hub=dict(log_scalars={'train/loss': buf},
                         runtime_info=dict(arr=np.arange(6).reshape(2, 3)),
                         resumed_keys={'train/loss': True}),
        param_schedulers=[dict(milestones=collections.Counter([3, 5]))])
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    data = buffer.getvalue()
    if numpy1_names:
        data = renamed_numpy_module(data)
    with open(path, 'wb') as f:
        f.write(data)
    return obj


def renamed_numpy_module(data: bytes) -> bytes:
    """The same checkpoint as numpy 1.x would have named its functions."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, 'w', zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            record = src.read(info.filename)
            if info.filename.endswith('/data.pkl'):
                assert b'numpy._core.multiarray' in record
                record = record.replace(b'numpy._core.multiarray',
                                        b'numpy.core.multiarray')
            dst.writestr(info, record)
    return out.getvalue()


@pytest.mark.parametrize('numpy1_names', [False, True])
def test_mmengine_checkpoints_load(tmp_path, numpy1_names):
    path = str(tmp_path / 'ckpt.pth')
    saved = mmengine_like(path, numpy1_names)
    ckpt = _load_checkpoint(path, map_location='cpu')
    assert ckpt['meta']['iter'] == 4 and ckpt['meta']['seed'] == 3
    assert np.array_equal(ckpt['meta']['rng'][1], saved['meta']['rng'][1])
    assert ckpt['meta']['rng'][1].dtype == np.uint32
    buf = ckpt['message_hub']['log_scalars']['train/loss']
    assert isinstance(buf, HistoryBuffer)
    logs, counts = buf.data
    assert logs.tolist() == [1.5, 2.5] and counts.tolist() == [1, 2]
    assert buf.mean() == pytest.approx(4 / 3) and buf.current() == 2.5
    arr = ckpt['message_hub']['runtime_info']['arr']
    assert arr.dtype == np.int64 and arr.tolist() == [[0, 1, 2], [3, 4, 5]]
    for key, value in saved['state_dict'].items():
        assert torch.equal(ckpt['state_dict'][key], value)
    assert ckpt['state_dict']._metadata == saved['state_dict']._metadata
    assert ckpt['param_schedulers'][0]['milestones'] == {3: 1, 5: 1}


def test_state_dict_only_file_as_the_model_zoo_ships(tmp_path):
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Linear(4, 2))
    path = str(tmp_path / 'zoo.pth')
    torch.save(model.state_dict(), path)
    loaded = _load_checkpoint(path, map_location='cpu')
    assert set(loaded) == set(model.state_dict())
    other = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Linear(4, 2))
    other.load_state_dict(loaded)
    assert torch.equal(other[1].weight, model[1].weight)


def test_views_and_shared_storages_are_kept(tmp_path):
    base = torch.arange(12, dtype=torch.float32)
    obj = dict(a=base, view=base[2:8].view(2, 3), t=base.view(3, 4).t(),
               p=nn.Parameter(torch.ones(2)), half=base.half(),
               same=[base, base])
    path = str(tmp_path / 'views.pth')
    torch.save(obj, path)
    loaded = read_plain_checkpoint(path)
    for key in ('a', 'view', 't', 'half'):
        assert torch.equal(loaded[key], obj[key]), key
    assert loaded['t'].stride() == (1, 4)
    assert loaded['view'].untyped_storage().data_ptr() == \
        loaded['a'].untyped_storage().data_ptr()
    assert isinstance(loaded['p'], nn.Parameter)
    assert loaded['same'][0] is loaded['same'][1]


@pytest.mark.parametrize('name', sorted(PAYLOADS))
def test_hostile_files_are_refused_in_one_line(tmp_path, name):
    path = str(tmp_path / f'{name}.pth')
    marker = tmp_path / 'payload_ran'
    PAYLOADS[name](path, str(marker))
    with pytest.raises(UserInputError) as err:
        _load_checkpoint(path, map_location='cpu')
    assert '\n' not in str(err.value) and path in str(err.value)
    assert not marker.exists()


def test_refused_objects_name_the_object_and_the_opt_in(tmp_path):
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(fn=os.getcwd, w=torch.ones(1)), path)
    with pytest.raises(UserInputError, match=r'holds posix\.getcwd.*'
                       f'{TRUST_ENV}={path}'):
        load_local_checkpoint(path)


def test_trusted_files_load_fully(tmp_path, monkeypatch):
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(fn=os.getcwd), path)
    monkeypatch.setenv(TRUST_ENV, str(tmp_path))
    assert load_local_checkpoint(path)['fn'] is os.getcwd
    monkeypatch.delenv(TRUST_ENV)
    other = str(tmp_path / 'evil2.pth')
    torch.save(dict(fn=os.getcwd), other)
    trust_checkpoint(other)
    assert load_local_checkpoint(other)['fn'] is os.getcwd


def test_malformed_is_not_offered_the_trust_opt_in(tmp_path):
    path = str(tmp_path / 'short.pth')
    PAYLOADS['storage_record_short'](path, '')
    with pytest.raises(UserInputError, match='damaged or crafted') as err:
        load_local_checkpoint(path)
    assert TRUST_ENV not in str(err.value)


@pytest.mark.parametrize('content,match', [
    (None, 'does not exist'),
    (b'not a checkpoint at all', 'not a PyTorch checkpoint'),
    (pickle.dumps({'a': 1}, protocol=2), 'format of torch < 1.6'),
])
def test_missing_foreign_and_legacy_files(tmp_path, content, match):
    path = tmp_path / 'x.pth'
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(UserInputError, match=match):
        load_local_checkpoint(str(path))


def test_a_folder_is_named_as_such(tmp_path):
    with pytest.raises(UserInputError, match='is a folder'):
        load_local_checkpoint(str(tmp_path))


def test_truncated_checkpoint(tmp_path):
    path = str(tmp_path / 'full.pth')
    mmengine_like(path)
    data = open(path, 'rb').read()
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(UserInputError, match='truncated'):
        load_local_checkpoint(str(cut))


def test_deep_nesting_is_refused_not_a_crash(tmp_path):
    nested = []
    for _ in range(3000):
        nested = [nested]
    path = str(tmp_path / 'deep.pth')
    import sys
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20000)
    try:
        torch.save(dict(x=nested), path)
    finally:
        sys.setrecursionlimit(limit)
    with pytest.raises(UserInputError, match='nested too deeply'):
        load_local_checkpoint(path)


def test_legitimate_values_once_refused_now_load(tmp_path):
    """A complex number in meta; conjugate and negative-bit views; an empty
    tensor: all load, equal to what torch.load gives."""
    z = torch.randn(3, dtype=torch.complex64)
    neg = torch.randn(3)._neg_view()
    data = dict(meta=dict(iter=1, phase=complex(1.5, -2)),
                state_dict=dict(conj=z.conj(), neg=neg,
                                empty=torch.zeros(0)))
    path = str(tmp_path / 'legit.pth')
    torch.save(data, path)
    loaded = load_local_checkpoint(path)
    assert loaded['meta']['phase'] == complex(1.5, -2)
    sd = loaded['state_dict']
    assert sd['conj'].is_conj() and torch.equal(sd['conj'], z.conj())
    assert sd['neg'].is_neg() and torch.equal(sd['neg'], neg)
    assert sd['empty'].shape == (0,)


def test_int_keys_and_counters_of_real_checkpoints_load(tmp_path):
    """Optimizer states are keyed by ints and MultiStep milestones are
    Counters: both load; a tuple key of numbers too."""
    data = dict(optimizer=dict(state={0: dict(momentum_buffer=torch.ones(2))},
                               param_groups=[dict(params=[0], lr=0.1)]),
                milestones=collections.Counter({6: 1, 7: 2}),
                pairs={(1, 'a'): 2})
    path = str(tmp_path / 'opt.pth')
    torch.save(data, path)
    loaded = load_local_checkpoint(path)
    assert loaded['milestones'] == collections.Counter({6: 1, 7: 2})
    assert torch.equal(loaded['optimizer']['state'][0]['momentum_buffer'],
                       torch.ones(2))
    assert loaded['pairs'] == {(1, 'a'): 2}
