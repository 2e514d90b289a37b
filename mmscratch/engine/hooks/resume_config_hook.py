"""On resume, the config's optimisation settings win over the checkpoint's."""
import json
import math
from typing import List

from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmdet.registry import HOOKS
from ...checkpoint.plain_reader import shown
from ...utils.errors import UserInputError
from ..schedulers.fast_forward import fast_forward

# optimizer settings compared group by group (momentum, nesterov,
# dampening: SGD; betas, eps, amsgrad: Adam)
SETTINGS = ('initial_lr', 'momentum', 'weight_decay', 'betas', 'eps',
            'nesterov', 'dampening', 'amsgrad')
# meta key of the LR schedulers' class names, written into every checkpoint
TYPES_KEY = 'param_scheduler_types'
OPTIMIZER_KEY = 'optimizer_type'
# meta key of the optim_wrapper's settings other than the optimizer's
WRAPPER_KEY = 'optim_wrapper'
# what an optim_wrapper without the key does
WRAPPER_DEFAULTS = dict(type='OptimWrapper', accumulative_counts=1,
                        clip_grad=None, paramwise_cfg=None)
# scheduler state that is progress, not schedule (the base LR is reported
# with the optimizer's settings)
PROGRESS_FIELDS = ('last_step', 'base_values', 'best', 'num_bad_epochs',
                   'cooldown_counter')


def wrapper_settings(cfg) -> dict:
    """The optim_wrapper config's keys but ``optimizer``, as short texts
    (the form a checkpoint keeps them in); defaults left out."""
    out = {}
    for key, value in (cfg or {}).items():
        if key == 'optimizer' or not isinstance(key, str) or \
                WRAPPER_DEFAULTS.get(key, ()) == value:
            continue
        out[key] = json.dumps(value, sort_keys=True, default=str)[:512]
    return out


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return math.isclose(float(a), float(b), rel_tol=1e-12)
        except (TypeError, ValueError):
            return False
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return a == b


def _show(value) -> str:
    if isinstance(value, float):
        return f'{value:g}'
    if isinstance(value, dict):  # a Counter of milestones
        return str(sorted(value))
    return str(value)


def _printable(text, limit: int = 80) -> str:
    """A text of a checkpoint for a log line: short, one line."""
    if not isinstance(text, str):
        return shown(text)
    text = ''.join(c if c.isprintable() else '?' for c in text[:limit])
    return text + '...' if len(text) == limit else text


def _setting(group: dict, key: str, schedulers: list):
    """A param group's setting; its LR as the schedule sees it: the base LR
    (``initial_lr``) under schedulers, the LR itself without them."""
    if key != 'initial_lr':
        return group.get(key)
    return group.get('initial_lr', group.get('lr')) if schedulers \
        else group.get('lr')


