"""What tools/train.py and tools/test.py share: launcher set-up, errors."""
import os
import sys
from typing import Callable

import torch
import torch.distributed as torch_dist
from mmengine.config import Config

from ..utils.cfg_tree import has_type, replace_types
from ..utils.errors import UserInputError, printable_line


def prepare_launcher(cfg: Config, launcher: str,
                     check_only: bool = False) -> None:
    """Make ``launcher`` work on machines without CUDA; SyncBN fallback.

    A single-process run of a SyncBN config uses BN instead (what SyncBN
    computes on one process), with a warning.

    mmengine's ``init_dist`` always calls ``torch.cuda.set_device`` and its
    DDP wrapper passes ``device_ids=[LOCAL_RANK]``. Without CUDA this creates
    the gloo process group here (the Runner then keeps it) and wraps the
    model with ``device_ids=None``. With CUDA nothing changes.
    ``check_only`` stops after the checks, creating no process group.
    """
    cfg.launcher = launcher
    if launcher == 'pytorch' and not check_only:
        init_restarted_group()
    if launcher == 'none' and has_type(cfg.get('model'), 'SyncBN'):
        # one process: SyncBN and BN compute the same statistics
        replace_types(cfg.model, {'SyncBN': 'BN'})
        if not check_only:  # a launcher's pre-flight trains nothing
            print('warning: SyncBN needs a distributed launch; this single-'
                  'process run uses BN (the same statistics on one '
                  'process). Use tools/dist_train.sh for multi-GPU SyncBN.',
                  file=sys.stderr)
    if launcher == 'none' or torch.cuda.is_available():
        return
    if has_type(cfg.get('model'), 'SyncBN'):
        raise UserInputError(
            'SyncBN needs CUDA when distributed, and this machine has none; '
            'use a GN config (configs/*/..._gn_...py) for CPU runs')
    if launcher != 'pytorch':
        raise UserInputError(
            f'--launcher {launcher} needs CUDA on this machine; use '
            'tools/dist_train.sh (torchrun, launcher pytorch) for CPU runs')
    if check_only:
        return
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    cfg.env_cfg.dist_cfg['backend'] = 'gloo'
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(backend='gloo')
    cfg.model_wrapper_cfg = dict(
        type='MMDistributedDataParallel', device_ids=None)


def init_restarted_group() -> None:
    """Create the process group of a group torchrun restarted
    (``--max-restarts``) under a store prefix of its own.

    torchrun's static rendezvous keeps one store across restarts, with the
    keys the dead attempt wrote; a restarted rank could read a dead peer's
    address from it (gloo: "connection refused"). Nothing is done on the
    first attempt or when a process group exists.
    """
    restart = int(os.environ.get('TORCHELASTIC_RESTART_COUNT', '0') or 0)
    if restart == 0 or torch_dist.is_initialized() or \
            os.environ.get('TORCHELASTIC_USE_AGENT_STORE') != 'True':
        return
    rank = int(os.environ['RANK'])
    world_size = int(os.environ['WORLD_SIZE'])
    store = torch_dist.PrefixStore(
        f'mmscratch_attempt_{restart}', torch_dist.TCPStore(
            os.environ['MASTER_ADDR'], int(os.environ['MASTER_PORT']),
            world_size, is_master=False))
    if torch.cuda.is_available():
        torch.cuda.set_device(int(os.environ.get('LOCAL_RANK', 0)))
        backend = 'nccl'
    else:
        backend = 'gloo'
    torch_dist.init_process_group(backend, store=store, rank=rank,
                                  world_size=world_size)


def close_launcher() -> None:
    """Wait for every rank, then destroy the process group.

    Exiting with a live gloo group lets one rank's teardown race the other
    ranks' connections (a rank can die with SIGABRT at exit).
    """
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()
        torch_dist.destroy_process_group()


CHECKED_ENV = 'MMSCRATCH_CHECKED_BY_LAUNCHER'


def checked_by_launcher() -> bool:
    """Whether tools/dist_*.sh ran the data pre-flight (``--check-only``)
    once before starting the ranks, which then skip it."""
    return os.environ.get(CHECKED_ENV) == '1'


def add_tool_arguments(parser, split: str) -> None:
    """The options tools/train.py and tools/test.py share: --cfg-options,
    the launcher, the pre-flight switches and the local rank."""
    from .config import CfgOptionsAction
    from .data_check import SAMPLED_IMAGES
    parser.add_argument(
        '--cfg-options', nargs='+', action=CfgOptionsAction,
        help=f'override config keys, e.g. {split}_dataloader.batch_size=4')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none', help='job launcher')
    parser.add_argument(
        '--check-only', action='store_true',
        help='run the pre-flight checks of config and data, then exit')
    parser.add_argument(
        '--check-all-images', action='store_true',
        help='read the header of every image before starting (default: a '
        f'sample of {SAMPLED_IMAGES} per dataset)')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def set_local_rank(local_rank: int) -> None:
    """Export LOCAL_RANK for launchers that pass --local-rank."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(local_rank)


def run_tool(main: Callable[[], None]) -> None:
    """Run ``main``; print a :class:`UserInputError` as one line, exit 2."""
    try:
        main()
    except UserInputError as err:
        # one line, whatever the message holds
        print('error: ' + printable_line(str(err)), file=sys.stderr)
        sys.exit(2)
