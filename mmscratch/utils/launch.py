"""What tools/train.py and tools/test.py share: launcher set-up, errors."""
import os
import sys
from typing import Callable

import torch
import torch.distributed as torch_dist
from mmengine.config import Config

from .errors import UserInputError


def prepare_launcher(cfg: Config, launcher: str) -> None:
    """Make ``launcher`` work on machines without CUDA.

    mmengine's ``init_dist`` always calls ``torch.cuda.set_device`` and its
    DDP wrapper passes ``device_ids=[LOCAL_RANK]``. Without CUDA this creates
    the gloo process group here (the Runner then keeps it) and wraps the
    model with ``device_ids=None``. With CUDA nothing changes.
    """
    cfg.launcher = launcher
    if launcher == 'none' or torch.cuda.is_available():
        return
    if launcher != 'pytorch':
        raise UserInputError(
            f'--launcher {launcher} needs CUDA on this machine; use '
            'tools/dist_train.sh (torchrun, launcher pytorch) for CPU runs')
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    cfg.env_cfg.dist_cfg['backend'] = 'gloo'
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(backend='gloo')
    cfg.model_wrapper_cfg = dict(
        type='MMDistributedDataParallel', device_ids=None)


def set_local_rank(local_rank: int) -> None:
    """Export LOCAL_RANK for launchers that pass --local-rank."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(local_rank)


def run_tool(main: Callable[[], None]) -> None:
    """Run ``main``; print a :class:`UserInputError` as one line, exit 2."""
    try:
        main()
    except UserInputError as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)
