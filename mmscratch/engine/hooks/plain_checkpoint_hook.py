from collections import OrderedDict
from typing import Any

import numpy as np
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer

from mmdet.registry import HOOKS

_BUFFER_KEY = '__history_buffer__'


def to_plain(obj: Any) -> Any:
    """``obj`` with numpy values as Python numbers and lists."""
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if type(obj) in (dict, OrderedDict):
        return type(obj)((k, to_plain(v)) for k, v in obj.items())
    if type(obj) in (list, tuple):
        return type(obj)(to_plain(v) for v in obj)
    return obj


def buffer_to_plain(buffer: HistoryBuffer) -> dict:
    """A HistoryBuffer as a dict of lists that torch loads safely."""
    logs, counts = buffer.data
    return {_BUFFER_KEY: True, 'log_history': logs.tolist(),
            'count_history': counts.tolist(),
            'max_length': buffer.max_length}


def plain_to_buffer(value: Any) -> Any:
    """Undo :func:`buffer_to_plain`; other values pass unchanged."""
    if isinstance(value, dict) and value.get(_BUFFER_KEY) is True:
        return HistoryBuffer(value['log_history'], value['count_history'],
                             value['max_length'])
    return value


@HOOKS.register_module()
class PlainCheckpointHook(Hook):
    """Write checkpoints that hold plain data only.

    mmengine puts ``HistoryBuffer`` objects (the logged scalars) and numpy
    values into each checkpoint, which stock ``torch.load`` (weights_only,
    the default since torch 2.6) refuses. Just before a checkpoint is
    saved, this hook turns them into lists and Python numbers, and turns
    the buffers back when a checkpoint is loaded. It runs after every
    other hook that adds to the checkpoint (priority LOWEST).
    """
    priority = 'LOWEST'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        hub = checkpoint.get('message_hub')
        if isinstance(hub, dict):
            hub['log_scalars'] = {
                key: buffer_to_plain(value)
                if isinstance(value, HistoryBuffer) else value
                for key, value in hub.get('log_scalars', {}).items()}
        for key in ('meta', 'message_hub'):
            if key in checkpoint:
                checkpoint[key] = to_plain(checkpoint[key])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        hub = checkpoint.get('message_hub')
        if isinstance(hub, dict) and isinstance(hub.get('log_scalars'),
                                                dict):
            hub['log_scalars'] = {
                key: plain_to_buffer(value)
                for key, value in hub['log_scalars'].items()}
