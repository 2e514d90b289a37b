"""Test scaffolding imported by a test config (custom_imports) only.

Counts how often this process opens the file named by COUNT_READS_OF and
prints ``opened N times`` to stderr at exit.
"""
import atexit
import builtins
import io
import os
import sys

_target = os.path.realpath(os.environ['COUNT_READS_OF'])
_open = builtins.open
_count = [0]


def _counting_open(file, *args, **kwargs):
    if isinstance(file, (str, os.PathLike)) and \
            os.path.realpath(file) == _target:
        _count[0] += 1
    return _open(file, *args, **kwargs)


builtins.open = io.open = _counting_open
atexit.register(lambda: print(f'opened {_count[0]} times', file=sys.stderr))
