import glob
import os.path as osp
import re
from typing import Optional

import torch

from mmdet.engine.hooks import CheckInvalidLossHook
from mmdet.registry import HOOKS
from ...checkpoint import load_local_checkpoint
from ...utils.errors import UserInputError


def _is_finite(path: str) -> bool:
    try:
        state = load_local_checkpoint(path).get('state_dict', {})
    except Exception:  # unreadable: not a checkpoint to recommend
        return False
    return all(torch.isfinite(t).all() for t in state.values()
               if torch.is_tensor(t) and t.is_floating_point())


def last_finite_checkpoint(work_dir: str) -> Optional[str]:
    """The newest ``iter_*.pth`` of ``work_dir`` whose weights are all
    finite, or None."""
    found = []
    for path in glob.glob(osp.join(work_dir, 'iter_*.pth')):
        match = re.search(r'iter_(\d+)\.pth$', path)
        if match:
            found.append((int(match.group(1)), path))
    for _, path in sorted(found, reverse=True):
        if _is_finite(path):
            return path
    return None


class TrainingDivergedError(UserInputError):
    """The loss became NaN or infinite."""


@HOOKS.register_module()
class InvalidLossHook(CheckInvalidLossHook):
    """Stop at the first NaN or infinite loss, before it is checkpointed.

    MMDetection's CheckInvalidLossHook asserts every ``interval`` iterations;
    this one checks every iteration by default, runs before the checkpoint
    hook, and stops with one line naming the iteration, the newest
    checkpoint whose weights are all finite, and a resume with a lower LR.

    Args:
        interval (int): check every n iterations. Defaults to 1.
    """
    priority = 'VERY_HIGH'

    def __init__(self, interval: int = 1) -> None:
        if not isinstance(interval, int) or interval < 1:
            raise ValueError(f'interval={interval!r} must be an int >= 1')
        super().__init__(interval)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if not self.every_n_train_iters(runner, self.interval):
            return
        loss = outputs.get('loss') if outputs else None
        if loss is None or torch.isfinite(loss).all():
            return
        good = last_finite_checkpoint(runner.work_dir)
        lr = (runner.cfg.get('optim_wrapper') or {}).get(
            'optimizer', {}).get('lr')
        lower = (f'optim_wrapper.optimizer.lr={lr / 10:g}'
                 if isinstance(lr, (int, float)) else
                 'optim_wrapper.optimizer.lr=<lower>')
        hint = (f'the last good checkpoint (finite weights) is {good}; '
                f'resume from it (resume={good}) with a lower LR ({lower}), '
                'which the resume applies' if good else
                'no checkpoint with finite weights was written yet; lower '
                'the LR or lengthen the warm-up and start again')
        raise TrainingDivergedError(
            f'loss became {loss.item()} at iteration {runner.iter + 1}; '
            f'training stopped before saving these weights; {hint}')
