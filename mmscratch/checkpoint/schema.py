"""What a loaded checkpoint may hold: every field a run takes from it.

A checkpoint is data about *its* run. mmengine's runner and hooks and
mmscratch's hooks read fields of it on ``--resume``, ``load_from`` and
``tools/test.py``: counts they loop over, seeds they pass to numpy, paths
the checkpoint hook deletes, text they format into messages. Every such
field is declared here with its type and bounds; :func:`check_checkpoint`
refuses a file whose field breaks its declaration (one
:class:`MalformedCheckpoint` naming the field), except ``meta.cfg`` text
over :data:`MAX_CONFIG_TEXT`, which is dropped (nobody runs it; it only
serves the model-identity check of old checkpoints). Fields nobody reads
are left as the reader built them: plain data of bounded size.

What this cannot know here, the hooks check where they know it: that a
retained or best checkpoint is a file of the run's own work dir
(``DurableCheckpointHook``).
"""
import math
from typing import Any, Callable, Dict

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

from .plain_reader import MalformedCheckpoint, shown

MAX_STEP = 1 << 40  # iterations or epochs: 2^40 is beyond any schedule
MAX_PARAM_ID = 1 << 31  # optimizer parameter indices
MAX_ITEMS = 100_000  # entries of one declared list or dict
MAX_NAME = 4096  # paths, names and other short texts
MAX_CONFIG_TEXT = 256 << 10  # meta.cfg: larger texts are dropped
SEED_RANGE = 1 << 32  # numpy accepts seeds below 2^32
MT_WORDS = 624  # Mersenne Twister state words (Python and numpy)


class _Bad(Exception):
    """A field breaks its declaration (path and problem)."""


def _fail(path: str, problem: str):
    raise _Bad(f'{path} {problem}')


def _int(path: str, value, low: int = 0, high: int = MAX_STEP) -> int:
    if isinstance(value, np.integer):  # stock mmengine may save these
        value = int(value)
    if type(value) is not int or not low <= value <= high:
        _fail(path, f'is {shown(value)} (an int in [{low}, {high}] was '
              'expected)')
    return value


def _number(path: str, value, finite: bool = False):
    if isinstance(value, (np.integer, np.floating)):
        value = value.item()
    if type(value) not in (int, float) or (
            type(value) is int and abs(value) > MAX_STEP << 24) or (
            finite and not math.isfinite(value)):
        _fail(path, f'is {shown(value)} (a number was expected)')
    return value


def _text(path: str, value, limit: int = MAX_NAME) -> str:
    if not isinstance(value, str) or len(value) > limit:
        _fail(path, f'is {shown(value)} (a text of at most {limit} '
              'characters was expected)')
    return value


def _list(path: str, value, item: Callable, limit: int = MAX_ITEMS,
          kinds=(list,)) -> None:
    if type(value) not in kinds or len(value) > limit:
        _fail(path, f'is {shown(value)} (a list of at most {limit} items '
              'was expected)')
    for i, v in enumerate(value):
        item(f'{path}[{i}]', v)


def _mapping(path: str, value, item: Callable, key: Callable = None,
             limit: int = MAX_ITEMS) -> None:
    if not isinstance(value, dict) or len(value) > limit:
        _fail(path, f'is {shown(value)} (a dict of at most {limit} entries '
              'was expected)')
    key = key or (lambda p, k: _text(p + ' key', k))
    for k, v in value.items():
        key(path, k)
        item(f'{path}.{k}' if isinstance(k, str) else f'{path}[{k}]', v)


def _optional(check: Callable) -> Callable:
    return lambda path, value: None if value is None else check(path, value)


def _scalar(path: str, value) -> None:
    """A short plain value: None, bool, bounded number, short text."""
    if value is None or type(value) is bool:
        return
    if isinstance(value, str):
        _text(path, value)
    else:
        _number(path, value)


