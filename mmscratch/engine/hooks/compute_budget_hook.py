import os.path as osp
from typing import Dict, Optional, Union

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import CheckpointHook, Hook

from mmdet.registry import HOOKS
from ...utils.errors import UserInputError, read_json

KEYS = ('images', 'instances', 'pixels')

# Pretraining budgets as counted in the paper's Figure 2: ImageNet-1k has
# 1.28M images with one labelled object each, trained at 224x224 crops.
PRETRAIN_PRESETS = {
    'imagenet-1k-100ep': dict(images=1_281_167 * 100,
                              instances=1_281_167 * 100,
                              pixels=1_281_167 * 100 * 224 * 224),
}


def _read_budget_file(path: str) -> Dict[str, float]:
    """images, instances and pixels from a JSON file (other keys ignored)."""
    if not osp.isfile(path):
        raise UserInputError(f'ComputeBudgetHook: pretraining budget file '
                             f'{path} does not exist')
    data = read_json(path, 'ComputeBudgetHook: pretraining budget file')
    if not isinstance(data, dict) or not set(KEYS) & set(data):
        raise UserInputError(f'ComputeBudgetHook: {path} must hold '
                             f'{", ".join(KEYS)}')
    return {k: data[k] for k in KEYS if k in data}


@HOOKS.register_module()
class ComputeBudgetHook(Hook):
    """Count images, ground-truth instances and input pixels seen in training.

    Counts what the data loader yields, summed over all ranks, and writes
    ``budget/images``, ``budget/instances`` and ``budget/pixels`` (plus
    ``budget/*_total`` with the pretraining budget added) to the message hub
    and the vis backends every ``interval`` iterations, before validation,
    before each checkpoint and at the end. Totals are stored in
    checkpoints, so they continue across ``--resume``.

    Args:
        interval (int): iterations between two cross-rank sums. Defaults
            to 50.
        pretrain (str | dict, optional): pretraining budget to add: a preset
            name ('imagenet-1k-100ep'), a .json file or a dict with images,
            instances and pixels. Defaults to None.
    """
    priority = 'NORMAL'

    def __init__(self, interval: int = 50,
                 pretrain: Optional[Union[str, Dict[str, float]]] = None):
        if not isinstance(interval, int) or interval < 1:
            raise ValueError(f'interval={interval!r} must be an int >= 1')
        if isinstance(pretrain, str) and pretrain.endswith('.json'):
            pretrain = _read_budget_file(pretrain)
        elif isinstance(pretrain, str):
            if pretrain not in PRETRAIN_PRESETS:
                raise ValueError(
                    f'pretrain={pretrain!r} is not a preset; use one of '
                    f'{sorted(PRETRAIN_PRESETS)}, a .json file or a '
                    'dict(images=..., instances=..., pixels=...)')
            pretrain = PRETRAIN_PRESETS[pretrain]
        if pretrain is not None and not isinstance(pretrain, dict):
            raise ValueError(f'pretrain={pretrain!r}: give a preset name, a '
                             '.json file or a dict')
        if pretrain is not None:
            unknown = set(pretrain) - set(KEYS)
            if unknown:
                raise ValueError(f'pretrain has unknown keys {unknown}; use '
                                 f'{KEYS}')
        self.interval = interval
        self.pretrain = {k: float((pretrain or {}).get(k, 0)) for k in KEYS}
        self._base = {k: 0.0 for k in KEYS}  # all ranks, until last sync
        self._local = torch.zeros(3, dtype=torch.float64)  # since last sync
        self._checkpoint_intervals = []
        self._training = False

    def after_train(self, runner) -> None:
        self._training = False

    def before_train(self, runner) -> None:
        self._training = True
        self._checkpoint_intervals = [
            h.interval for h in runner.hooks
            if isinstance(h, CheckpointHook) and not h.by_epoch
            and h.interval > 0
        ]

    @property
    def totals(self) -> Dict[str, float]:
        """Counts of all ranks as of the last sync."""
        return dict(self._base)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        if data_batch is not None:
            inputs = data_batch['inputs']
            samples = data_batch.get('data_samples') or []
            self._local[0] += len(inputs)
            self._local[1] += sum(
                len(s.gt_instances) for s in samples
                if 'gt_instances' in s)
            self._local[2] += sum(int(x.shape[-2]) * int(x.shape[-1])
                                  for x in inputs)
        # sum over ranks (a collective: every rank gets here at the same
        # iterations) on the log interval and before each checkpoint, since
        # checkpoints are written from rank 0 alone
        if self.every_n_train_iters(runner, self.interval) or \
                self.is_last_train_iter(runner) or \
                any(self.every_n_train_iters(runner, n)
                    for n in self._checkpoint_intervals):
            self.sync(runner, runner.iter + 1)

    def sync_before_saving(self, runner, step: int) -> None:
        """Sum what was counted since the last sync before a checkpoint at
        ``step`` outside the intervals (a stop signal's): every rank calls
        it, as the checkpoint hook does."""
        if self._training and bool(self._local.any()):
            self.sync(runner, step)

    def before_val_epoch(self, runner) -> None:
        if self._training:
            self.sync(runner, runner.iter)  # validation during training

    def sync(self, runner, step: int) -> None:
        """Sum the local counts over ranks and log the totals at ``step``."""
        counts = self._local.clone()
        all_reduce(counts, op='sum')
        self._local.zero_()
        scalars = {}
        for key, value in zip(KEYS, counts.tolist()):
            self._base[key] += value
            scalars[f'budget/{key}'] = self._base[key]
            if self.pretrain[key]:
                scalars[f'budget/{key}_total'] = self._base[key] + \
                    self.pretrain[key]
        for name, value in scalars.items():
            runner.message_hub.update_scalar(name, value)
        # straight to the vis backends (scalars.json, TensorBoard, ...): the
        # log processor would average these running totals over a window
        runner.visualizer.add_scalars(scalars, step=step)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        # rank 0 only: the totals were summed in after_train_iter
        checkpoint.setdefault('meta', {})['compute_budget'] = self.totals

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        saved = checkpoint.get('meta', {}).get('compute_budget')
        if saved and runner.cfg.get('resume'):
            self._base = {k: float(saved.get(k, 0)) for k in KEYS}
