"""The positioned data stream: every batch a function of its position."""
import itertools
import random
from unittest.mock import patch

import numpy as np
import pytest
import torch

from mmscratch.datasets.positioned_sampling import (
    PositionedAspectRatioBatchSampler, PositionedInfiniteSampler,
    PositionedStream, SeededIndex, SeededSamplesMixin, seeded_random_state)
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


def test_start_at_and_continue_run():
    s = sampler()
    stream = take(iter(s), 200)
    s.start_at(150)
    assert take(iter(s), 50) == stream[150:]
    other = sampler(seed=99)
    other.continue_run(dict(seed=7))
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


def test_a_new_sampler_implements_the_interface():
    """PositionedStream: three methods, the rest is given."""
    class Squares(PositionedStream):
        def __init__(self):
            self.seed = 0

        def item(self, k):
            return self.seed + k * k

        def layout(self):
            return dict(seed=self.seed)

        def continue_run(self, layout):
            self.seed = layout['seed']

    stream = Squares()
    stream.continue_run(dict(seed=100))
    stream.start_at(3)
    it = iter(stream)
    assert [next(it) for _ in range(3)] == [109, 116, 125]
    with pytest.raises(TypeError):
        type('Incomplete', (PositionedStream, ), {})()


def test_unseeded_dataset_is_named_at_start():
    """A dataset that does not seed its samples (a plain ConcatDataset):
    one warning that the resume is not exact."""
    with patch('mmscratch.datasets.positioned_sampling.print_log') as log:
        sampler(Shapes(seeded=True))
        assert not log.called
        sampler(Shapes(seeded=False))
    (message, ), kwargs = log.call_args
    assert 'Shapes' in message and 'not exact' in message
    assert kwargs['level'] == 30  # WARNING


def test_seeded_concat_dataset_seeds_each_sample():
    from mmengine.dataset import BaseDataset

    from mmscratch.datasets import SeededConcatDataset

    class Noisy(BaseDataset):
        def load_data_list(self):
            return [dict(i=i) for i in range(4)]

        def prepare_data(self, idx):
            return idx, torch.rand(1).item()

    data = SeededConcatDataset([Noisy(serialize_data=False),
                                Noisy(serialize_data=False)])
    first = data[SeededIndex(6, 1234)]
    torch.rand(5)
    assert data[SeededIndex(6, 1234)] == first and first[0] == 2
    assert data[SeededIndex(6, 99)] != first
