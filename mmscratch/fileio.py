"""Atomic writes for local files (checkpoints above all).

mmengine writes a checkpoint with ``LocalBackend.put``, straight into the
final file: a crash or SIGKILL while writing leaves a truncated
``iter_N.pth``. Here the bytes go to a temporary file in the same folder,
which is flushed, synced and then renamed over the final name, so a file
with the final name is always complete.
"""
import os
import os.path as osp
import tempfile
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend
from mmengine.fileio import io as file_io


def atomic_write(data: Union[bytes, str], filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
    """Write ``data`` to ``filepath`` through a temporary file + rename."""
    filepath = str(filepath)
    folder = osp.dirname(osp.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f'.{osp.basename(filepath)}.',
                               suffix='.tmp', dir=folder)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data.encode(encoding) if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


class AtomicLocalBackend(LocalBackend):
    """mmengine's local backend with atomic ``put`` and ``put_text``."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        atomic_write(obj, filepath)

    def put_text(self, obj: str, filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        atomic_write(obj, filepath, encoding)


def install_atomic_local_backend() -> None:
    """Make mmengine's file I/O use :class:`AtomicLocalBackend` for paths."""
    register_backend('local', AtomicLocalBackend, force=True, prefixes='')
    # drop local backends mmengine made (and cached) before this call
    cache = file_io.backend_instances
    for key in [k for k, v in cache.items()
                if type(v) is LocalBackend]:
        del cache[key]
