"""Choosing the checkpoint that ``--resume`` without a path continues."""
import glob
import os
import os.path as osp
import re
import sys
import zipfile
from typing import Optional

_NUMBER = re.compile(r'(?:iter|epoch)_(\d+)\.pth$')


def is_complete_checkpoint(path: str) -> bool:
    """A torch zip checkpoint whose central directory was written."""
    return osp.isfile(path) and zipfile.is_zipfile(path)


def latest_complete_checkpoint(work_dir: str) -> Optional[str]:
    """The newest complete checkpoint of ``work_dir``, or None.

    mmengine resumes from the file named in ``last_checkpoint``; this also
    considers every ``iter_*.pth``/``epoch_*.pth`` and skips files a crash
    left truncated, so a partially written checkpoint is never picked, and
    ignores (with a warning) a ``last_checkpoint`` naming a file outside
    ``work_dir``.
    """
    candidates = set(glob.glob(osp.join(work_dir, 'iter_*.pth')) +
                     glob.glob(osp.join(work_dir, 'epoch_*.pth')))
    last_file = osp.join(work_dir, 'last_checkpoint')
    last = None
    if osp.isfile(last_file):
        last = open(last_file).read().strip() or None
        inside = osp.realpath(work_dir) + os.sep
        if last and not osp.realpath(osp.join(work_dir, last)).startswith(
                inside):
            print(f'warning: {last_file} names {last}, which is outside the '
                  'work dir; it is ignored (pass --resume PATH to continue '
                  'from it)', file=sys.stderr)
            last = None
        if last:
            candidates.add(last)
    complete = [c for c in candidates if is_complete_checkpoint(c)]
    if not complete:
        return None

    def number(path):
        match = _NUMBER.search(osp.basename(path))
        return (int(match.group(1)) if match else -1, path == last)
    return max(complete, key=number)
