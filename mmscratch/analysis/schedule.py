"""The paper's schedule rule for any dataset and batch, and where a
config's step schedule divides the LR."""
import glob
import math
import os.path as osp
from dataclasses import dataclass
from typing import List, Optional

# The one LR and schedule rule (tools/analysis/schedule.py prints it,
# tools/dataset/new_config.py writes it): the paper's LR at a total batch
# of 16, scaled linearly with the batch; k x 90k iterations at batch 16, or
# epochs of the dataset; the LR / 10 at 60k and 20k iterations (at batch
# 16) before the end, or at 2/3 and 8/9 of a run too short for them.

BASE_BATCH = 16
BASE_LR = 0.02
UNIT_ITERS = 90_000
DROPS_BEFORE_END = (60_000, 20_000)
WARMUP_ITERS = 1000
# a warm-up is kept under this share of the run
MAX_WARMUP_SHARE = 0.1
# more epochs than this: the multiple was probably meant for COCO
MANY_EPOCHS = 1000


@dataclass
class Schedule:
    multiple: float
    batch: int
    max_iters: int
    milestones: tuple
    rule: str
    warmup_iters: int
    lr: float
    images_seen: int
    epochs: float

    def cfg_options(self) -> str:
        """--cfg-options that apply this schedule to an mmscratch config.

        The configs' RelativeMultiStepLR places its steps from max_iters
        by itself; only the paper's steps at another batch size need their
        distances from the end scaled (the less-data, VOC and demo configs
        step at fractions of the run and need no option)."""
        options = [f'train_cfg.max_iters={self.max_iters}',
                   f'param_scheduler.0.end={self.warmup_iters}',
                   f'optim_wrapper.optimizer.lr={self.lr:g}']
        if self.rule == 'before_end' and self.batch != BASE_BATCH:
            before_end = [self.max_iters - m for m in self.milestones]
            options.insert(2, 'param_scheduler.1.before_end='
                           f'[{before_end[0]},{before_end[1]}]')
        return ' '.join(options)


def paper_schedule(images: int, batch: int, multiple: float = None,
                   epochs: float = None) -> Schedule:
    """The paper's schedule for ``multiple`` x 90k iterations at batch 16
    (or for ``epochs`` passes over ``images``), converted to a total batch
    of ``batch`` images."""
    if (multiple is None) == (epochs is None):
        raise ValueError('give the length as a multiple or in epochs')
    length = multiple if multiple is not None else epochs
    if images <= 0 or batch <= 0 or length <= 0:
        raise ValueError('images, batch and the length must be positive')
    scale = BASE_BATCH / batch
    if multiple is not None:
        max_iters = round(multiple * UNIT_ITERS * scale)
    else:
        max_iters = max(1, math.ceil(epochs * images / batch))
    from ..engine.schedulers.relative_multi_step_lr import relative_steps
    steps, rule = relative_steps(
        max_iters, [round(d * scale) for d in DROPS_BEFORE_END])
    warmup = min(round(WARMUP_ITERS * scale),
                 max(1, round(MAX_WARMUP_SHARE * max_iters)))
    return Schedule(
        multiple=max_iters * batch / (UNIT_ITERS * BASE_BATCH), batch=batch,
        max_iters=max_iters, milestones=tuple(steps), rule=rule,
        warmup_iters=warmup, lr=BASE_LR * batch / BASE_BATCH,
        images_seen=max_iters * batch,
        epochs=max_iters * batch / images)


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
