"""Data-loader settings fitted to the machine a run starts on.

The configs ask for enough workers to keep a GPU fed (4 per training
process, persistent between epochs/validations). ``fit_loaders`` then makes
that safe wherever the run lands:

- ``num_workers`` is capped at the CPUs of this process: under slurm its
  ``SLURM_CPUS_PER_TASK``, otherwise the CPUs it may use divided by the
  processes on this node (``LOCAL_WORLD_SIZE``, set by torchrun), so 8 GPUs
  on a 16-core node get 2 workers each instead of oversubscribing the CPUs;
- ``persistent_workers`` is switched off when there are no workers (torch
  refuses the combination);
- ``pin_memory`` left unset becomes True when CUDA is present, and a True
  is turned off when it is not (torch would only warn on every loader).
"""
import os
from typing import Iterable, List, Optional

import torch
from mmengine.config import Config

LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, else all)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def processes_per_node() -> int:
    """Training processes sharing this node (torchrun sets the variable)."""
    try:
        return max(1, int(os.environ.get('LOCAL_WORLD_SIZE', 1)))
    except ValueError:
        return 1


def cpus_per_process() -> int:
    """CPUs this training process should keep its loader workers within."""
    slurm = os.environ.get('SLURM_CPUS_PER_TASK', '')
    if slurm.isdigit() and int(slurm) > 0:
        return int(slurm)  # slurm already gives each task its own CPUs
    return max(1, available_cpus() // processes_per_node())


def fit_loaders(cfg: Config, loaders: Iterable[str] = LOADERS,
                cuda: Optional[bool] = None) -> List[str]:
    """Fit the data loaders of ``cfg`` to this machine, in place.

    Returns one line per change, for the log.
    """
    cuda = torch.cuda.is_available() if cuda is None else cuda
    max_workers = cpus_per_process()
    changes = []
    for name in loaders:
        loader = cfg.get(name)
        if not isinstance(loader, dict):
            continue
        workers = loader.get('num_workers', 0)
        if workers > max_workers:
            loader['num_workers'] = max_workers
            changes.append(f'{name}.num_workers {workers} -> {max_workers} '
                           f'({max_workers} CPU(s) per process)')
        if loader.get('num_workers', 0) == 0 and \
                loader.get('persistent_workers'):
            loader['persistent_workers'] = False
        pin = loader.get('pin_memory')
        if pin is None or (pin and not cuda):
            loader['pin_memory'] = cuda
    return changes


def fit_and_report(cfg: Config, loaders: Iterable[str] = LOADERS) -> None:
    """``fit_loaders``, printing the changes once per job (rank 0)."""
    changes = fit_loaders(cfg, loaders)
    if changes and os.environ.get('RANK', '0') == '0':
        print('data loaders fitted to this machine: ' + '; '.join(changes))