def _flat(path: str, value) -> None:
    """A scalar, or a short list/tuple/dict of scalars (a scheduler's or
    optimizer's setting: betas, milestones, base values)."""
    if isinstance(value, torch.Tensor) and value.numel() <= 4096:
        return  # e.g. an LR held as a tensor
    if isinstance(value, (list, tuple)):
        _list(path, value, _scalar, 4096, (list, tuple))
    elif isinstance(value, dict):
        _mapping(path, value, _scalar, _key_scalar, 4096)
    else:
        _scalar(path, value)


def _key_scalar(path: str, key) -> None:
    _scalar(path + ' key', key)


# -- meta -------------------------------------------------------------------
def _python_rng(path: str, value) -> None:
    ok = type(value) is tuple and len(value) == 3 and value[0] == 3 and \
        type(value[1]) is tuple and len(value[1]) == MT_WORDS + 1 and \
        all(type(w) is int and 0 <= w < SEED_RANGE for w in value[1]) and \
        value[1][-1] <= MT_WORDS and (value[2] is None or
                                      type(value[2]) is float)
    if not ok:
        _fail(path, f'is {shown(value)} (the state random.getstate() '
              'returns was expected)')


def _numpy_rng(path: str, value) -> None:
    ok = isinstance(value, (list, tuple)) and len(value) == 5 and \
        value[0] == 'MT19937' and isinstance(value[1], list) and \
        len(value[1]) == MT_WORDS and \
        all(type(w) is int and 0 <= w < SEED_RANGE for w in value[1]) and \
        type(value[2]) is int and 0 <= value[2] <= MT_WORDS and \
        type(value[3]) is int and value[3] in (0, 1) and \
        type(value[4]) in (int, float)
    if not ok:
        _fail(path, f'is {shown(value)} (numpy\'s MT19937 state was '
              'expected)')


def _byte_tensor(path: str, value) -> None:
    if not isinstance(value, torch.Tensor) or value.dtype != torch.uint8 \
            or value.dim() != 1 or value.numel() > 1 << 20:
        _fail(path, f'is {shown(value)} (a torch RNG state, a 1-D uint8 '
              'tensor, was expected)')


def _torch_rng(path: str, value) -> None:
    _byte_tensor(path, value)
    if value.numel() != torch.get_rng_state().numel():
        _fail(path, f'holds {value.numel()} bytes (a CPU generator state '
              f'has {torch.get_rng_state().numel()})')


def _rng_state(path: str, value) -> None:
    _mapping(path, value, lambda p, v: None, limit=16)
    _python_rng(path + '.python', value.get('python'))
    _numpy_rng(path + '.numpy', value.get('numpy'))
    _torch_rng(path + '.torch', value.get('torch'))
    _optional(lambda p, v: _list(p, v, _byte_tensor, 1024))(
        path + '.cuda', value.get('cuda'))


def _model_identity(path: str, value) -> None:
    ok = isinstance(value, list) and len(value) == 8 and \
        isinstance(value[6], list) and len(value[6]) <= 64 and \
        all(type(c) is int and 0 <= c < 1 << 31 for c in value[6]) and \
        all(v is None or type(v) is bool or
            (type(v) is int and abs(v) < 1 << 31) or
            (isinstance(v, str) and len(v) <= 64)
            for i, v in enumerate(value) if i != 6)
    if not ok:
        _fail(path, f'is {shown(value)} (the model identity mmscratch '
              'writes was expected)')


def _compute_budget(path: str, value) -> None:
    _mapping(path, value, lambda p, v: _nonnegative(p, v), limit=16)


def _nonnegative(path: str, value) -> None:
    _number(path, value, finite=True)
    if value < 0:
        _fail(path, f'is {shown(value)} (a count of at least 0 was '
              'expected)')


def _convergence_record(path: str, value) -> None:
    _mapping(path, value, lambda p, v: None, limit=16)
    _number(path + '.x', value.get('x'))
    _int(path + '.iter', value.get('iter'))
    _mapping(path + '.metrics', value.get('metrics'), _metric_record, None,
             1024)


def _metric_record(path: str, value) -> None:
    _mapping(path, value, _scalar, limit=16)
    for name in ('value', 'baseline', 'gap', 'ratio'):
        _number(f'{path}.{name}', value.get(name))


