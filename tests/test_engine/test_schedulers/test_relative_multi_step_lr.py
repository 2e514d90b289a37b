"""RelativeMultiStepLR: steps placed against the end of training."""
import pytest
import torch
from mmengine.optim import OptimWrapper
from torch import nn

from mmscratch.engine.schedulers import RelativeMultiStepLR
from mmscratch.utils.errors import UserInputError


def wrapper():
    return OptimWrapper(torch.optim.SGD(nn.Linear(1, 1).parameters(),
                                        lr=1.0))


def lrs(scheduler, optim, steps):
    out = []
    for _ in range(steps):
        out.append(optim.param_groups[0]['lr'])
        scheduler.step()
    return out


def test_before_end_and_fractions():
    optim = wrapper()
    sched = RelativeMultiStepLR(optim, before_end=[6, 2], end=10,
                                by_epoch=False)
    assert sorted(sched.milestones) == [4, 8]
    assert lrs(sched, optim, 10) == pytest.approx(
        [1, 1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0.01, 0.01])
    sched = RelativeMultiStepLR(wrapper(), fractions=[2 / 3, 8 / 9],
                                end=220000, by_epoch=False)
    assert sorted(sched.milestones) == [146667, 195556]


def test_short_runs_skip_the_steps():
    sched = RelativeMultiStepLR(wrapper(), before_end=[60000, 20000],
                                end=2, by_epoch=False)
    assert not sched.milestones


@pytest.mark.parametrize('kwargs,match', [
    (dict(end=10), 'exactly one'),
    (dict(before_end=[2], fractions=[0.5], end=10), 'exactly one'),
    (dict(before_end=[2]), 'needs the end of training'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(UserInputError, match=match):
        RelativeMultiStepLR(wrapper(), by_epoch=False, **kwargs)
