"""fast_forward: the state of stepping every scheduler N times, exactly."""
import warnings

import pytest
import torch
from mmengine.optim import (CosineAnnealingLR, LinearLR, MultiStepLR,
                            OptimWrapper, StepLR)
from torch import nn

from mmscratch.engine.schedulers import RelativeMultiStepLR
from mmscratch.engine.schedulers.fast_forward import fast_forward

CHAINS = {
    'warm-up + paper steps': lambda o: [
        LinearLR(o, start_factor=0.001, by_epoch=False, begin=0, end=50),
        RelativeMultiStepLR(o, before_end=[600, 200], by_epoch=False,
                            begin=0, end=1000)],
    'multi-step, late begin, repeated milestone': lambda o: [
        MultiStepLR(o, milestones=[3, 3, 40, 900], gamma=0.5,
                    by_epoch=False, begin=20, end=700)],
    'step + cosine': lambda o: [
        StepLR(o, step_size=7, gamma=0.9, by_epoch=False, end=300),
        CosineAnnealingLR(o, T_max=100, by_epoch=False, begin=300,
                          end=400)],
    'none': lambda o: [],
}


def build(chain):
    model = nn.Linear(2, 2)
    optim = OptimWrapper(torch.optim.SGD(
        [dict(params=[model.weight]), dict(params=[model.bias], lr=0.5)],
        lr=0.02, momentum=0.9))
    return optim, CHAINS[chain](optim)


def state(optim, schedulers):
    groups = [{k: v for k, v in g.items() if k != 'params'}
              for g in optim.param_groups]
    return groups, [s.state_dict() for s in schedulers]


def step(schedulers, times):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)
        for _ in range(times):
            for scheduler in schedulers:
                scheduler.step()


@pytest.mark.parametrize('chain', sorted(CHAINS))
@pytest.mark.parametrize('steps', [0, 1, 49, 50, 401, 1000, 1500])
def test_same_state_as_stepping(chain, steps):
    plain_optim, plain = build(chain)
    step(plain, steps)
    fast_optim, fast = build(chain)
    fast_forward(fast, steps)
    assert state(fast_optim, fast) == state(plain_optim, plain)
    # the next real steps continue alike
    step(plain, 5)
    step(fast, 5)
    assert state(fast_optim, fast) == state(plain_optim, plain)


def test_the_paper_schedule_at_480k_takes_few_calls(monkeypatch):
    optim = OptimWrapper(torch.optim.SGD(nn.Linear(1, 1).parameters(),
                                         lr=0.02))
    schedulers = [
        LinearLR(optim, start_factor=0.001, by_epoch=False, begin=0,
                 end=500),
        RelativeMultiStepLR(optim, before_end=[60000, 20000],
                            by_epoch=False, begin=0, end=540000)]
    calls = []
    for scheduler in schedulers:
        real = scheduler.step
        monkeypatch.setattr(scheduler, 'step',
                            lambda real=real: calls.append(1) or real())
    fast_forward(schedulers, 480000)
    # the warm-up's 499 calls after its first, and the step at 480k
    assert len(calls) == 2 * (499 + 1)
    assert optim.param_groups[0]['lr'] == pytest.approx(0.002)
    assert schedulers[1].last_step == 480000