def _caught_up(path: str, value) -> None:
    _mapping(path, value, lambda p, v: None, limit=16)
    _number(path + '.x', value.get('x'))
    _int(path + '.iter', value.get('iter'))
    _optional(_number)(path + '.images', value.get('images'))


def check_convergence_state(value, path: str = 'convergence') -> dict:
    """The convergence hook's saved state (its checkpoint entry or its
    ``convergence_state.json``), checked.

    Raises:
        MalformedCheckpoint: a field breaks the declaration (its path).
    """
    try:
        _mapping(path, value, lambda p, v: None, limit=16)
        _list(path + '.history', value.get('history', []),
              _convergence_record)
        _mapping(path + '.caught_up', value.get('caught_up', {}), _caught_up,
                 limit=1024)
    except _Bad as err:
        raise MalformedCheckpoint(str(err)) from None
    return value


def _scratch_audit(path: str, value) -> None:
    _mapping(path, value, lambda p, v: None, limit=16)
    if type(value.get('from_scratch', False)) is not bool:
        _fail(path + '.from_scratch', 'is not True or False')
    _list(path + '.violations', value.get('violations', []),
          lambda p, v: _text(p, v, 1024), 256)


def _data_layout(path: str, value) -> None:
    """The data stream a run was saved with (its seed, the batch)."""
    _mapping(path, value, _scalar, limit=64)
    if 'seed' in value:
        _int(path + '.seed', value['seed'], 0, (1 << 64) - 1)
    for name in ('world_size', 'batch_size'):
        if name in value:
            _int(f'{path}.{name}', value[name], 1, 1 << 24)


META: Dict[str, Callable] = {
    'epoch': _int,
    'iter': _int,
    'seed': _optional(lambda p, v: _int(p, v, 0, SEED_RANGE - 1)),
    'experiment_name': _text,
    'rng_state': _rng_state,
    'rng_states': lambda p, v: _list(p, v, _rng_state, 1 << 16),
    'model_identity': _model_identity,
    'compute_budget': _compute_budget,
    'convergence': lambda p, v: check_convergence_state(v, p),
    'scratch_audit': _scratch_audit,
    'param_scheduler_types': lambda p, v: _list(
        p, v, lambda q, w: _text(q, w, 128), 256),
    'optimizer_type': lambda p, v: _text(p, v, 128),
    'optim_wrapper': lambda p, v: _mapping(
        p, v, lambda q, w: _text(q, w, 512),
        lambda q, k: _text(q + ' key', k, 64), 64),
}


# -- message hub -------------------------------------------------------------
def _log_buffer(path: str, value) -> None:
    """A HistoryBuffer, or the plain form PlainCheckpointHook writes."""
    if isinstance(value, HistoryBuffer):
        return
    if not isinstance(value, dict):
        _fail(path, f'is {shown(value)} (a log buffer was expected)')
    numbers = lambda p, v: _list(p, v, _number)  # noqa: E731
    numbers(path + '.log_history', value.get('log_history'))
    numbers(path + '.count_history', value.get('count_history'))
    if len(value['log_history']) != len(value['count_history']):
        _fail(path, 'has histories of two lengths')
    _int(path + '.max_length', value.get('max_length'), 1, 1 << 20)


def _runtime_value(path: str, value) -> None:
    name = path.rsplit('.', 1)[-1]
    if name == 'keep_ckpt_ids':
        _list(path, value, _int, 1 << 16)
    elif name in ('last_ckpt', 'experiment_name') or \
            name.startswith('best_ckpt'):
        _text(path, value)
    elif name.startswith('best_score'):
        _number(path, value)
    elif name in ('epoch', 'iter', 'max_epochs', 'max_iters'):
        _int(path, value)
    elif name == 'transient_ckpt':
        _optional(_int)(path, value)
    elif name == 'data_layout':
        _data_layout(path, value)


