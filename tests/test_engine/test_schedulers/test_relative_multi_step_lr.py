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


def test_short_runs_use_the_proportional_rule():
    """A downstream run of 3,000 iterations: the paper's steps (60k and 20k
    before the end) cannot fit, so the LR drops at 2/3 and 8/9 of it."""
    sched = RelativeMultiStepLR(wrapper(), before_end=[60000, 20000],
                                end=3000, by_epoch=False)
    assert sorted(sched.milestones) == [2000, 2667]
    sched = RelativeMultiStepLR(wrapper(), before_end=[60000, 20000],
                                end=3000, by_epoch=False,
                                short_run_fractions=None)
    assert not sched.milestones  # the old behaviour, by one argument
    sched = RelativeMultiStepLR(wrapper(), before_end=[60000, 20000],
                                end=70000, by_epoch=False)
    assert sorted(sched.milestones) == [10000, 50000]  # both fit


@pytest.mark.parametrize('kwargs,match', [
    (dict(end=10), 'exactly one'),
    (dict(before_end=[2], fractions=[0.5], end=10), 'exactly one'),
    (dict(before_end=[2]), 'needs the end of training'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(UserInputError, match=match):
        RelativeMultiStepLR(wrapper(), by_epoch=False, **kwargs)
