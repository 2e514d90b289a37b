"""The positioned data stream: every batch a function of its position."""
import itertools
import random
from unittest.mock import patch

import numpy as np
import pytest
import torch

from mmscratch.datasets.positioned_sampling import (
    PositionedAspectRatioBatchSampler, PositionedInfiniteSampler, SeededIndex,
    SeededSamplesMixin, seeded_random_state)
from mmscratch.utils.errors import UserInputError


class Shapes:
    """A dataset of ``n`` images, every third one taller than wide."""

    def __init__(self, n=37, seeded=False):
        self.n = n
        self.takes_seeded_index = seeded

    def __len__(self):
        return self.n

    def get_data_info(self, i):
        return dict(width=50, height=80) if i % 3 == 0 else \
            dict(width=80, height=50)


def sampler(dataset=None, seed=7, rank=0, world=1):
    with patch('mmscratch.datasets.positioned_sampling.get_dist_info',
               return_value=(rank, world)):
        return PositionedInfiniteSampler(dataset or Shapes(), seed=seed)


def take(iterable, n):
    return list(itertools.islice(iterable, n))


def test_each_epoch_is_a_permutation_and_positions_are_pure():
    s = sampler()
    stream = take(iter(s), 37 * 3)
    for epoch in range(3):
        assert sorted(stream[37 * epoch:37 * (epoch + 1)]) == list(range(37))
    assert stream[:37] != stream[37:74]  # epochs are shuffled differently
    fresh = sampler()
    assert [fresh.item(k) for k in (100, 3, 50)] == \
        [stream[100], stream[3], stream[50]]
    assert take(iter(sampler(seed=8)), 37) != stream[:37]


def test_ranks_split_the_global_stream():
    whole = take(iter(sampler()), 40)
    parts = [take(iter(sampler(rank=r, world=2)), 20) for r in (0, 1)]
    assert parts[0] == whole[0::2] and parts[1] == whole[1::2]


def test_start_at_and_reseed():
    s = sampler()
    stream = take(iter(s), 200)
    s.start_at(150)
    assert take(iter(s), 50) == stream[150:]
    other = sampler(seed=99)
    other.reseed(7)
    assert take(iter(other), 200) == stream


def test_batches_group_orientation_and_resume_anywhere():
    s = sampler()
    batches = PositionedAspectRatioBatchSampler(s, batch_size=4, window=5)
    stream = take(iter(batches), 40)
    data = s.dataset
    mixed = 0
    for w in range(8):
        window = stream[5 * w:5 * (w + 1)]
        flat = [i for b in window for i in b]
        # a window holds exactly its 20 positions of the stream
        assert flat and sorted(flat) == sorted(
            s.item(k) for k in range(20 * w, 20 * (w + 1)))
        for batch in window:
            assert len(batch) == 4
            kinds = {data.get_data_info(i)['width'] >= 80 for i in batch}
            mixed += len(kinds) > 1
        assert mixed <= w + 1  # at most one mixed batch per window
    again = PositionedAspectRatioBatchSampler(sampler(), batch_size=4,
                                              window=5)
    again.start_at(23)
    assert take(iter(again), 17) == stream[23:]


def test_batch_sampler_needs_the_positioned_sampler():
    with pytest.raises(UserInputError, match='PositionedInfiniteSampler'):
        PositionedAspectRatioBatchSampler(iter([]), batch_size=2)


def test_seeded_samples_are_independent_of_the_process_state():
    s = sampler(Shapes(seeded=True))
    item = s.item(5)
    assert isinstance(item, SeededIndex) and item == sampler(
        Shapes(seeded=True)).item(5)

    class Base:
        def __getitem__(self, idx):
            return (idx, np.random.rand(), random.random(),
                    torch.rand(1).item())

    class Data(SeededSamplesMixin, Base):
        pass

    data = Data()
    np.random.seed(1)
    first = data[item]
    outside = np.random.rand()
    np.random.seed(2)
    random.seed(5)
    assert data[item] == first and first[0] == item.index
    np.random.seed(1)
    assert np.random.rand() == outside  # the caller's state is restored
    assert data[3][0] == 3  # plain indices as before


def test_seeded_random_state_restores():
    np.random.seed(3)
    expected = np.random.rand()
    np.random.seed(3)
    with seeded_random_state(123):
        np.random.rand(10)
    assert np.random.rand() == expected
