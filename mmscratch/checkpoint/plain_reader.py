"""Read a PyTorch checkpoint while rebuilding plain data only.

A checkpoint is a zip archive whose ``data.pkl`` is a pickle; unpickling it
with :mod:`pickle` lets the file call any importable function. This reader
runs the pickle through an unpickler of its own whose only callables are:

- tensor and parameter rebuilding, after checking that every view lies
  inside its storage and that each storage record has exactly the bytes its
  header claims;
- containers and scalars (``OrderedDict``, ``Counter``, ``set``,
  ``torch.Size``, torch dtypes, bytes through ``_codecs.encode``);
- numpy arrays and scalars of plain numeric dtypes, rebuilt here from
  validated fields (numpy's own unpickling of dtype state is never called:
  it takes field offsets and flags verbatim);
- mmengine's ``HistoryBuffer``, rebuilt through its constructor.

Anything else stops the read with :class:`RefusedObject` naming it.
Nothing here touches torch's process-wide safe-globals list.

The work is bounded by the file's size: archive members must be stored
uncompressed (as ``torch.save`` writes them), once each, inside the file;
storage records must hold exactly the bytes their references claim;
integers, dict keys, set members and nesting depth are bounded before any
arithmetic or hashing.
"""
import _compat_pickle
import collections
import functools
import io
import math
import os
import pickle
import re
import struct
import warnings
import zipfile
from typing import Any, Callable, Optional, Union

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

# byte lengths are bounded by the archive; these bound the shapes' sizes
_MAX_DIMS = 64
_STATISTICS = ('min', 'max', 'mean', 'current')
_NUMPY_KINDS = 'biufc'  # bool, signed, unsigned, float, complex
_MULTIARRAY = ('numpy.core.multiarray', 'numpy._core.multiarray')
_STORAGE_KEY = re.compile(r'^[\w.-]{1,64}$')
# devices a storage may name; 'meta' (no data) and others are refused
_LOCATION = re.compile(r'^(cpu|cuda|mps|xpu|npu|hpu|mlu|musa)(:\d{1,4})?$')
_MAX_INT_BITS = 256  # seeds, RNG words, counts and sizes all fit
_MAX_SIZE = 1 << 62  # shape, stride, offset and element counts
_MAX_DEPTH = 200  # containers inside containers
_TENSOR_METADATA = ('conj', 'neg')
# keys of one container sharing one hash: more are a hash-collision attack
# (each insert would compare with all of them: quadratic time)
_MAX_SAME_HASH = 8
# objects the loaded tree may hold once shared references are expanded,
# per byte of data.pkl (plus a constant): a list referenced 100 times by
# each of 100 lists referenced 100 times ... costs no bytes in the pickle
# but makes every walk of the tree (printing, copying) exponential
_EXPANSION_PER_BYTE = 2
_EXPANSION_SLACK = 100_000


def shown(value, limit: int = 40) -> str:
    """``value`` for a message: its type, and for a short string, bytes or
    number the value itself, never more than ``limit`` characters. Nothing
    that could take time or memory (repr of a tensor, a shared list) is
    formatted."""
    if isinstance(value, (str, bytes)):
        text = repr(value[:limit])
    elif type(value) in (bool, float, type(None)) or (
            type(value) is int and value.bit_length() <= _MAX_INT_BITS):
        text = repr(value)
    else:
        return f'a {type(value).__name__}'
    return text if len(text) <= limit else text[:limit - 3] + '...'


class RefusedObject(pickle.UnpicklingError):
    """The checkpoint holds something other than plain data."""


class MalformedCheckpoint(RefusedObject):
    """Plain data whose parts contradict each other (sizes, references)."""


class _StorageKind:
    """What a ``torch.<Type>Storage`` name in a pickle stands for."""

    def __init__(self, dtype: torch.dtype) -> None:
        self.dtype = dtype


_STORAGE_DTYPES = dict(
    UntypedStorage=torch.uint8, ByteStorage=torch.uint8,
    CharStorage=torch.int8, ShortStorage=torch.int16,
    IntStorage=torch.int32, LongStorage=torch.int64,
    HalfStorage=torch.float16, BFloat16Storage=torch.bfloat16,
    FloatStorage=torch.float32, DoubleStorage=torch.float64,
    BoolStorage=torch.bool, ComplexFloatStorage=torch.complex64,
    ComplexDoubleStorage=torch.complex128)


