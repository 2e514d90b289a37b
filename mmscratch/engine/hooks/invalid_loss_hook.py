import os.path as osp

import torch

from mmdet.engine.hooks import CheckInvalidLossHook
from mmdet.registry import HOOKS
from ...utils.errors import UserInputError


class TrainingDivergedError(UserInputError):
    """The loss became NaN or infinite."""


@HOOKS.register_module()
class InvalidLossHook(CheckInvalidLossHook):
    """Stop at the first NaN or infinite loss, before it is checkpointed.

    MMDetection's CheckInvalidLossHook asserts every ``interval`` iterations;
    this one checks every iteration by default, runs before the checkpoint
    hook, and stops with one line naming the iteration and the last good
    checkpoint to resume from.

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
        last = osp.join(runner.work_dir, 'last_checkpoint')
        good = open(last).read().strip() if osp.isfile(last) else None
        hint = (f'the last good checkpoint is {good}; resume from it with '
                f'--resume {good} and a lower LR' if good else
                'no checkpoint was written yet; lower the LR or lengthen '
                'the warm-up and start again')
        raise TrainingDivergedError(
            f'loss became {loss.item()} at iteration {runner.iter + 1}; '
            f'training stopped before saving these weights; {hint}')
