"""A training data stream that is a pure function of its position.

mmengine's ``InfiniteSampler`` draws one torch generator through epoch after
epoch, and mmdet's ``AspectRatioBatchSampler`` groups indices in buckets
whose content depends on everything drawn before, so the batch of iteration
i can only be found by replaying iterations 0..i-1; the data workers'
random augmentation depends on what each worker drew before. Here:

- :class:`PositionedInfiniteSampler`: the sample at position ``p`` of the
  global stream (ranks take every ``world_size``-th position) is
  ``permutation(seed, p // len(dataset))[p % len(dataset)]``, each epoch's
  permutation drawn from its own seed;
- :class:`PositionedAspectRatioBatchSampler`: batches grouped by aspect
  ratio inside fixed windows of ``window`` batches, so batch ``b`` depends
  on window ``b // window`` only;
- each sample carries a seed of its own (:class:`SeededIndex`) that a
  dataset accepting it (``takes_seeded_index``, see
  :class:`SeededSamplesMixin`) uses to seed the random augmentation of that
  sample, in whichever worker it runs.

Both samplers implement one interface, :class:`PositionedStream`; a new
sampler that implements it is resumed the same way.

So the data of iteration i is a function of (seed, i, rank, world size,
batch size) and reaching it costs one window, whatever i
(:class:`~mmscratch.engine.runner.PositionedIterBasedTrainLoop`).
"""
import abc
import logging
import random
from contextlib import contextmanager
from typing import Iterator, List, NamedTuple, Optional, Sized

import numpy as np
import torch
from mmengine.dist import get_dist_info, sync_random_seed
from mmengine.logging import print_log
from torch.utils.data import BatchSampler, Sampler

from mmdet.datasets import ConcatDataset
from mmdet.registry import DATA_SAMPLERS, DATASETS
from ..utils.errors import UserInputError


class SeededIndex(NamedTuple):
    """A dataset index with the seed of that sample's augmentation."""
    index: int
    seed: int


@contextmanager
def seeded_random_state(seed: int):
    """Seed Python's, numpy's and torch's global RNGs inside, restore after.

    mmdet's transforms draw from these global generators; seeding them per
    sample makes the sample's augmentation independent of what ran before
    in the same process (a loader worker, or the main process).
    """
    saved = random.getstate(), np.random.get_state(), torch.get_rng_state()
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(saved[0])
        np.random.set_state(saved[1])
        torch.set_rng_state(saved[2])


def takes_seeded_index(dataset) -> bool:
    """Whether ``dataset[SeededIndex(...)]`` seeds that sample."""
    return bool(getattr(dataset, 'takes_seeded_index', False))


class PositionedStream(abc.ABC):
    """The positioning interface of a sampler or batch sampler.

    Element ``k`` of this rank's stream is a pure function of ``k`` and of
    the stream's ``layout()`` (seed, batch size, ...); world size and rank
    come from the process group. :class:`~mmscratch.engine.runner.
    PositionedIterBasedTrainLoop` resumes a loader whose batch sampler is a
    PositionedStream without replaying a batch: ``continue_run(layout)``
    with the layout saved in the checkpoint, then ``start_at(iteration)``.
    A new sampler implements ``item``, ``layout`` and ``continue_run``.
    """
    _start = 0

    @abc.abstractmethod
    def item(self, k: int):
        """This rank's ``k``-th element."""

    @abc.abstractmethod
    def layout(self) -> dict:
        """What the stream depends on besides the position (plain data,
        saved in checkpoints)."""

    @abc.abstractmethod
    def continue_run(self, layout: dict) -> None:
        """Continue the stream of a run saved with ``layout``: take over
        what it fixed (its seed); the rest may differ."""

    def start_at(self, k: int) -> None:
        """Make the next iteration start at this rank's ``k``-th element."""
        self._start = k

    def __iter__(self) -> Iterator:
        k = self._start
        while True:
            yield self.item(k)
            k += 1