class _Dtype:
    """A numpy dtype named by a type code, with validated pickled state."""

    def __init__(self, code=None, align=False, copy=True) -> None:
        if not isinstance(code, str) or len(code) > 8:
            raise RefusedObject(f'numpy dtype {shown(code)}')
        try:
            dtype = np.dtype(code)
        except TypeError:
            raise RefusedObject(f'numpy dtype {shown(code)}') from None
        if dtype.kind not in _NUMPY_KINDS or dtype.fields is not None or \
                dtype.subdtype is not None:
            raise RefusedObject(f'numpy dtype {shown(code)} (only plain '
                                'numeric dtypes load)')
        self.dtype = dtype

    def __setstate__(self, state) -> None:
        # (version, byte order, subarray, names, fields, elsize, alignment,
        #  flags[, metadata]): only what a plain numeric dtype has
        plain = isinstance(state, tuple) and len(state) in (8, 9) and \
            state[0] in (3, 4) and state[1] in ('<', '>', '|', '=') and \
            state[2:5] == (None, None, None) and state[5:7] == (-1, -1) and \
            state[7] == 0 and (len(state) == 8 or state[8] is None)
        if not plain:
            raise RefusedObject(f'numpy dtype state of {shown(state)}')
        if state[1] in '<>':
            self.dtype = self.dtype.newbyteorder(state[1])


class _NdarrayType:
    """Stands for ``numpy.ndarray`` as the first argument of _reconstruct."""


class _Array:
    """A numpy array being rebuilt: shape, dtype and bytes, checked."""

    array = None

    def __setstate__(self, state) -> None:
        ok = isinstance(state, tuple) and len(state) == 5
        if ok:
            _, shape, dtype, fortran, raw = state
            ok = isinstance(dtype, _Dtype) and isinstance(raw, bytes) and \
                isinstance(fortran, bool) and _is_shape(shape)
        if not ok:
            raise RefusedObject('numpy array with object or malformed state')
        size = math.prod(shape) * dtype.dtype.itemsize
        if len(raw) != size:
            raise MalformedCheckpoint(
                f'numpy array of shape {shape} with {len(raw)} bytes '
                f'instead of {size}')
        self.array = np.frombuffer(raw, dtype=dtype.dtype).reshape(
            shape, order='F' if fortran else 'C').copy()


class _HistoryBufferState:
    """mmengine's HistoryBuffer being rebuilt from its pickled fields."""

    state = None

    def __setstate__(self, state) -> None:
        if not isinstance(state, dict):
            raise RefusedObject('HistoryBuffer with malformed state')
        self.state = state


def _is_shape(value) -> bool:
    return isinstance(value, tuple) and len(value) <= _MAX_DIMS and all(
        type(v) is int and 0 <= v < _MAX_SIZE for v in value)


def _simple_key(value, depth: int = 0) -> bool:
    """A dict key or set member that hashes in bounded time: a string, a
    bounded number, None, or a shallow tuple of those."""
    if value is None or isinstance(value, (str, bool, float)):
        return True
    if type(value) is int:
        return value.bit_length() <= _MAX_INT_BITS
    if type(value) is tuple and depth < 4:
        return all(_simple_key(v, depth + 1) for v in value)
    return False


def _check_keys(keys, what: str = 'dict key',
                hashes: Optional[collections.Counter] = None) -> None:
    """Refuse keys that are not simple, or more than
    :data:`_MAX_SAME_HASH` of one hash in one container (``hashes``: the
    container's counts so far)."""
    hashes = collections.Counter() if hashes is None else hashes
    for key in keys:
        if not _simple_key(key):
            if type(key) is tuple:
                raise MalformedCheckpoint(
                    f'a {what} of tuples nested too deeply')
            raise RefusedObject(f'a {what} of type {type(key).__name__} '
                                '(only strings, numbers and short tuples)')
        value = hash(key)
        hashes[value] += 1
        if hashes[value] > _MAX_SAME_HASH:
            raise MalformedCheckpoint(
                f'more than {_MAX_SAME_HASH} {what}s of one container '
                'share a hash (crafted to make loading take quadratic '
                'time)')


