import random

import numpy as np
import torch
from mmengine.dist import all_gather_object, get_dist_info, is_distributed
from mmengine.hooks import Hook

from mmdet.registry import HOOKS


def rng_state() -> dict:
    """The Python, numpy, torch and CUDA RNG states, as plain data."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return dict(
        python=random.getstate(),
        numpy=[name, keys.tolist(), pos, has_gauss, cached],
        torch=torch.get_rng_state(),
        cuda=torch.cuda.get_rng_state_all()
        if torch.cuda.is_available() else None)


def set_rng_state(state: dict) -> None:
    """Restore what :func:`rng_state` returned."""
    random.setstate(state['python'])
    name, keys, pos, has_gauss, cached = state['numpy']
    np.random.set_state(
        (name, np.asarray(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(state['torch'])
    cuda = state.get('cuda')
    if cuda and torch.cuda.is_available() and \
            len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Keep the random number streams across ``--resume``.

    Stores the Python, numpy, torch and (with CUDA) the CUDA RNG states of
    every rank in every checkpoint and restores each rank's own when
    training resumes from it with the same number of ranks (rank 0's
    otherwise), so the resumed run samples the same RoIs as an
    uninterrupted run would. (mmengine only re-seeds on resume.)
    Distributed, the checkpoint hook calls :meth:`collect` on every rank
    before rank 0 writes the file.
    """
    priority = 'VERY_LOW'

    def __init__(self) -> None:
        self._pending = None
        self._collected = None

    def collect(self, runner) -> None:
        """Gather every rank's state (a collective: all ranks call it)."""
        self._collected = all_gather_object(rng_state()) \
            if is_distributed() else None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        meta = checkpoint.setdefault('meta', {})
        meta['rng_state'] = rng_state()
        if self._collected is not None:
            meta['rng_states'] = self._collected
            self._collected = None

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not runner.cfg.get('resume'):
            return
        meta = checkpoint.get('meta', {})
        rank, world_size = get_dist_info()
        states = meta.get('rng_states')
        if isinstance(states, list) and len(states) == world_size:
            self._pending = states[rank]
        else:
            self._pending = meta.get('rng_state')

    def before_train(self, runner) -> None:
        """Restore after mmengine's own re-seeding of the resumed run."""
        if self._pending is not None:
            set_rng_state(self._pending)
            self._pending = None
