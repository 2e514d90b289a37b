import random

import numpy as np
import torch
from mmengine.hooks import Hook

from mmdet.registry import HOOKS


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Keep the random number streams across ``--resume``.

    Stores the Python, numpy and torch RNG states in every checkpoint and
    restores them when training resumes from it, so the resumed run samples
    the same RoIs as an uninterrupted run would. (mmengine only re-seeds on
    resume.) Data augmentation drawn in the main process during the loop's
    skip of already-seen batches still advances numpy's stream; with
    ``num_workers > 0`` the workers are re-seeded by mmengine anyway.
    """
    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self._pending = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})['rng_state'] = dict(
            python=random.getstate(), numpy=np.random.get_state(),
            torch=torch.get_rng_state())

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if runner.cfg.get('resume'):
            self._pending = checkpoint.get('meta', {}).get('rng_state')

    def before_train(self, runner) -> None:
        """Restore after mmengine's own re-seeding of the resumed run."""
        if self._pending is None:
            return
        random.setstate(self._pending['python'])
        np.random.set_state(self._pending['numpy'])
        torch.set_rng_state(self._pending['torch'])
        self._pending = None