def _kind(value) -> str:
    return type(value).__name__


def _reconstruct(cls, shape, typecode):
    if cls is not _NdarrayType:
        raise RefusedObject('numpy _reconstruct of a non-ndarray type')
    return _Array()


def _numpy_scalar(dtype, raw=None):
    if not isinstance(dtype, _Dtype) or not isinstance(raw, bytes) or \
            len(raw) != dtype.dtype.itemsize:
        raise RefusedObject('numpy scalar with object or malformed data')
    return np.frombuffer(raw, dtype=dtype.dtype)[0]


def _encode(text, encoding='utf-8'):
    """``_codecs.encode``, which protocol-2 pickles use for bytes."""
    if not isinstance(text, str) or encoding not in ('latin1', 'latin-1'):
        raise RefusedObject(f'_codecs.encode(..., {shown(encoding)})')
    return text.encode('latin1')


def _history_getattr(obj, name):
    """``getattr``, as mmengine pickles HistoryBuffer's statistics only."""
    if obj is _HistoryBufferState and name in _STATISTICS:
        return name
    what = obj.__name__ if isinstance(obj, type) else shown(obj)
    raise RefusedObject(f'getattr({what}, {shown(name)})')


def _rebuild_tensor(storage, offset, size, stride, requires_grad,
                    backward_hooks, metadata=None):
    metadata = metadata or {}
    if not isinstance(storage, torch.storage.TypedStorage) or \
            type(offset) is not int or not 0 <= offset < _MAX_SIZE or \
            not _is_shape(size) or not _is_shape(stride) or \
            len(size) != len(stride) or \
            not isinstance(requires_grad, bool) or backward_hooks or \
            not isinstance(metadata, dict) or \
            any(k not in _TENSOR_METADATA or v is not True
                for k, v in metadata.items()):
        raise RefusedObject('tensor with malformed or extra state')
    if all(size):
        end = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
        if end > storage._size():
            raise MalformedCheckpoint(
                f'tensor view of {end} elements over a storage of '
                f'{storage._size()}')
        # a view repeating elements (stride 0) may not claim more elements
        # than its storage holds: printing or iterating 2^40 of them from a
        # 4-byte storage would never end
        numel = math.prod(size)
        if numel > max(storage._size(), 1):
            raise MalformedCheckpoint(
                f'tensor view of {numel} elements repeating a storage of '
                f'{storage._size()}')
    # conj/neg bits (a saved conjugate or negative view) as torch sets them
    return torch._utils._rebuild_tensor_v2(
        storage, offset, torch.Size(size), tuple(stride), requires_grad,
        collections.OrderedDict(), dict(metadata))


def _rebuild_parameter(data, requires_grad, backward_hooks):
    if not isinstance(data, torch.Tensor) or backward_hooks or \
            not isinstance(requires_grad, bool):
        raise RefusedObject('parameter with malformed or extra state')
    return torch.nn.Parameter(data, requires_grad)


def _checked_mapping(kind):
    """``kind(items)`` for OrderedDict and Counter, keys checked first."""
    def build(items=()):
        if isinstance(items, dict):
            pairs = list(items.items())
        elif isinstance(items, (list, tuple)) and all(
                isinstance(p, (list, tuple)) and len(p) == 2 for p in items):
            pairs = list(items)
        else:
            raise RefusedObject(f'{kind.__name__} of {_kind(items)}')
        _check_keys(k for k, _ in pairs)
        if kind is collections.Counter and not isinstance(items, dict):
            raise RefusedObject('Counter of pairs')
        return kind(dict(pairs))
    build.__name__ = kind.__name__
    return build


def _checked_set(kind):
    def build(items=()):
        if not isinstance(items, (list, tuple, set, frozenset)):
            raise RefusedObject(f'{kind.__name__} of {_kind(items)}')
        _check_keys(items, 'set member')
        return kind(items)
    return build