def _message_hub(path: str, value) -> None:
    for part in ('log_scalars', 'runtime_info', 'resumed_keys'):
        if part not in value:
            _fail(path, f'has no {part} (mmengine\'s message hub saves '
                  'log_scalars, runtime_info and resumed_keys)')
    _mapping(path + '.log_scalars', value['log_scalars'], _log_buffer)
    _mapping(path + '.runtime_info', value['runtime_info'], _runtime_value)
    _mapping(path + '.resumed_keys', value['resumed_keys'],
             lambda p, v: None if type(v) is bool else _fail(
                 p, f'is {shown(v)} (True or False was expected)'))


# -- optimizer and schedulers ------------------------------------------------
def _param_group(path: str, value) -> None:
    _mapping(path, value, lambda p, v: None if p.endswith('.params')
             else _flat(p, v), limit=256)
    _list(path + '.params', value.get('params'),
          lambda p, v: _int(p, v, 0, MAX_PARAM_ID))


def _param_state(path: str, value) -> None:
    _mapping(path, value, lambda p, v: None if isinstance(
        v, torch.Tensor) else _scalar(p, v), limit=256)


def _optimizer(path: str, value) -> None:
    if 'param_groups' not in value:  # several optimizers, by name
        _mapping(path, value, _optimizer_of, limit=64)
        return
    _list(path + '.param_groups', value['param_groups'], _param_group,
          4096)
    _mapping(path + '.state', value.get('state', {}), _param_state,
             lambda p, k: _int(p + ' key', k, 0, MAX_PARAM_ID))
    scaler = value.get('loss_scaler')
    if scaler is not None:
        _mapping(path + '.loss_scaler', scaler, _scalar, limit=64)


def _optimizer_of(path: str, value) -> None:
    if not isinstance(value, dict) or 'param_groups' not in value:
        _fail(path, f'is {shown(value)} (an optimizer state with '
              'param_groups was expected)')
    _optimizer(path, value)


def _scheduler(path: str, value) -> None:
    # mmengine's load_state_dict sets each entry as an attribute
    if isinstance(value, dict) and 'optimizer' in value:
        _fail(path, 'names an optimizer (a scheduler state never holds one)')
    _mapping(path, value, _flat, limit=256)
    for name in ('last_step', 'begin', 'end'):
        if name in value:
            _int(f'{path}.{name}', value[name], -1, MAX_STEP)


def _schedulers(path: str, value) -> None:
    if isinstance(value, dict):  # several optimizers, by name
        _mapping(path, value, lambda p, v: _list(p, v, _scheduler, 256),
                 limit=64)
    else:
        _list(path, value, _scheduler, 256)


def _metadata(path: str, value) -> None:
    """``state_dict._metadata``: per-module versions torch compares."""
    _mapping(path, value, lambda p, v: _mapping(
        p, v, lambda q, w: _int(q, w, 0, 1 << 16) if q.endswith('.version')
        else _scalar(q, w), limit=16))


SECTIONS: Dict[str, Callable] = {
    'message_hub': _message_hub,
    'optimizer': _optimizer,
    'param_schedulers': _schedulers,
}


def check_checkpoint(checkpoint: Any) -> Any:
    """``checkpoint`` (a loaded dict) with every declared field checked.

    ``meta.cfg`` longer than :data:`MAX_CONFIG_TEXT` is dropped.

    Raises:
        MalformedCheckpoint: a field breaks its declaration; the message
            names the field.
    """
    if not isinstance(checkpoint, dict):
        return checkpoint
    try:
        weights = checkpoint.get('state_dict', checkpoint)
        metadata = getattr(weights, '_metadata', None)
        if metadata is not None:
            _metadata('state_dict._metadata', metadata)
        meta = checkpoint.get('meta')
        if isinstance(meta, dict):
            cfg = meta.get('cfg')
            if cfg is not None and (not isinstance(cfg, str) or
                                    len(cfg) > MAX_CONFIG_TEXT):
                del meta['cfg']
            for key, check in META.items():
                if key in meta:
                    check(f'meta.{key}', meta[key])
        for key, check in SECTIONS.items():
            if key in checkpoint:
                check(key, checkpoint[key])
    except _Bad as err:
        raise MalformedCheckpoint(str(err)) from None
    return checkpoint
