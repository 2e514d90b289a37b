"""Safe loading of local checkpoints under ``torch.load(weights_only=True)``.

torch >= 2.6 loads with ``weights_only=True`` by default, which rejects the
non-tensor objects mmengine stores in its checkpoints (the message hub's
``HistoryBuffer`` and numpy arrays and scalars). Instead of turning the safety
off for every file, mmscratch allow-lists exactly those objects. A file that
needs anything else loads only if the user vouches for it through the
``MMSCRATCH_TRUSTED_CHECKPOINTS`` environment variable (paths of files or
folders, separated by ``os.pathsep``) or :func:`trust_checkpoint`.
"""
import os
import os.path as osp
import pickle
import zipfile
from typing import Iterable, List, Optional, Set

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

from .errors import UserInputError

TRUST_ENV = 'MMSCRATCH_TRUSTED_CHECKPOINTS'
_trusted: Set[str] = set()


def _history_buffer_getattr(obj, name: str):
    """Stand-in for ``builtins.getattr``: only what mmengine pickles.

    mmengine pickles ``HistoryBuffer`` statistics methods as
    ``getattr(HistoryBuffer, 'mean')``; any other use is refused, so the
    allow-list does not hand arbitrary attribute access to a pickle.
    """
    if obj is HistoryBuffer and (name in HistoryBuffer._statistics_methods
                                 or name in ('min', 'max', 'mean',
                                             'current')):
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'getattr({obj!r}, {name!r}) is not allowed in a checkpoint')


def _numpy_globals() -> List:
    multiarray = np._core.multiarray if hasattr(np, '_core') else \
        np.core.multiarray
    found = [np.ndarray, np.dtype, multiarray._reconstruct, multiarray.scalar]
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        found += [getattr(dtypes, n) for n in dir(dtypes)
                  if n.endswith('DType')]
    return found


def allowed_globals() -> List:
    """Objects that checkpoints written by mmengine/mmdet may contain."""
    return [HistoryBuffer, (_history_buffer_getattr, 'builtins.getattr')] + \
        _numpy_globals()


def trust_checkpoint(path: str) -> None:
    """Allow full (unsafe) unpickling of ``path``, a file or a folder."""
    _trusted.add(osp.realpath(path))


def trusted_paths() -> Set[str]:
    """Paths the user vouches for: :func:`trust_checkpoint` plus the env."""
    env = [p for p in os.environ.get(TRUST_ENV, '').split(os.pathsep) if p]
    return _trusted | {osp.realpath(p) for p in env}


def is_trusted(filename: str) -> bool:
    """Whether ``filename`` is a trusted file or lies in a trusted folder."""
    real = osp.realpath(filename)
    return any(real == p or real.startswith(p.rstrip(os.sep) + os.sep)
               for p in trusted_paths())


def load_local_checkpoint(filename: str, map_location=None):
    """Load a local checkpoint with the allow-list, or fully if trusted.

    Raises:
        UserInputError: the file is missing, not a checkpoint, truncated,
            or holds objects outside the allow-list.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise UserInputError(
            f'checkpoint {filename} does not exist; check the path given to '
            '--resume, load_from or the test checkpoint argument')
    if is_trusted(filename):
        return torch.load(filename, map_location=map_location,
                          weights_only=False)
    try:
        return torch.load(filename, map_location=map_location,
                          weights_only=True)
    except pickle.UnpicklingError as err:
        names = _unsafe_globals(filename)
        if names:
            raise UserInputError(
                f'checkpoint {filename} holds objects outside the allow-list '
                f'({", ".join(names)}); if you trust this file, set '
                f'{TRUST_ENV}={filename} and run again') from None
        raise UserInputError(
            f'checkpoint {filename} is not a PyTorch checkpoint or is '
            f'damaged ({_reason(err)}); use another checkpoint') from None
    except (RuntimeError, EOFError, zipfile.BadZipFile, ValueError) as err:
        raise UserInputError(
            f'checkpoint {filename} is truncated or not a PyTorch checkpoint '
            f'({_reason(err)}); use an earlier checkpoint of the run'
        ) from None
    except Exception as err:  # the unpickler fails in many ways on junk
        raise UserInputError(
            f'checkpoint {filename} is not a PyTorch checkpoint or is '
            f'damaged ({type(err).__name__}); use another checkpoint'
        ) from None


def _reason(err: BaseException) -> str:
    """The informative line of a torch.load error, shortened."""
    lines = [ln.strip() for ln in str(err).splitlines() if ln.strip()]
    for ln in lines:
        if ln.startswith('WeightsUnpickler error:'):
            return ln[len('WeightsUnpickler error:'):].strip()[:160]
    text = lines[0] if lines else type(err).__name__
    return text.split('. ')[0][:160]


def _unsafe_globals(filename: str) -> List[str]:
    try:
        names = torch.serialization.get_unsafe_globals_in_checkpoint(
            filename)
    except Exception:  # the file may be unreadable in other ways too
        return []
    return sorted(set(names))


_installed = False


def install_checkpoint_loader(extra: Optional[Iterable] = None) -> None:
    """Register the allow-list and make mmengine use the safe local loader.

    Args:
        extra (Iterable, optional): more classes to allow-list. Defaults to
            None.
    """
    global _installed
    if not hasattr(torch.serialization, 'add_safe_globals'):
        return  # torch < 2.4 loads with weights_only=False by default
    torch.serialization.add_safe_globals(
        allowed_globals() + list(extra or []))
    if not _installed:
        CheckpointLoader.register_scheme(
            prefixes='', loader=load_local_checkpoint, force=True)
        _installed = True