@DATA_SAMPLERS.register_module()
class PositionedInfiniteSampler(PositionedStream, Sampler):
    """An infinite index stream whose every position is a pure function.

    Args:
        dataset (Sized): the dataset.
        shuffle (bool): shuffle each epoch. Defaults to True.
        seed (int, optional): the stream's seed; None draws one and shares
            it over ranks. Defaults to None.
    """

    def __init__(self, dataset: Sized, shuffle: bool = True,
                 seed: Optional[int] = None) -> None:
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.size = len(dataset)
        if self.size == 0:
            raise UserInputError('the training dataset is empty; check its '
                                 'annotation file and filter_cfg')
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else int(seed)
        self.seeded = takes_seeded_index(dataset)
        if not self.seeded:
            print_log(
                f'the training dataset ({type(dataset).__name__}) does not '
                'seed its samples: their random augmentation depends on '
                'the loader worker, so a resumed run is not exact; use '
                'SeededSkippingCocoDataset, or SeededConcatDataset to '
                'concatenate', logger='current', level=logging.WARNING)
        self._epoch, self._permutation = None, None

    def layout(self) -> dict:
        return dict(seed=self.seed)

    def continue_run(self, layout: dict) -> None:
        self.seed = int(layout['seed'])
        self._epoch, self._permutation = None, None

    def index_at(self, position: int) -> int:
        """The dataset index at ``position`` of the global stream."""
        epoch, offset = divmod(position, self.size)
        if not self.shuffle:
            return offset
        if epoch != self._epoch:
            rng = np.random.default_rng([self.seed, epoch])
            self._epoch, self._permutation = epoch, rng.permutation(
                self.size)
        return int(self._permutation[offset])

    def item(self, k: int):
        """This rank's ``k``-th sample (a SeededIndex if the dataset
        seeds its samples, else the index)."""
        position = self.rank + self.world_size * k
        index = self.index_at(position)
        if not self.seeded:
            return index
        seed = np.random.SeedSequence([self.seed, position]).generate_state(
            1)[0]
        return SeededIndex(index, int(seed))

    def __len__(self) -> int:
        return self.size

    def set_epoch(self, epoch: int) -> None:
        """Epochs play no part in an infinite stream."""


@DATA_SAMPLERS.register_module()
class PositionedAspectRatioBatchSampler(PositionedStream, BatchSampler):
    """Batches of images of one orientation, grouped within fixed windows.

    Like mmdet's AspectRatioBatchSampler, a batch holds images that are all
    wider than tall or all taller than wide (one mixed batch per window at
    most), but the grouping is done within windows of ``window`` batches
    of the sampler's stream, so batch ``b`` is a function of its window.

    Args:
        sampler (PositionedInfiniteSampler): the index stream.
        batch_size (int): images per batch.
        drop_last (bool): unused (the stream is infinite). Defaults to False.
        window (int): batches per grouping window. Defaults to 64.
    """

    def __init__(self, sampler: PositionedInfiniteSampler, batch_size: int,
                 drop_last: bool = False, window: int = 64) -> None:
        if not isinstance(sampler, PositionedInfiniteSampler):
            raise UserInputError(
                'PositionedAspectRatioBatchSampler needs '
                "sampler=dict(type='PositionedInfiniteSampler'), not "
                f'{type(sampler).__name__}')
        if not isinstance(batch_size, int) or batch_size < 1 or window < 1:
            raise UserInputError(f'batch_size={batch_size} and window='
                                 f'{window} must be positive ints')
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.window = window
        self._cached = (None, None)

    def layout(self) -> dict:
        return dict(batch_size=self.batch_size, window=self.window,
                    **self.sampler.layout())

    def continue_run(self, layout: dict) -> None:
        self.sampler.continue_run(layout)
        self._cached = (None, None)

    def _wide(self, item) -> bool:
        index = item.index if isinstance(item, SeededIndex) else item
        info = self.sampler.dataset.get_data_info(index)
        return info['width'] >= info['height']

    def window_batches(self, w: int) -> List[list]:
        """The ``window`` batches of window ``w`` of this rank."""
        if self._cached[0] == w:
            return self._cached[1]
        first = w * self.window * self.batch_size
        items = [self.sampler.item(k)
                 for k in range(first, first + self.window * self.batch_size)]
        groups = {True: [], False: []}
        for n, item in enumerate(items):
            groups[self._wide(item)].append((n, item))
        batches, rest = [], []
        for group in groups.values():
            whole = len(group) - len(group) % self.batch_size
            batches += [group[i:i + self.batch_size]
                        for i in range(0, whole, self.batch_size)]
            rest += group[whole:]
        if rest:  # the two remainders fill one batch exactly
            batches.append(sorted(rest))
        batches.sort(key=lambda batch: batch[0][0])  # by first position
        batches = [[item for _, item in batch] for batch in batches]
        self._cached = (w, batches)
        return batches

    def item(self, b: int) -> list:
        """This rank's batch number ``b``."""
        return self.window_batches(b // self.window)[b % self.window]

    def __len__(self) -> int:
        return max(len(self.sampler) // self.batch_size, 1)


class SeededSamplesMixin:
    """For BaseDataset subclasses: ``dataset[SeededIndex(i, s)]`` prepares
    sample ``i`` with the global RNGs seeded by ``s`` (restored after)."""

    takes_seeded_index = True

    def __getitem__(self, idx):
        if isinstance(idx, SeededIndex):
            with seeded_random_state(idx.seed):
                return super().__getitem__(idx.index)
        return super().__getitem__(idx)


@DATASETS.register_module()
class SeededConcatDataset(SeededSamplesMixin, ConcatDataset):
    """mmdet's ConcatDataset whose samples take a SeededIndex: the
    concatenated datasets' augmentation is seeded per sample (exact
    resume), as SeededSkippingCocoDataset's is."""
