"""Seeded mutants of a checkpoint as mmscratch writes it, and the worker
that loads them (``python fuzz_checkpoints.py FILE...``).

The base file has what a real run's checkpoint holds, as plain data: a
model's weights (GN, conv, linear), SGD's momentum buffers and parameter
groups, the message hub's scalars, schedulers with Counter milestones, RNG
states of numpy/torch/Python, the config text and the dataset's classes.
Mutations: byte flips in the file or inside data.pkl (re-zipped with valid
checksums), truncation, duplicated and removed members, opcode insertions,
compressed members.
"""
import collections
import json
import math
import random
import sys
import zipfile

import numpy as np
import torch

OPCODES = [b'(', b')', b'}', b']', b'0', b'1', b'2', b'R', b'b', b's',
           b'u', b'a', b'e', b't', b'\x85', b'\x86', b'\x87', b'\x91',
           b'\x8f', b'\x90', b'h\x00', b'q\x01', b'K\xff',
           b'J\xff\xff\xff\x7f',
           b'\x8a\x09' + b'\xff' * 9, b'\x8c\x02ab', b'N', b'\x88', b'.',
           b'ctorch\nfloat32\n', b'cbuiltins\nset\n', b'Q',
           b'ccollections\nOrderedDict\n']


def base_checkpoint(path: str) -> None:
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3), torch.nn.GroupNorm(2, 8),
        torch.nn.Flatten(), torch.nn.Linear(8 * 4 * 4, 5))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9,
                                weight_decay=1e-4)
    model(torch.randn(2, 3, 6, 6)).sum().backward()
    optimizer.step()
    keys, pos = np.random.RandomState(0).get_state()[1:3]
    checkpoint = dict(
        meta=dict(
            epoch=0, iter=4, seed=0, experiment_name='fuzz',
            cfg="model = dict(type='MaskRCNN')\n",
            dataset_meta=dict(classes=('circle', 'rectangle'),
                              palette=[(220, 20, 60), (119, 11, 32)]),
            model_identity=['MaskRCNN', 'ResNet', 18, 'GN', 'StandardRoIHead',
                            True, [6], 'random'],
            rng_state=dict(python=random.Random(0).getstate(),
                           numpy=['MT19937', keys.tolist(), int(pos), 0,
                                  0.0],
                           torch=torch.get_rng_state(), cuda=None)),
        state_dict=collections.OrderedDict(
            (k, v) for k, v in model.state_dict().items()),
        optimizer=optimizer.state_dict(),
        param_schedulers=[dict(milestones=collections.Counter({6: 1, 7: 1}),
                               gamma=0.1, last_step=4, by_epoch=False,
                               base_values=[0.02], _last_value=[0.002])],
        message_hub=dict(
            log_scalars={'train/loss': dict(  # as PlainCheckpointHook
                __history_buffer__=True, log_history=[1.5, 1.2],
                count_history=[1, 1], max_length=1000000)},
            runtime_info=dict(iter=4, max_iters=8, data_layout=dict(
                world_size=1, batch_size=4, seed=0, window=64)),
            resumed_keys={'iter': True}),
    )
    checkpoint['state_dict']._metadata = model.state_dict()._metadata
    torch.save(checkpoint, path)


def _members(path: str):
    with zipfile.ZipFile(path) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


def _rezip(path: str, members, method=zipfile.ZIP_STORED) -> None:
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # duplicate names
        with zipfile.ZipFile(path, 'w', method) as z:
            for name, body in members:
                z.writestr(name, body)


def mutate(base: str, path: str, rng: random.Random) -> str:
    """Write one mutant of ``base`` to ``path``; return its kind."""
    raw = open(base, 'rb').read()
    members = _members(base)
    pkl = next(i for i, (n, _) in enumerate(members)
               if n.endswith('/data.pkl'))
    kind = rng.choice(['file_flip', 'pickle_flip', 'pickle_flip',
                       'truncate', 'pickle_truncate', 'duplicate', 'remove',
                       'opcode', 'opcode', 'compress'])
    if kind == 'file_flip':
        data = bytearray(raw)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        open(path, 'wb').write(bytes(data))
        return kind
    if kind == 'truncate':
        open(path, 'wb').write(raw[:rng.randrange(len(raw))])
        return kind
    name, body = members[pkl]
    if kind == 'pickle_flip':
        data = bytearray(body)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        members[pkl] = (name, bytes(data))
    elif kind == 'pickle_truncate':
        members[pkl] = (name, body[:rng.randrange(len(body))])
    elif kind == 'opcode':
        at = rng.randrange(len(body))
        members[pkl] = (name, body[:at] + rng.choice(OPCODES) + body[at:])
    elif kind == 'duplicate':
        i = rng.randrange(len(members))
        other = bytes(reversed(members[i][1]))
        members.insert(rng.randrange(len(members) + 1),
                       (members[i][0], other))
    elif kind == 'remove':
        members.pop(rng.randrange(len(members)))
    elif kind == 'compress':
        method = rng.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2,
                             zipfile.ZIP_LZMA])
        _rezip(path, members, method)
        return kind
    _rezip(path, members)
    return kind


def same(a, b) -> bool:
    """Equal values, tensors bit for bit (NaN equals NaN)."""
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
            return False
        if a.dtype != b.dtype or a.shape != b.shape or \
                a.is_conj() != b.is_conj() or a.is_neg() != b.is_neg():
            return False
        a, b = a.resolve_conj().resolve_neg(), b.resolve_conj().resolve_neg()
        return torch.equal(a.contiguous().view(-1).view(torch.uint8),
                           b.contiguous().view(-1).view(torch.uint8)) \
            if a.numel() else True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and \
            a.dtype == b.dtype and a.shape == b.shape and \
            a.tobytes() == b.tobytes()
    if type(a) is not type(b) and not (
            isinstance(a, dict) and isinstance(b, dict)):
        return False
    if isinstance(a, dict):
        attrs = [dict(vars(x)) if hasattr(x, '__dict__') else {}
                 for x in (a, b)]
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a) \
            and list(attrs[0]) == list(attrs[1]) and all(
                same(attrs[0][k], attrs[1][k]) for k in attrs[0])
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, float) and math.isnan(b)
    return a == b


def main(paths) -> None:
    """For each file: 'start', our outcome, 'torch', torch's outcome and
    whether the two loaded values are the same, as JSON lines."""
    import resource
    limit = 4 << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import mmscratch  # noqa: F401
    from mmscratch.checkpoint import load_local_checkpoint
    from mmscratch.utils.errors import UserInputError

    def emit(**record):
        print(json.dumps(record), flush=True)
    for path in paths:
        emit(path=path, phase='ours')
        try:
            ours = load_local_checkpoint(path)
            result = dict(ours='loaded')
        except UserInputError as err:
            ours, result = None, dict(ours='refused', text=str(err))
        except BaseException as err:  # noqa: B902 (what the test counts)
            ours, result = None, dict(ours='exception',
                                      text=f'{type(err).__name__}: {err}')
        emit(path=path, phase='torch', **result)
        try:
            theirs = torch.load(path, weights_only=True)
            torch_result = 'loaded'
        except BaseException:  # noqa: B902
            theirs, torch_result = None, 'failed'
        equal = same(ours, theirs) if ours is not None and \
            theirs is not None else None
        emit(path=path, phase='done', torch=torch_result, same=equal,
             **result)


if __name__ == '__main__':
    main(sys.argv[1:])
