"""Where a config's step schedule divides the LR, read from the config."""
import glob
import os.path as osp
from typing import List, Optional


def lr_steps(cfg) -> List[int]:
    """Iterations at which the config's iteration-based step schedulers
    divide the LR (MultiStepLR, and RelativeMultiStepLR placed against the
    train loop's ``max_iters``, with its rule for short runs)."""
    # imported here: the engine's hooks import this package
    from ..engine.schedulers.relative_multi_step_lr import relative_steps
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
                rule = {k: sched[k] for k in ('short_run_fractions',)
                        if k in sched}
                steps += relative_steps(end, sched.get('before_end'),
                                        sched.get('fractions'),
                                        sched.get('begin', 0), **rule)[0]
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
