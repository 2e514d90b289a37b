"""Test scaffolding imported by a test config (custom_imports) only.

Makes the window of a kill during a checkpoint write certain: the fsync of
the temporary file of ``iter_<BLOCK_AT_ITER>.pth`` writes a marker file next
to it and then blocks until the process is killed.
"""
import os
import time

_fsync = os.fsync
_target = f'.iter_{os.environ.get("BLOCK_AT_ITER", "8")}.pth.'


def _blocking_fsync(fd):
    try:
        path = os.readlink(f'/proc/self/fd/{fd}')
    except OSError:
        path = ''
    if _target in os.path.basename(path):
        with open(os.path.join(os.path.dirname(path), 'blocked'), 'w'):
            pass
        while True:
            time.sleep(1)
    return _fsync(fd)


os.fsync = _blocking_fsync
