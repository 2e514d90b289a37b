"""Choosing the checkpoint that ``--resume`` without a path continues."""
import glob
import os
import os.path as osp
import re
import sys
import zipfile
from typing import Callable, Optional

from ..utils.errors import UserInputError, printable_line

MAX_ENTRY = 4096  # bytes of last_checkpoint read: a path, no more
# checkpoints written this close together were copied, not trained: the
# highest step of them is the newest
COPY_WINDOW = 60


def is_complete_checkpoint(path: str) -> bool:
    """A torch zip checkpoint whose central directory was written."""
    return osp.isfile(path) and zipfile.is_zipfile(path)


def _inside(path: str, folder: str) -> bool:
    return osp.realpath(path).startswith(osp.realpath(folder) + os.sep)


def _named_by_last_checkpoint(work_dir: str) -> Optional[str]:
    """The file ``last_checkpoint`` names, resolved in ``work_dir``.

    A relative entry is relative to the work dir. An absolute entry outside
    it (a work dir copied from elsewhere) is taken as the file of the same
    name in this work dir when there is one.

    Raises:
        UserInputError: the entry names a file of another folder that this
            work dir does not hold.
    """
    last_file = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(last_file):
        return None
    try:
        with open(last_file, 'rb') as f:
            raw = f.read(MAX_ENTRY + 1)
        entry = raw.decode('utf-8').strip()
    except (OSError, UnicodeDecodeError):
        entry = None
    if entry is None or len(raw) > MAX_ENTRY or \
            not all(ch.isprintable() for ch in entry):
        print(f'warning: {last_file} does not hold a path (binary, too '
              'long or unreadable); ignoring it', file=sys.stderr)
        return None
    if not entry:
        return None
    path = entry if osp.isabs(entry) else osp.join(work_dir, entry)
    if _inside(path, work_dir):
        return path
    local = osp.join(work_dir, osp.basename(entry))
    if osp.isfile(local):
        return local
    raise UserInputError(
        f'{last_file} names {entry}, a file of another folder; resume it '
        'explicitly with --resume PATH, or delete last_checkpoint to resume '
        f'the newest checkpoint in {work_dir}')


def _step(path: str) -> int:
    match = re.search(r'_(\d+)\.pth$', path)
    return int(match.group(1)) if match else -1


def _newest_first(paths: list) -> list:
    """Newest written first; files written within :data:`COPY_WINDOW`
    seconds of the newest (a copy of a work dir without
    ``last_checkpoint``: ``cp`` gives them its own order as times) by
    their step, highest first."""
    if not paths:
        return []
    times = {p: os.stat(p).st_mtime for p in paths}
    newest = max(times.values())
    together = [p for p in paths if times[p] >= newest - COPY_WINDOW]
    rest = sorted((p for p in paths if p not in together),
                  key=lambda p: (times[p], p), reverse=True)
    return sorted(together, key=lambda p: (_step(p), p), reverse=True) + rest


def latest_complete_checkpoint(work_dir: str,
                               intact: Optional[Callable] = None
                               ) -> Optional[str]:
    """The checkpoint ``--resume`` continues in ``work_dir``, or None.

    The file ``last_checkpoint`` names (mmengine and the durable checkpoint
    hook update it after every complete save). Without it, or when that
    file is missing or was left truncated, the most recently written
    complete ``iter_*.pth``/``epoch_*.pth``, with a warning: files of an
    older run left in a reused work dir never win over the newer run's by
    their number, but of files written within a minute of the newest (a
    copied work dir) the highest step wins.

    Args:
        work_dir (str): the run's folder.
        intact (Callable, optional): loads a candidate and raises
            :class:`UserInputError` when it is damaged; such a candidate is
            skipped, with a warning, for the next newest (what an automatic
            restart needs). Defaults to None (not loaded here).

    Raises:
        UserInputError: ``last_checkpoint`` names a file of another run, or
            every candidate is damaged.
    """
    named = _named_by_last_checkpoint(work_dir)
    found = [p for p in glob.glob(osp.join(work_dir, 'iter_*.pth')) +
             glob.glob(osp.join(work_dir, 'epoch_*.pth'))
             if is_complete_checkpoint(p)]
    found = _newest_first(found)
    if named is not None and is_complete_checkpoint(named):
        found = [named] + [p for p in found if osp.realpath(p) !=
                           osp.realpath(named)]
    elif named is not None and found:
        print(f'warning: last_checkpoint names {named}, which is missing or '
              f'incomplete; resuming the newest complete checkpoint, '
              f'{found[0]}', file=sys.stderr)
    skipped = []
    for path in found:
        try:
            if intact is not None:
                intact(path)
        except UserInputError as err:
            skipped.append(str(err))
            print(f'warning: skipping {path}: {printable_line(str(err))}',
                  file=sys.stderr)
            continue
        return path
    if skipped:
        raise UserInputError(
            f'every checkpoint in {work_dir} is damaged (the newest: '
            f'{skipped[0]}); resume one explicitly with --resume PATH, or '
            'start over in another --work-dir')
    return None