def _complex(real=0.0, imag=0.0):
    if not all(type(v) in (int, float) and (
            type(v) is float or v.bit_length() <= _MAX_INT_BITS)
            for v in (real, imag)):
        raise RefusedObject('complex of non-numbers')
    return complex(real, imag)


def _size(dims=()):
    """``torch.Size`` of at most 64 bounded dimensions."""
    dims = tuple(dims) if isinstance(dims, (list, tuple)) and \
        len(dims) <= _MAX_DIMS else None
    if dims is None or not _is_shape(dims):
        raise RefusedObject('torch.Size of other than up to '
                            f'{_MAX_DIMS} sizes')
    return torch.Size(dims)


def _containers() -> dict:
    allowed = {
        ('collections', 'OrderedDict'):
        _checked_mapping(collections.OrderedDict),
        ('collections', 'Counter'): _checked_mapping(collections.Counter),
        ('builtins', 'set'): _checked_set(set),
        ('builtins', 'frozenset'): _checked_set(frozenset),
        ('builtins', 'complex'): _complex,
        ('builtins', 'getattr'): _history_getattr,
        ('_codecs', 'encode'): _encode,
        ('torch', 'Size'): _size,
        ('torch._utils', '_rebuild_tensor_v2'): _rebuild_tensor,
        ('torch._utils', '_rebuild_parameter'): _rebuild_parameter,
        ('numpy', 'dtype'): _Dtype,
        ('numpy', 'ndarray'): _NdarrayType,
        ('mmengine.logging.history_buffer', 'HistoryBuffer'):
        _HistoryBufferState,
    }
    for module in _MULTIARRAY:
        allowed[(module, '_reconstruct')] = _reconstruct
        allowed[(module, 'scalar')] = _numpy_scalar
    for name, dtype in _STORAGE_DTYPES.items():
        allowed[('torch', name)] = _StorageKind(dtype)
    for name in dir(torch):
        if isinstance(getattr(torch, name), torch.dtype):
            allowed[('torch', name)] = getattr(torch, name)
    return allowed


_ALLOWED = _containers()
_BUILDABLE = (_Dtype, _Array, _HistoryBufferState)