@HOOKS.register_module()
class ResumeConfigHook(Hook):
    """Resume with the config's LR, momentum, weight decay and schedule.

    mmengine restores the optimizer's hyper-parameters and the schedulers'
    state from the checkpoint, so a resume with another LR, or with a longer
    ``max_iters`` (6x extended to 9x), would silently keep the old ones.
    This hook compares them when a run resumes; for each difference it logs
    one line and applies the config: the schedulers are rebuilt from the
    config and stepped to the resumed iteration, so from there on the LR is
    what a run configured this way from the start would use (the
    ``RelativeMultiStepLR`` steps follow a new ``max_iters``). The
    optimizer's moments (e.g. SGD momentum buffers) are kept. The other
    keys of ``optim_wrapper`` (``clip_grad``, ``accumulative_counts``,
    ``type``, ...) hold no state, so the config's apply anyway; each one
    that differs from the checkpoint's run is said in a line too.
    """
    priority = 'VERY_HIGH'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        meta = checkpoint.setdefault('meta', {})
        schedulers = runner.param_schedulers
        if isinstance(schedulers, list):
            meta[TYPES_KEY] = [type(s).__name__ for s in schedulers]
        optimizer = getattr(runner.optim_wrapper, 'optimizer', None)
        if optimizer is not None:
            meta[OPTIMIZER_KEY] = type(optimizer).__name__
        wrapper = runner.cfg.get('optim_wrapper')
        if isinstance(wrapper, dict) and 'optimizer' in wrapper:
            meta[WRAPPER_KEY] = wrapper_settings(wrapper)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not runner.cfg.get('resume') or \
                not isinstance(checkpoint.get('meta'), dict):
            return
        optimizer = getattr(runner.optim_wrapper, 'optimizer', None)
        # a config without schedulers: the LR of the config, constant
        schedulers = runner.param_schedulers or []
        saved_opt = checkpoint.get('optimizer')
        if optimizer is None or not isinstance(saved_opt, dict) or \
                not isinstance(schedulers, list):
            return  # several optimizers, or none saved: mmengine's way
        step = checkpoint['meta'].get('iter')
        if not isinstance(step, int) or step < 0:
            return
        self._same_optimizer(optimizer, saved_opt,
                             checkpoint['meta'].get(OPTIMIZER_KEY))
        for line in self._wrapper_differences(
                checkpoint['meta'].get(WRAPPER_KEY),
                runner.cfg.get('optim_wrapper')):
            print_log(f'resume: {line} (from the config)', logger='current')
        changes = self._differences(optimizer, saved_opt, schedulers,
                                    checkpoint.get('param_schedulers'),
                                    checkpoint['meta'].get(TYPES_KEY))
        if not changes:
            return
        for line in changes:
            print_log(f'resume: {line} (from the config)', logger='current')
        # a fresh schedule stepped to the resumed iteration, never beyond
        # the end of training, where nothing uses the LR
        fast_forward([s for s in schedulers if not s.by_epoch],  # as
                     min(step, runner.max_iters))  # ParamSchedulerHook
        for saved, group in zip(saved_opt['param_groups'],
                                optimizer.param_groups):
            saved.update({k: v for k, v in group.items() if k != 'params'})
        checkpoint['param_schedulers'] = [s.state_dict() for s in schedulers]
        lrs = sorted({g['lr'] for g in optimizer.param_groups})
        print_log(f'resume: the schedule of the config continues at '
                  f'iteration {step} with LR {_show(lrs[-1])}',
                  logger='current')

    @staticmethod
    def _same_optimizer(optimizer, saved_opt: dict, saved_type) -> None:
        """Refuse another kind of optimizer: its state (SGD's momentum
        buffers, Adam's moments) cannot continue the other's."""
        ours = type(optimizer).__name__
        if isinstance(saved_type, str):
            other = saved_type != ours
        else:  # a checkpoint without the type: SGD-like vs Adam-like
            group = (saved_opt.get('param_groups') or [{}])[0]
            adam_like = 'betas' in optimizer.param_groups[0]
            other = isinstance(group, dict) and ('betas' in group) != adam_like
            saved_type = 'another optimizer'
        if other:
            raise UserInputError(
                f'cannot resume: the checkpoint\'s optimizer is '
                f'{saved_type[:64]}, this config\'s {ours} '
                '(optim_wrapper.optimizer.type); its state cannot continue '
                'another optimizer: resume with the checkpoint\'s, or start '
                'a new run from its weights with load_from=PATH')

    @staticmethod
    def _wrapper_differences(saved, cfg) -> List[str]:
        """One line per optim_wrapper key (``type``, ``clip_grad``,
        ``accumulative_counts``, ``paramwise_cfg``, ...) the config sets
        otherwise than the checkpoint's run (unknown for checkpoints
        written before these were kept)."""
        if not isinstance(saved, dict):
            return []
        ours = wrapper_settings(cfg)
        lines = []
        for key in sorted(set(saved) | set(ours)):
            old, new = saved.get(key), ours.get(key)
            if old != new:
                default = json.dumps(WRAPPER_DEFAULTS.get(key))
                lines.append(f'optim_wrapper.{_printable(key)} '
                             f'{_printable(old or default)} -> '
                             f'{_printable(new or default)}')
        return lines

    @staticmethod
    def _differences(optimizer, saved_opt: dict, schedulers: list,
                     saved_schedulers, saved_types=None) -> List[str]:
        changes = []
        groups = saved_opt.get('param_groups')
        if not isinstance(groups, list) or \
                len(groups) != len(optimizer.param_groups):
            return changes  # another grouping: the identity check's job
        for key in SETTINGS:
            old = [_setting(g, key, schedulers) for g in groups
                   if isinstance(g, dict)]
            new = [_setting(g, key, schedulers)
                   for g in optimizer.param_groups]
            if len(old) == len(new) and not _same(old, new):
                pairs = [(o, n) for o, n in zip(old, new) if not _same(o, n)]
                name = 'lr' if key == 'initial_lr' else key
                changes.append(f'{name} {_show(pairs[0][0])} -> '
                               f'{_show(pairs[0][1])}')
        types = [type(s).__name__ for s in schedulers]
        if isinstance(saved_types, list) and saved_types != types:
            changes.append(f'LR schedulers {", ".join(saved_types) or "none"}'
                           f' -> {", ".join(types) or "none"}')
            return changes
        if not isinstance(saved_schedulers, list) or \
                len(saved_schedulers) != len(schedulers):
            if saved_schedulers is not None:
                changes.append(f'{len(saved_schedulers or [])} -> '
                               f'{len(schedulers)} LR schedulers')
            return changes
        for i, (old, sched) in enumerate(zip(saved_schedulers, schedulers)):
            new = sched.state_dict()
            if isinstance(old, dict) and set(old) != set(new):
                # a checkpoint without the types: another kind of scheduler
                changes.append(f'LR scheduler {i + 1} -> '
                               f'{type(sched).__name__}')
                continue
            for key in sorted(new):
                if key.startswith('_') or key in PROGRESS_FIELDS or \
                        callable(new[key]) or not isinstance(old, dict):
                    continue
                if not _same(old.get(key), new[key]):
                    changes.append(f'{type(sched).__name__} {key} '
                                   f'{_show(old.get(key))} -> '
                                   f'{_show(new[key])}')
        return changes
