"""``atomic_local``: an mmengine file backend whose writes are atomic.

mmengine's ``local`` backend writes straight into the final file, so a
crash or SIGKILL while writing leaves a truncated ``iter_N.pth``. This
backend writes the bytes to a temporary file in the same folder, syncs it,
renames it over the final name and syncs the folder, so a file with the
final name is always complete and survives a power loss once ``put``
returns. New files get the usual permissions (``0o666`` less the umask).
It does not create missing folders: a work dir that vanished is an error.

It is registered under its own name; mmengine's ``local`` backend is left
as it is. :class:`~mmscratch.engine.hooks.DurableCheckpointHook` uses it.
"""
import os
import os.path as osp
import secrets
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend


def fsync_folder(folder: str) -> None:
    """Make a rename or a new entry in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(data: Union[bytes, str], filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
    """Write ``data`` to ``filepath`` through a temporary file + rename.

    Raises:
        OSError: the folder is missing or not writable, or the disk is
            full; ``filepath`` is then unchanged and no temporary file is
            left behind.
    """
    filepath = str(filepath)
    folder = osp.dirname(osp.abspath(filepath))
    tmp = osp.join(folder, f'.{osp.basename(filepath)}.'
                   f'{secrets.token_hex(4)}.tmp')
    payload = data.encode(encoding) if isinstance(data, str) else data
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        if osp.lexists(tmp):
            os.remove(tmp)
        raise
    fsync_folder(folder)


@register_backend('atomic_local')
class AtomicLocalBackend(LocalBackend):
    """mmengine's local backend with atomic, durable ``put``/``put_text``."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        atomic_write(obj, filepath)

    def put_text(self, obj: str, filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        atomic_write(obj, filepath, encoding)
