"""ResumeConfigHook's comparison: every schedule and optim_wrapper key."""
import pytest
import torch
from mmengine.optim import (CosineAnnealingLR, LinearLR, OptimWrapper,
                            StepLR)
from torch import nn

from mmscratch.engine.hooks.resume_config_hook import (ResumeConfigHook,
                                                       wrapper_settings)
from mmscratch.engine.schedulers import RelativeMultiStepLR


def optim(**settings):
    return OptimWrapper(torch.optim.SGD(
        nn.Linear(1, 1).parameters(), **dict(dict(lr=0.02, momentum=0.9),
                                             **settings)))


def differences(old, new):
    """The lines for a checkpoint of schedulers ``old`` resumed with
    ``new`` (each a function of the optimizer)."""
    saved_optim, optimizer = optim(), optim()
    saved = old(saved_optim)
    return ResumeConfigHook._differences(
        optimizer, saved_optim.state_dict(), new(optimizer),
        [s.state_dict() for s in saved], [type(s).__name__ for s in saved])


@pytest.mark.parametrize('old,new,line', [
    (lambda o: [StepLR(o, step_size=2, by_epoch=False)],
     lambda o: [StepLR(o, step_size=3, by_epoch=False)],
     'StepLR step_size 2 -> 3'),
    (lambda o: [CosineAnnealingLR(o, T_max=10, eta_min_ratio=0.1,
                                  by_epoch=False)],
     lambda o: [CosineAnnealingLR(o, T_max=10, eta_min_ratio=0.01,
                                  by_epoch=False)],
     'CosineAnnealingLR eta_min_ratio 0.1 -> 0.01'),
    (lambda o: [RelativeMultiStepLR(o, before_end=[6, 2], end=10,
                                    by_epoch=False)],
     lambda o: [RelativeMultiStepLR(o, before_end=[6, 2], end=10, gamma=0.5,
                                    by_epoch=False)],
     'RelativeMultiStepLR gamma 0.1 -> 0.5'),
    (lambda o: [LinearLR(o, by_epoch=False, end=5)],
     lambda o: [StepLR(o, step_size=2, by_epoch=False)],
     'LR schedulers LinearLR -> StepLR'),
])
def test_every_schedule_field_is_compared(old, new, line):
    assert differences(old, new) == [line]


def test_a_resume_without_changes_says_nothing():
    same = lambda o: [LinearLR(o, by_epoch=False, end=5),  # noqa: E731
                      RelativeMultiStepLR(o, before_end=[6, 2], end=10,
                                          by_epoch=False)]
    assert differences(same, same) == []


def test_optim_wrapper_keys_one_line_each():
    saved = wrapper_settings(dict(
        type='OptimWrapper', optimizer=dict(type='SGD'),
        clip_grad=dict(max_norm=35), accumulative_counts=1))
    lines = ResumeConfigHook._wrapper_differences(saved, dict(
        type='AmpOptimWrapper', optimizer=dict(type='SGD', lr=9),
        accumulative_counts=4, loss_scale='dynamic'))
    assert lines == [
        'optim_wrapper.accumulative_counts 1 -> 4',
        'optim_wrapper.clip_grad {"max_norm": 35} -> null',
        'optim_wrapper.loss_scale null -> "dynamic"',
        'optim_wrapper.type "OptimWrapper" -> "AmpOptimWrapper"']
    # a checkpoint written before these were kept: nothing to compare
    assert ResumeConfigHook._wrapper_differences(None, dict(type='X')) == []


def test_a_checkpoints_texts_are_shown_short_and_on_one_line():
    line, = ResumeConfigHook._wrapper_differences(
        {'clip_grad\n\x1b[2J': 'x' * 500}, dict(optimizer=dict()))
    assert '\n' not in line and '\x1b' not in line and len(line) < 200
