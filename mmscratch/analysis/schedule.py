"""Where a config's step schedule divides the LR, read from the config."""
import glob
import os.path as osp
from typing import List, Optional, Sequence


def relative_steps(end: float, before_end: Optional[Sequence[int]] = None,
                   fractions: Optional[Sequence[float]] = None) -> list:
    """The steps ``before_end`` before ``end``, or at ``fractions`` of it."""
    if before_end is not None:
        return [int(end) - int(b) for b in before_end]
    return [round(f * end) for f in fractions]


def lr_steps(cfg) -> List[int]:
    """Iterations at which the config's iteration-based step schedulers
    divide the LR (MultiStepLR, and RelativeMultiStepLR placed against the
    train loop's ``max_iters``)."""
    max_iters = (cfg.get('train_cfg') or {}).get('max_iters')
    steps = []
    for sched in cfg.get('param_scheduler') or []:
        if sched.get('by_epoch', True):
            continue
        if sched.get('type') == 'MultiStepLR':
            steps += list(sched.get('milestones', []))
        elif sched.get('type') == 'RelativeMultiStepLR':
            end = sched.get('end', max_iters)
            if end is not None:
                steps += relative_steps(end, sched.get('before_end'),
                                        sched.get('fractions'))
    return sorted(steps)


def run_config(work_dir: str):
    """The config mmengine dumped into ``work_dir`` (a Config), or None."""
    from mmengine.config import Config
    dumped = glob.glob(osp.join(work_dir, '*.py'))
    return Config.fromfile(dumped[0]) if len(dumped) == 1 else None


def run_lr_steps(work_dir: str) -> Optional[List[int]]:
    """LR steps of the config mmengine dumped into ``work_dir``, or None."""
    cfg = run_config(work_dir)
    return None if cfg is None else lr_steps(cfg)
