import logging
import math
from typing import Optional, Sequence

from mmengine.logging import print_log
from mmengine.optim import MultiStepLR

from mmdet.registry import PARAM_SCHEDULERS
from ...analysis.schedule import relative_steps
from ...utils.errors import UserInputError


@PARAM_SCHEDULERS.register_module()
class RelativeMultiStepLR(MultiStepLR):
    """MultiStepLR whose steps are placed relative to the end of training.

    The paper divides the LR by 10 at 60k and at 20k iterations before the
    end, whatever the schedule's length: ``before_end=[60000, 20000]``.
    The less-data runs step at fixed fractions of the run instead:
    ``fractions=[2/3, 8/9]``. When the config leaves ``end`` out, mmengine's
    Runner sets it to the train loop's ``max_iters`` (``max_epochs`` when
    ``by_epoch``), so a config changes the length with
    ``train_cfg = dict(max_iters=N)`` alone and the steps follow. Steps
    that fall before the start (a run shortened below ``before_end``, as in
    a smoke test) are skipped with a warning.

    Args:
        optimizer: the wrapped optimizer (set by the Runner).
        before_end (Sequence[int], optional): steps counted back from
            ``end``. Defaults to None.
        fractions (Sequence[float], optional): steps at these fractions of
            ``end`` (rounded). Defaults to None.
        gamma (float): LR factor at each step. Defaults to 0.1.
        end (int | float): the last step, normally set by the Runner.
        **kwargs: the other arguments of mmengine's ``MultiStepLR``.
    """

    def __init__(self, optimizer, before_end: Optional[Sequence[int]] = None,
                 fractions: Optional[Sequence[float]] = None,
                 gamma: float = 0.1, end: float = math.inf, **kwargs):
        if (before_end is None) == (fractions is None):
            raise UserInputError('RelativeMultiStepLR: give exactly one of '
                                 'before_end=[...] and fractions=[...]')
        if not math.isfinite(end):
            raise UserInputError(
                'RelativeMultiStepLR needs the end of training: build it '
                'through the Runner (which sets end to max_iters) or pass '
                'end')
        steps = relative_steps(end, before_end, fractions)
        begin = kwargs.get('begin', 0)
        skipped = [s for s in steps if s <= begin]
        if skipped:
            # a run shortened for a smoke test: the LR is never divided
            print_log(
                f'RelativeMultiStepLR: the run ends at {end}, so the LR '
                f'steps {skipped} fall before its start ({begin}) and are '
                'skipped', logger='current', level=logging.WARNING)
        steps = [s for s in steps if s > begin]
        super().__init__(optimizer, milestones=steps, gamma=gamma, end=end,
                         **kwargs)