class _PlainUnpickler(pickle._Unpickler):
    """The pure-Python unpickler, limited to :data:`_ALLOWED` callables.

    The pure-Python implementation is used because its opcode table can be
    changed: BUILD (set an object's state) only reaches the placeholders
    above and attribute dicts of OrderedDicts (``state_dict._metadata``).
    """

    dispatch = dict(pickle._Unpickler.dispatch)

    def __init__(self, data: bytes, load_storage: Callable) -> None:
        super().__init__(io.BytesIO(data))
        self._load_storage = load_storage
        # id(container) -> (container, Counter of its keys' hashes); the
        # container is held so that its id is not reused
        self._hashes = {}

    def _keys_hashes(self, target) -> collections.Counter:
        entry = self._hashes.get(id(target))
        if entry is None:
            entry = self._hashes[id(target)] = (target,
                                                collections.Counter())
        return entry[1]

    def find_class(self, module: str, name: str):
        # protocol < 3 writes Python 2 names (__builtin__.set)
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        found = _ALLOWED.get((module, name))
        if found is None:
            raise RefusedObject(f'{module}.{name}')
        return found

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and len(pid) == 5 and
                pid[0] in ('storage', b'storage') and
                isinstance(pid[1], _StorageKind)):
            raise MalformedCheckpoint(
                f'persistent id of {_kind(pid)} (a storage reference of '
                'five fields was expected)')
        _, kind, key, location, numel = pid
        key = key.decode('ascii', 'replace') if isinstance(key, bytes) \
            else key
        location = location.decode('ascii', 'replace') if isinstance(
            location, bytes) else location
        if not isinstance(key, str) or not _STORAGE_KEY.match(key) or \
                type(numel) is not int or not 0 <= numel < _MAX_SIZE:
            raise MalformedCheckpoint('malformed storage reference')
        if not isinstance(location, str) or not _LOCATION.match(location):
            raise MalformedCheckpoint(
                f'storage {key} on device {shown(location, 20)} (only '
                'real devices such as cpu or cuda:0 hold data)')
        return self._load_storage(kind.dtype, key, location, numel)

    def _build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        if isinstance(inst, _BUILDABLE):
            inst.__setstate__(state)
        elif type(inst) in (collections.OrderedDict, collections.Counter) \
                and isinstance(state, dict) and \
                set(state) <= {'_metadata'}:
            # state_dict._metadata (a dict of per-module versions)
            inst.__dict__.update(state)
        else:
            raise RefusedObject(
                f'state for a {type(inst).__name__} object')
        if not isinstance(getattr(inst, '_metadata', {}), dict):
            raise MalformedCheckpoint(
                'state dict metadata of '
                f'{type(inst._metadata).__name__} (a dict was expected)')

    def _setitem(self):
        value = self.stack.pop()
        key = self.stack.pop()
        self._store(self.stack[-1], [key, value])

    def _setitems(self):
        items = self.pop_mark()
        self._store(self.stack[-1], items)

    def _dict(self):
        items = self.pop_mark()
        target = {}
        self._store(target, items)
        self.append(target)

    def _store(self, target, items) -> None:
        if not isinstance(target, dict):
            raise RefusedObject(f'items set on a {_kind(target)}')
        keys = items[::2]
        _check_keys(keys, hashes=self._keys_hashes(target))
        for key, value in zip(keys, items[1::2]):
            target[key] = value

    def _additems(self):
        items = self.pop_mark()
        target = self.stack[-1]
        if not isinstance(target, set):
            raise RefusedObject(f'set members added to a {_kind(target)}')
        _check_keys(items, 'set member', self._keys_hashes(target))
        target.update(items)

    def _bytearray8(self):
        # pickle's own allocates the claimed length before reading it
        n, = struct.unpack('<Q', self.read(8))
        data = self.read(min(n, _MAX_SIZE))
        if len(data) != n:
            raise pickle.UnpicklingError('pickle data was truncated')
        self.append(bytearray(data))

    def _frozenset(self):
        items = self.pop_mark()
        _check_keys(items, 'set member')
        self.append(frozenset(items))

    def _appends(self):
        items = self.pop_mark()
        if not isinstance(self.stack[-1], list):
            raise RefusedObject(f'items appended to a '
                                f'{_kind(self.stack[-1])}')
        self.stack[-1].extend(items)

    def _append(self):
        value = self.stack.pop()
        if not isinstance(self.stack[-1], list):
            raise RefusedObject(f'items appended to a '
                                f'{_kind(self.stack[-1])}')
        self.stack[-1].append(value)

    def _long1(self):
        n = self.read(1)[0]
        self._push_int(self.read(n), n)

    def _long4(self):
        n, = struct.unpack('<i', self.read(4))
        if not 0 <= n <= _MAX_INT_BITS // 8:
            raise RefusedObject(f'an integer of {n} bytes')
        self._push_int(self.read(n), n)

    def _push_int(self, data: bytes, n: int) -> None:
        if len(data) != n:
            raise pickle.UnpicklingError('pickle data was truncated')
        value = pickle.decode_long(data)
        if value.bit_length() > _MAX_INT_BITS:
            raise RefusedObject(f'an integer of {value.bit_length()} bits')
        self.append(value)

    def _text_int(self, _load=None):
        _load(self)
        value = self.stack[-1]
        if type(value) is int and value.bit_length() > _MAX_INT_BITS:
            raise RefusedObject(f'an integer of {value.bit_length()} bits')

    def _global(self):
        module, name = self.readline(), self.readline()
        if not module.endswith(b'\n') or not name.endswith(b'\n'):
            raise pickle.UnpicklingError('pickle data was truncated')
        self.append(self.find_class(module[:-1].decode('utf-8'),
                                    name[:-1].decode('utf-8')))

    def _newobj(self):
        args = self.stack.pop()
        cls = self.stack.pop()
        if cls is not _HistoryBufferState or args:
            raise RefusedObject(f'{getattr(cls, "__name__", _kind(cls))} '
                                'built without its constructor')
        self.append(_HistoryBufferState())

    def _refused(self):
        raise RefusedObject('an object built by INST/OBJ/NEWOBJ_EX')

    dispatch.update({
        op[0]: method for op, method in (
            (pickle.BUILD, _build), (pickle.SETITEM, _setitem),
            (pickle.SETITEMS, _setitems), (pickle.DICT, _dict),
            (pickle.ADDITEMS, _additems), (pickle.FROZENSET, _frozenset),
            (pickle.APPEND, _append), (pickle.APPENDS, _appends),
            (pickle.LONG1, _long1), (pickle.LONG4, _long4),
            (pickle.NEWOBJ, _newobj), (pickle.GLOBAL, _global),
            (pickle.BYTEARRAY8, _bytearray8))})
    for _op in (pickle.INT, pickle.LONG):
        dispatch[_op[0]] = functools.partialmethod(
            _text_int, _load=pickle._Unpickler.dispatch[_op[0]])
    for _op in (pickle.INST, pickle.OBJ, pickle.NEWOBJ_EX):
        dispatch[_op[0]] = _refused
    del _op


