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


# Second round: crashes, hangs, memory, tracebacks, silent differences --
def with_pickle(path: str, data: bytes, extra=(), compress=None) -> None:
    """A torch zip archive whose data.pkl is ``data``; ``extra`` are
    (name, bytes) members added after it."""
    template = io.BytesIO()
    torch.save({}, template)
    with zipfile.ZipFile(io.BytesIO(template.getvalue())) as src, \
            zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            body = data if info.filename.endswith('/data.pkl') else \
                src.read(info.filename)
            dst.writestr(info.filename, body)
        for name, body in extra:
            dst.writestr(name, body, compress_type=compress)


def _deep_tuple(depth: int) -> bytes:
    return b')' + b'\x85' * depth  # EMPTY_TUPLE, then TUPLE1 depth times


def deep_tuple_key(path: str, marker: str) -> None:
    """A tuple nested 300,000 deep used as a dict key (hashing it would
    overflow the C stack)."""
    with_pickle(path, b'\x80\x02}' + _deep_tuple(300000) + b'K\x01s.')


def deep_frozenset(path: str, marker: str) -> None:
    """The same tuple inside a frozenset."""
    with_pickle(path, b'\x80\x02(' + _deep_tuple(300000) + b'\x91.')


def huge_integer(path: str, marker: str) -> None:
    """A 8-megabit integer as a tensor's size."""
    big = b'\x8b' + (1 << 20).to_bytes(4, 'little') + b'\xff' * (1 << 20)
    storage = (b'(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01'
               b'\x00\x00\x000X\x03\x00\x00\x00cpuK\x04tQ')
    data = (b'\x80\x02}X\x01\x00\x00\x00wctorch._utils\n_rebuild_tensor_v2'
            b'\n(' + storage + b'K\x00' + big + b'\x85K\x01\x85\x89'
            b'ccollections\nOrderedDict\n)RtRs.')
    with_pickle(path, data, [('archive/data/0', b'\0' * 16)])


def deflate_bomb(path: str, marker: str) -> None:
    """A storage record of 200 MB of zeros, deflated to a few hundred KB."""
    n = 50 * 1024 * 1024
    storage = (b'(X\x07\x00\x00\x00storagectorch\nFloatStorage\nX\x01'
               b'\x00\x00\x000X\x03\x00\x00\x00cpuJ' +
               n.to_bytes(4, 'little') + b'tQ')
    data = (b'\x80\x02}X\x01\x00\x00\x00wctorch._utils\n_rebuild_tensor_v2'
            b'\n(' + storage + b'K\x00J' + n.to_bytes(4, 'little') +
            b'\x85K\x01\x85\x89ccollections\nOrderedDict\n)RtRs.')
    with_pickle(path, data, [('archive/data/0', b'\0' * (4 * n))],
                compress=zipfile.ZIP_DEFLATED)


def _replace_member(path: str, src_obj, edit) -> None:
    buffer = io.BytesIO()
    torch.save(src_obj, buffer)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, \
            zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            for name, body, method in edit(info.filename,
                                           src.read(info.filename)):
                dst.writestr(name, body, compress_type=method)


def corrupt_deflate(path: str, marker: str) -> None:
    """data.pkl deflated, with its compressed bytes damaged."""
    _replace_member(path, dict(state_dict=dict(w=torch.ones(4))),
                    lambda name, body: [(name, body, zipfile.ZIP_DEFLATED)])
    raw = bytearray(open(path, 'rb').read())
    at = raw.find(b'data.pkl') + 40
    raw[at:at + 8] = b'\xff' * 8
    open(path, 'wb').write(bytes(raw))


def truncated_pickle(path: str, marker: str) -> None:
    """data.pkl cut in the middle of an opcode's argument."""
    _replace_member(path, dict(state_dict=dict(w=torch.ones(4))),
                    lambda name, body: [(name, body[:40] if name.endswith(
                        'data.pkl') else body, None)])


def duplicate_member(path: str, marker: str) -> None:
    """The storage record twice, with different bytes (zipfile and torch
    would each pick another)."""
    def edit(name, body):
        if name.endswith('/data/0'):
            return [(name, body, None), (name, b'\x7f' * len(body), None)]
        return [(name, body, None)]
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # zipfile: duplicate name
        _replace_member(path, dict(state_dict=dict(w=torch.ones(4))), edit)


def meta_device(path: str, marker: str) -> None:
    """A storage placed on the 'meta' device (a tensor without data)."""
    _replace_member(path, dict(state_dict=dict(w=torch.ones(4))),
                    lambda name, body: [(name, body.replace(
                        b'X\x03\x00\x00\x00cpu', b'X\x04\x00\x00\x00meta'),
                        None)])


def class_key(path: str, marker: str) -> None:
    """A dict key that is an allowed object other than a string or number
    (torch.float32)."""
    with_pickle(path, b'\x80\x02}ctorch\nfloat32\nK\x01s.')


def state_dict_list(path: str, marker: str) -> None:
    torch.save(dict(state_dict=[torch.ones(2)], meta=dict(iter=1)), path)


def state_dict_int_keys(path: str, marker: str) -> None:
    torch.save(dict(state_dict={0: torch.ones(2)}, meta=dict(iter=1)), path)


def ordereddict_get_attribute(path: str, marker: str) -> None:
    """A state dict whose attributes shadow its methods (get, keys)."""
    state = collections.OrderedDict(w=torch.ones(2))
    state.__dict__.update(get=1, keys=2)
    torch.save(dict(state_dict=state), path)


