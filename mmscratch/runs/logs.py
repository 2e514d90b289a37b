"""Read what mmengine writes into a work dir.

A work dir holds one timestamped folder per launch (``20240101_120000/``),
each with ``vis_data/scalars.json`` (one JSON object per line: training
scalars with ``iter``/``step``, validation metrics with ``step``). Resumed
runs add folders; the newest record for a step wins. Runs that were cut short
or are still being written are read up to their last complete line.
"""
import glob
import json
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from ..utils.errors import UserInputError

_STAMP = re.compile(r'^\d{8}_\d{6}$')


@dataclass
class RunLog:
    """Scalars of one work dir.

    Attributes:
        work_dir (str): the folder read.
        train (list[dict]): training records sorted by step.
        val (list[dict]): validation records sorted by step, one per step.
    """
    work_dir: str
    train: List[Dict] = field(default_factory=list)
    val: List[Dict] = field(default_factory=list)

    def metric(self, name: str) -> List[tuple]:
        """(step, value) of a validation metric such as coco/bbox_mAP."""
        return [(r['step'], r[name]) for r in self.val if name in r]

    def train_metric(self, name: str) -> List[tuple]:
        """(step, value) of a training scalar such as loss or lr."""
        return [(r['step'], r[name]) for r in self.train if name in r]

    def train_metric_names(self) -> List[str]:
        return sorted({k for r in self.train for k in r
                       if k not in ('step', 'iter', 'epoch')})

    def final(self, name: str) -> Optional[float]:
        """The last logged value of a validation metric, or None."""
        points = self.metric(name)
        return points[-1][1] if points else None

    def metric_names(self) -> List[str]:
        names = {k for r in self.val for k in r if k != 'step'}
        return sorted(names)


def launch_dirs(work_dir: str) -> List[str]:
    """Timestamped launch folders of a work dir, oldest first."""
    return sorted(d for d in glob.glob(osp.join(work_dir, '*'))
                  if osp.isdir(d) and _STAMP.match(osp.basename(d)))


MAX_LINE = 1 << 20  # bytes of one record; a longer line is damaged
MAX_STEP = 1 << 40


def _read_lines(path: str) -> List[Dict]:
    """The records of one scalars.json: JSON objects with an int step (or
    none), up to the first line that is not one (still being written, or
    damaged: invalid UTF-8 or JSON, a number of thousands of digits)."""
    records = []
    with open(path, 'rb') as f:
        while True:
            line = f.readline(MAX_LINE + 1)
            if not line:
                break
            if not line.strip():
                continue
            try:
                record = json.loads(line.decode('utf-8'))
            except (ValueError, RecursionError):
                break  # UnicodeDecodeError and JSONDecodeError included
            step = record.get('step') if isinstance(record, dict) else 0.5
            if step is not None and not (type(step) is int and
                                         0 <= step <= MAX_STEP):
                break
            records.append(record)
    return records


def read_run(work_dir: str) -> RunLog:
    """Merge the scalars of every launch in ``work_dir``.

    Raises:
        UserInputError: ``work_dir`` is missing or holds no mmengine logs.
    """
    if not osp.isdir(work_dir):
        raise UserInputError(f'{work_dir} is not a folder; pass the work dir '
                             'of a run (it holds timestamped log folders)')
    files = [osp.join(d, 'vis_data', 'scalars.json')
             for d in launch_dirs(work_dir)]
    files = [f for f in files if osp.isfile(f)]
    if not files:
        raise UserInputError(f'{work_dir} holds no mmengine logs '
                             '(no <timestamp>/vis_data/scalars.json)')
    train: Dict[int, Dict] = {}
    val: Dict[int, Dict] = {}
    seen_in: Dict[tuple, str] = {}
    for path in files:
        for rec in _read_lines(path):
            step = rec.get('step')
            if step is None:
                continue
            # records of one step from several writers (the logger, the
            # budget hook) merge; a later launch of the same step replaces
            target = val if any(k.startswith(('coco/', 'pascal_voc/'))
                                for k in rec) else train
            if path != seen_in.get((id(target), step)):
                target[step] = {}
                seen_in[(id(target), step)] = path
            target[step].update(rec)
    return RunLog(work_dir, [train[k] for k in sorted(train)],
                  [val[k] for k in sorted(val)])


def config_name(work_dir: str) -> str:
    """The config name mmengine dumped into the work dir, else its name."""
    dumped = [osp.splitext(osp.basename(p))[0]
              for p in glob.glob(osp.join(work_dir, '*.py'))]
    if len(dumped) == 1:
        return dumped[0]
    return osp.basename(osp.normpath(work_dir))


def lr_drops(run: RunLog, factor: float = 0.5) -> List[int]:
    """Steps where the logged LR fell below ``factor`` x the previous one."""
    drops, prev = [], None
    for rec in run.train:
        lr = rec.get('lr')
        if lr is None:
            continue
        if prev is not None and lr < prev * factor:
            drops.append(rec['step'])
        prev = lr
    return drops


def images_at(run: RunLog, steps: List[float]) -> List[float]:
    """Images seen at the given steps, from the logged budget/images.

    Raises:
        UserInputError: the run was trained without ComputeBudgetHook.
    """
    seen = [(r['step'], r['budget/images']) for r in run.train
            if 'budget/images' in r]
    if not seen:
        raise UserInputError(
            f'{run.work_dir} has no budget/images (trained without '
            'ComputeBudgetHook); use --x iter')
    out = []
    for step in steps:
        below = [p for p in seen if p[0] <= step]
        above = [p for p in seen if p[0] >= step]
        if below and above and above[0][0] != below[-1][0]:
            (s0, i0), (s1, i1) = below[-1], above[0]
            out.append(i0 + (i1 - i0) * (step - s0) / (s1 - s0))
        else:  # at a logged step, or past the last one: images per step
            s, i = (below or above)[-1 if below else 0]
            out.append(i * step / s if s else i)
    return out