MapLocation = Union[None, str, torch.device, dict, Callable]


def _restore(storage, location: str, map_location: MapLocation):
    if callable(map_location):
        moved = map_location(storage, location)
        if moved is not None:
            return moved
    elif isinstance(map_location, dict):
        location = map_location.get(location, location)
    elif map_location is not None:
        location = str(map_location)
    return torch.serialization.default_restore_location(storage, location)


def _checked_members(archive: zipfile.ZipFile, file_size: int) -> dict:
    """name -> ZipInfo, after checking that every member is stored once,
    uncompressed (as torch.save writes it), inside the file."""
    members = {}
    total = 0
    for info in archive.infolist():
        if info.filename in members:
            raise MalformedCheckpoint(
                f'archive member {info.filename[:60]} appears twice')
        if info.compress_type != zipfile.ZIP_STORED or \
                info.compress_size != info.file_size:
            raise MalformedCheckpoint(
                f'archive member {info.filename[:60]} is compressed '
                '(torch.save stores members uncompressed)')
        total += info.file_size
        members[info.filename] = info
    if total > file_size:
        raise MalformedCheckpoint(
            f'archive members claim {total} bytes in a file of {file_size}')
    return members


def read_plain_checkpoint(path: str, map_location: MapLocation = None):
    """Load the zip checkpoint ``path``, rebuilding plain data only.

    Memory is bounded by the file: members are stored uncompressed and read
    at most once (the pickle, and each storage record, whose bytes are
    copied once into a tensor).

    Args:
        path (str): a file written by ``torch.save`` (zip format, torch
            >= 1.6).
        map_location: as ``torch.load``'s. Defaults to None.

    Raises:
        RefusedObject: the file holds an object outside plain data, or
            contradicts itself (:class:`MalformedCheckpoint`).
        zipfile.BadZipFile, pickle.UnpicklingError, EOFError, ValueError,
        struct.error: the file is damaged or not a checkpoint.
    """
    # torch warns that TypedStorage is deprecated when a crafted record
    # reaches its public paths: the refusal is the one line to print
    with warnings.catch_warnings(), zipfile.ZipFile(path) as archive:
        warnings.filterwarnings('ignore', message='TypedStorage is '
                                'deprecated', category=UserWarning)
        members = _checked_members(archive, os.path.getsize(path))
        pickles = [n for n in members
                   if n.endswith('/data.pkl') and n.count('/') == 1]
        if len(pickles) != 1:
            raise pickle.UnpicklingError('no data.pkl record in the archive')
        prefix = pickles[0][:-len('data.pkl')]
        big_endian = prefix + 'byteorder' in members and \
            members[prefix + 'byteorder'].file_size < 16 and \
            archive.read(prefix + 'byteorder').strip() == b'big'
        storages = {}

        def load_storage(dtype, key, location, numel):
            nbytes = numel * torch._utils._element_size(dtype)
            if key in storages:
                untyped, first = storages[key]
                if first != (dtype, nbytes):
                    raise MalformedCheckpoint(
                        f'storage {key} referenced as two different types '
                        'or sizes')
            else:
                record = f'{prefix}data/{key}'
                if record not in members:
                    raise MalformedCheckpoint(
                        f'storage {key} with no data record')
                if members[record].file_size != nbytes:
                    raise MalformedCheckpoint(
                        f'storage {key} of {nbytes} bytes whose record '
                        f'holds {members[record].file_size}')
                data = archive.read(record)
                untyped = torch.UntypedStorage.from_buffer(
                    data, byte_order='little', dtype=torch.uint8) \
                    if data else torch.UntypedStorage(0)
                if big_endian:
                    untyped.byteswap(dtype)
                untyped = _restore(untyped, location, map_location)
                storages[key] = (untyped, (dtype, nbytes))
            return torch.storage.TypedStorage(
                wrap_storage=untyped, dtype=dtype, _internal=True)

        data = archive.read(pickles[0])
        loaded = _PlainUnpickler(data, load_storage).load()
    try:
        return _Finisher(_EXPANSION_PER_BYTE * len(data) +
                         _EXPANSION_SLACK).finish(loaded)
    except RecursionError:
        raise MalformedCheckpoint('containers nested too deeply') from None