PAYLOADS.update({
    'deep_tuple_key': deep_tuple_key,
    'deep_frozenset': deep_frozenset,
    'huge_integer': huge_integer,
    'deflate_bomb': deflate_bomb,
    'corrupt_deflate': corrupt_deflate,
    'truncated_pickle': truncated_pickle,
    'duplicate_member': duplicate_member,
    'meta_device': meta_device,
    'class_key': class_key,
    'state_dict_list': state_dict_list,
    'state_dict_int_keys': state_dict_int_keys,
    'ordereddict_get_attribute': ordereddict_get_attribute,
})
# files that kill stock torch.load(weights_only=True) itself (SIGSEGV):
# left out of the test that compares plain torch.load with and without
# ``import mmscratch``
STOCK_TORCH_CRASHES = {'deep_tuple_key'}
# files on which stock torch.load's outcome changes from run to run (its
# zip reader inflates damaged deflate data into memory-dependent bytes:
# 29 of 30 loads UnpicklingError, 1 IndexError): left out of that
# comparison too
STOCK_TORCH_UNSTABLE = {'corrupt_deflate'}


# Third round: what the content of a loaded file makes the run do ---------
def _list_pickle(items: bytes) -> bytes:
    return b']q\x00(' + items + b'e'  # EMPTY_LIST, BINPUT 0, MARK, APPENDS


def _shared_lists() -> bytes:
    """Pickle of a list of 100 references to a list of 100 references ...
    (7 levels, 100^7 elements once expanded) in 1.6 KB."""
    body = b'(' + b'K\x00' * 100 + b'lq\x010'  # [0] * 100 as memo 1, POP
    for level in range(2, 8):  # each: 100 references to the one below
        body += b'(' + (b'h' + bytes([level - 1])) * 100 + b'lq' + \
            bytes([level]) + b'0'
    return body + b'h\x07'


def stride_zero_view(path: str, marker: str) -> None:
    """A 4-byte storage viewed as 2^40 elements (stride 0), passed to an
    allowed callable that refuses it (its message would print every
    element)."""
    view = torch.zeros(1).expand((2,) * 40)
    torch.save(dict(state_dict={}, x=Reduce(np.dtype, (view,))), path)


def shared_list_in_message(path: str, marker: str) -> None:
    """A list shared 100^6 ways through the memo (1.6 KB), passed to an
    allowed callable that refuses it."""
    data = (b'\x80\x02}(X\x01\x00\x00\x00xcnumpy\ndtype\n' +
            _shared_lists() +
            b'\x85RX\n\x00\x00\x00state_dict}u.')
    with_pickle(path, data)


def shared_list_expansion(path: str, marker: str) -> None:
    """The same shared list as a plain value: it loads, and every walk of
    the loaded tree (a deep copy on resume, printing) is exponential."""
    data = (b'\x80\x02}(X\x01\x00\x00\x00x' + _shared_lists() +
            b'X\n\x00\x00\x00state_dict}u.')
    with_pickle(path, data)


def colliding_int_keys(path: str, marker: str, count: int = 100000) -> None:
    """100,000 integer keys of one dict that all hash alike (each is
    1 + k * (2^61 - 1)): inserting them takes quadratic time."""
    prime = (1 << 61) - 1
    items = []
    for k in range(1, count + 1):
        key = (1 + k * prime).to_bytes(10, 'little')
        items.append(b'\x8a\x0a' + key + b'K\x01')  # LONG1 10 bytes, 1
    data = (b'\x80\x02}(X\n\x00\x00\x00state_dict}X\x01\x00\x00\x00x}(' +
            b''.join(items) + b'uu.')
    with_pickle(path, data)


def size_of_shared_list(path: str, marker: str) -> None:
    """torch.Size of one memoised million-element list, again and again
    (2 MB): 3 GB or minutes in torch.Size."""
    million = _list_pickle(b'K\x00' * 1000000)
    calls = (b'ctorch\nSize\nh\x00\x85R0') * 20
    data = (b'\x80\x02' + million + b'0}X\n\x00\x00\x00state_dict}s' +
            calls + b'.')
    with_pickle(path, data)


def bytearray_claim(path: str, marker: str) -> None:
    """BYTEARRAY8 claiming 1 GiB in a 374-byte file (pickle zero-fills the
    claimed size before reading)."""
    with_pickle(path, b'\x80\x05\x96' + (1 << 30).to_bytes(8, 'little') +
                b'.')


def escape_in_name(path: str, marker: str) -> None:
    """A refused global whose name erases the terminal line and prints a
    success message."""
    with_pickle(path, b'\x80\x02c\x1b[2K\rok: checkpoint loaded\nx\n.')


def metadata_not_a_dict(path: str, marker: str) -> None:
    """state_dict._metadata set to an int."""
    state = collections.OrderedDict(w=torch.ones(2))
    state._metadata = 5
    torch.save(dict(state_dict=state), path)


def self_holding_list(path: str, marker: str) -> None:
    """A list that holds itself (printing or copying it never ends)."""
    loop = []
    loop.append(loop)
    torch.save(dict(state_dict={}, meta=dict(x=loop)), path)


PAYLOADS.update({
    'stride_zero_view': stride_zero_view,
    'shared_list_in_message': shared_list_in_message,
    'shared_list_expansion': shared_list_expansion,
    'colliding_int_keys': colliding_int_keys,
    'size_of_shared_list': size_of_shared_list,
    'bytearray_claim': bytearray_claim,
    'escape_in_name': escape_in_name,
    'metadata_not_a_dict': metadata_not_a_dict,
    'self_holding_list': self_holding_list,
})
# files on which stock torch.load(weights_only=True) itself takes minutes
# or gigabytes (it shares these weaknesses): left out of the comparison
STOCK_TORCH_SLOW = {'colliding_int_keys', 'size_of_shared_list',
                    'shared_list_in_message', 'stride_zero_view'}
