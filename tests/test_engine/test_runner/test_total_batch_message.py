"""What a resume under another total batch says about the LR."""
from types import SimpleNamespace
from unittest.mock import MagicMock

import pytest

from mmscratch.engine.runner import positioned_loop
from mmscratch.engine.runner.positioned_loop import \
    PositionedIterBasedTrainLoop


@pytest.mark.parametrize('auto,expected', [
    (dict(enable=False, base_batch_size=16),
     'the total batch changes from 16 to 8 images per iteration; the LR '
     'stays 0.02; auto_scale_lr.enable=True (--auto-scale-lr) would make '
     'it 0.01'),
    (dict(enable=True, base_batch_size=16),
     'the total batch changes from 16 to 8 images per iteration; '
     'auto_scale_lr made the LR 0.02'),
    (None, 'the total batch changes from 16 to 8 images per iteration; '
     'the LR stays 0.02'),
])
def test_total_batch_change_is_reported(monkeypatch, auto, expected):
    said = []
    monkeypatch.setattr(positioned_loop, 'print_log',
                        lambda msg, **kwargs: said.append(msg))
    loop = SimpleNamespace(runner=MagicMock())
    loop.runner.cfg = dict(auto_scale_lr=auto)
    loop.runner.optim_wrapper.param_groups = [
        dict(lr=0.00002, initial_lr=0.02), dict(lr=0.0, initial_lr=0.02)]
    report = PositionedIterBasedTrainLoop._report_total_batch
    report(loop, dict(world_size=8, batch_size=2),
           dict(world_size=4, batch_size=2))
    assert said == [expected]
    said.clear()
    report(loop, dict(world_size=8, batch_size=2),
           dict(world_size=4, batch_size=4))  # same total: nothing said
    assert said == []