_LEAVES = (type(None), bool, int, float, complex, str, bytes, torch.Tensor,
           torch.dtype, np.dtype)


class _Finisher:
    """Replaces the placeholders of a loaded tree by the real objects.

    Counts the objects of the tree with every shared reference expanded
    and refuses more than ``limit`` of them, or a container that holds
    itself.
    """

    def __init__(self, limit: int) -> None:
        self._done = {}
        self._weight = {}  # id -> objects in its expanded subtree
        self._open = set()  # ids of containers being finished
        self._limit = limit
        self._expanded = 0

    def _count(self, n: int) -> None:
        self._expanded += n
        if self._expanded > self._limit:
            raise MalformedCheckpoint(
                f'shared references expand to over {self._limit} objects '
                '(a small file that every walk of its content would take '
                'exponential time or memory to traverse)')

    def finish(self, obj: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise MalformedCheckpoint(
                f'containers nested too deeply (over {_MAX_DEPTH} levels)')
        key = id(obj)
        if key in self._open:
            raise MalformedCheckpoint('a container that holds itself')
        if key in self._done:
            self._count(self._weight.get(key, 1))
            return self._done[key]
        before = self._expanded
        self._open.add(key)
        try:
            value = self._finish(obj, key, depth)
        finally:
            self._open.discard(key)
        self._count(1)
        self._weight[key] = self._expanded - before
        return value

    def _finish(self, obj: Any, key: int, depth: int) -> Any:
        if isinstance(obj, _LEAVES) or (isinstance(obj, np.generic) and
                                        obj.dtype.kind in _NUMPY_KINDS):
            return self._remember(key, obj)
        if isinstance(obj, _Array):
            if obj.array is None:
                raise MalformedCheckpoint('numpy array without data')
            return self._remember(key, obj.array)
        if isinstance(obj, _Dtype):
            return self._remember(key, obj.dtype)
        if isinstance(obj, _HistoryBufferState):
            return self._remember(key, self._history_buffer(obj.state))
        if isinstance(obj, (list, dict)):
            self._remember(key, obj)  # in place: keeps shared references
            items = obj.items() if isinstance(obj, dict) else enumerate(obj)
            for k, v in list(items):
                obj[k] = self.finish(v, depth + 1)
            for k, v in list(getattr(obj, '__dict__', {}).items()):
                obj.__dict__[k] = self.finish(v, depth + 1)
            return obj
        if type(obj) in (tuple, torch.Size, set, frozenset):
            return self._remember(key, type(obj)(
                self.finish(v, depth + 1) for v in obj))
        raise RefusedObject(f'object of type {type(obj).__name__}')

    def _remember(self, key: int, value: Any) -> Any:
        self._done[key] = value
        return value

    def _history_buffer(self, state: Optional[dict]) -> HistoryBuffer:
        state = state or {}
        logs = self.finish(state.get('_log_history'))
        counts = self.finish(state.get('_count_history'))
        max_length = state.get('max_length')
        ok = all(isinstance(a, np.ndarray) and a.ndim == 1
                 for a in (logs, counts)) and len(logs) == len(counts) and \
            type(max_length) is int and max_length > 0
        if not ok:
            raise MalformedCheckpoint('HistoryBuffer with malformed fields')
        return HistoryBuffer(logs.tolist(), counts.tolist(), max_length)
