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
"""
import _compat_pickle
import collections
import io
import math
import pickle
import re
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
            raise RefusedObject(f'numpy dtype {code!r}')
        try:
            dtype = np.dtype(code)
        except TypeError:
            raise RefusedObject(f'numpy dtype {code!r}') from None
        if dtype.kind not in _NUMPY_KINDS or dtype.fields is not None or \
                dtype.subdtype is not None:
            raise RefusedObject(f'numpy dtype {code!r} (only plain numeric '
                                'dtypes load)')
        self.dtype = dtype

    def __setstate__(self, state) -> None:
        # (version, byte order, subarray, names, fields, elsize, alignment,
        #  flags[, metadata]): only what a plain numeric dtype has
        plain = isinstance(state, tuple) and len(state) in (8, 9) and \
            state[0] in (3, 4) and state[1] in ('<', '>', '|', '=') and \
            state[2:5] == (None, None, None) and state[5:7] == (-1, -1) and \
            state[7] == 0 and (len(state) == 8 or state[8] is None)
        if not plain:
            raise RefusedObject(f'numpy dtype state {state!r:.80}')
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
        type(v) is int and v >= 0 for v in value)


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
        raise RefusedObject(f'_codecs.encode(..., {encoding!r})')
    return text.encode('latin1')


def _history_getattr(obj, name):
    """``getattr``, as mmengine pickles HistoryBuffer's statistics only."""
    if obj is _HistoryBufferState and name in _STATISTICS:
        return name
    raise RefusedObject(f'getattr({getattr(obj, "__name__", obj)!r}, '
                        f'{name!r})')


def _rebuild_tensor(storage, offset, size, stride, requires_grad,
                    backward_hooks, metadata=None):
    if not isinstance(storage, torch.storage.TypedStorage) or \
            type(offset) is not int or offset < 0 or not _is_shape(size) \
            or not _is_shape(stride) or len(size) != len(stride) or \
            not isinstance(requires_grad, bool) or backward_hooks or \
            metadata:
        raise RefusedObject('tensor with malformed or extra state')
    if all(size):
        end = offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
        if end > storage._size():
            raise MalformedCheckpoint(
                f'tensor view of {end} elements over a storage of '
                f'{storage._size()}')
    return torch._utils._rebuild_tensor_v2(
        storage, offset, torch.Size(size), tuple(stride), requires_grad,
        collections.OrderedDict())


def _rebuild_parameter(data, requires_grad, backward_hooks):
    if not isinstance(data, torch.Tensor) or backward_hooks or \
            not isinstance(requires_grad, bool):
        raise RefusedObject('parameter with malformed or extra state')
    return torch.nn.Parameter(data, requires_grad)


def _containers() -> dict:
    allowed = {
        ('collections', 'OrderedDict'): collections.OrderedDict,
        ('collections', 'Counter'): collections.Counter,
        ('builtins', 'set'): set,
        ('builtins', 'frozenset'): frozenset,
        ('builtins', 'getattr'): _history_getattr,
        ('_codecs', 'encode'): _encode,
        ('torch', 'Size'): torch.Size,
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
            raise MalformedCheckpoint(f'persistent id {pid!r:.80}')
        _, kind, key, location, numel = pid
        key = key.decode('ascii') if isinstance(key, bytes) else key
        location = location.decode('ascii') if isinstance(
            location, bytes) else location
        if not isinstance(key, str) or not _STORAGE_KEY.match(key) or \
                not isinstance(location, str) or type(numel) is not int \
                or numel < 0:
            raise MalformedCheckpoint(f'storage reference {pid[2:]!r:.80}')
        return self._load_storage(kind.dtype, key, location, numel)

    def _build(self):
        state = self.stack.pop()
        inst = self.stack[-1]
        if isinstance(inst, _BUILDABLE):
            inst.__setstate__(state)
        elif type(inst) in (collections.OrderedDict, collections.Counter) \
                and isinstance(state, dict) and all(
                    isinstance(k, str) and not k.startswith('__')
                    for k in state):
            inst.__dict__.update(state)
        else:
            raise RefusedObject(
                f'state for a {type(inst).__name__} object')

    dispatch[pickle.BUILD[0]] = _build


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


def read_plain_checkpoint(path: str, map_location: MapLocation = None):
    """Load the zip checkpoint ``path``, rebuilding plain data only.

    Args:
        path (str): a file written by ``torch.save`` (zip format, torch
            >= 1.6).
        map_location: as ``torch.load``'s. Defaults to None.

    Raises:
        RefusedObject: the file holds an object outside plain data.
        zipfile.BadZipFile, pickle.UnpicklingError, EOFError, ValueError:
            the file is damaged or not a checkpoint.
    """
    with zipfile.ZipFile(path) as archive:
        pickles = [n for n in archive.namelist()
                   if n.endswith('/data.pkl') and n.count('/') == 1]
        if len(pickles) != 1:
            raise pickle.UnpicklingError('no data.pkl record in the archive')
        prefix = pickles[0][:-len('data.pkl')]
        names = set(archive.namelist())
        big_endian = prefix + 'byteorder' in names and \
            archive.read(prefix + 'byteorder').strip() == b'big'
        storages = {}

        def load_storage(dtype, key, location, numel):
            nbytes = numel * torch._utils._element_size(dtype)
            if key not in storages:
                record = f'{prefix}data/{key}'
                if record not in names:
                    raise MalformedCheckpoint(
                        f'storage {key} with no data record')
                data = archive.read(record)
                if len(data) < nbytes:
                    raise MalformedCheckpoint(
                        f'storage {key} of {nbytes} bytes whose record '
                        f'holds {len(data)}')
                untyped = torch.UntypedStorage.from_buffer(
                    data, byte_order='little', dtype=torch.uint8)
                if big_endian:
                    untyped.byteswap(dtype)
                storages[key] = _restore(untyped, location, map_location)
            untyped = storages[key]
            if untyped.nbytes() < nbytes:
                raise MalformedCheckpoint(
                    f'storage {key} read as a larger type')
            return torch.storage.TypedStorage(
                wrap_storage=untyped, dtype=dtype, _internal=True)

        loaded = _PlainUnpickler(archive.read(pickles[0]),
                                 load_storage).load()
    try:
        return _Finisher().finish(loaded)
    except RecursionError:
        raise RefusedObject('containers nested too deeply') from None


_LEAVES = (type(None), bool, int, float, complex, str, bytes, torch.Tensor,
           torch.dtype, np.dtype)


class _Finisher:
    """Replaces the placeholders of a loaded tree by the real objects."""

    def __init__(self) -> None:
        self._done = {}

    def finish(self, obj: Any) -> Any:
        key = id(obj)
        if key in self._done:
            return self._done[key]
        if isinstance(obj, _LEAVES) or (isinstance(obj, np.generic) and
                                        obj.dtype.kind in _NUMPY_KINDS):
            return obj
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
                obj[k] = self.finish(v)
            for k, v in list(getattr(obj, '__dict__', {}).items()):
                obj.__dict__[k] = self.finish(v)
            return obj
        if type(obj) in (tuple, torch.Size, set, frozenset):
            return self._remember(key, type(obj)(self.finish(v) for v in obj))
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
