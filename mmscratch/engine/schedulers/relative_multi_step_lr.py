import logging
import math
from typing import List, Optional, Sequence, Tuple

from mmengine.logging import print_log
from mmengine.optim import MultiStepLR

from mmdet.registry import PARAM_SCHEDULERS
from ...utils.errors import UserInputError


# the proportional rule of the less-data runs: LR /10 at 2/3 and 8/9 of the
# run; also what a run too short for the paper's steps falls back to
PROPORTIONAL = (2 / 3, 8 / 9)


def relative_steps(end: float, before_end: Optional[Sequence[int]] = None,
                   fractions: Optional[Sequence[float]] = None,
                   begin: int = 0,
                   short_run_fractions: Optional[Sequence[float]] =
                   PROPORTIONAL) -> Tuple[List[int], str]:
    """The LR steps of a run ending at ``end``, and the rule that placed
    them: ``before_end`` steps counted back from the end, or ``fractions``
    of it. When a ``before_end`` step falls at or before ``begin`` (a run
    shorter than the paper's 60k-before-end step), all steps follow
    ``short_run_fractions`` instead (None: such steps are dropped)."""
    if before_end is None:
        return [round(f * end) for f in fractions], 'fractions'
    steps = [int(end) - int(b) for b in before_end]
    if all(s > begin for s in steps):
        return steps, 'before_end'
    if short_run_fractions is None:
        return [s for s in steps if s > begin], 'before_end, some dropped'
    steps = sorted({round(f * end) for f in short_run_fractions})
    return [s for s in steps if s > begin], 'short run'


@PARAM_SCHEDULERS.register_module()
class RelativeMultiStepLR(MultiStepLR):
    """MultiStepLR whose steps are placed relative to the end of training.

    The paper divides the LR by 10 at 60k and at 20k iterations before the
    end, whatever the schedule's length: ``before_end=[60000, 20000]``.
    The less-data runs step at fixed fractions of the run instead:
    ``fractions=[2/3, 8/9]``. When the config leaves ``end`` out, mmengine's
    Runner sets it to the train loop's ``max_iters`` (``max_epochs`` when
    ``by_epoch``), so a config changes the length with
    ``train_cfg = dict(max_iters=N)`` alone and the steps follow. A run too
    short for the ``before_end`` steps (a downstream dataset of a few
    thousand iterations) uses ``short_run_fractions`` (the proportional
    rule) and says so in the log.

    Args:
        optimizer: the wrapped optimizer (set by the Runner).
        before_end (Sequence[int], optional): steps counted back from
            ``end``. Defaults to None.
        fractions (Sequence[float], optional): steps at these fractions of
            ``end`` (rounded). Defaults to None.
        short_run_fractions (Sequence[float], optional): the fractions used
            when a ``before_end`` step falls before the start; None drops
            such steps instead. Defaults to (2/3, 8/9).
        gamma (float): LR factor at each step. Defaults to 0.1.
        end (int | float): the last step, normally set by the Runner.
        **kwargs: the other arguments of mmengine's ``MultiStepLR``.
    """

    def __init__(self, optimizer, before_end: Optional[Sequence[int]] = None,
                 fractions: Optional[Sequence[float]] = None,
                 short_run_fractions: Optional[Sequence[float]] =
                 PROPORTIONAL,
                 gamma: float = 0.1, end: float = math.inf, **kwargs):
        if (before_end is None) == (fractions is None):
            raise UserInputError('RelativeMultiStepLR: give exactly one of '
                             'before_end=[...] and fractions=[...]')
        if not math.isfinite(end):
            raise UserInputError(
                'RelativeMultiStepLR needs the end of training: build it '
                'through the Runner (which sets end to max_iters) or pass '
                'end')
        begin = kwargs.get('begin', 0)
        steps, rule = relative_steps(end, before_end, fractions, begin,
                                     short_run_fractions)
        if rule == 'short run':
            print_log(
                f'RelativeMultiStepLR: the run ends at {end}, too short for '
                f'steps {list(before_end)} before its end; the LR is divided '
                f'by {1 / gamma:g} at {", ".join(map(str, steps))} instead '
                f'({"/".join(f"{f:.3g}" for f in short_run_fractions)} of '
                'the run, the less-data configs\' rule)',
                logger='current', level=logging.WARNING)
        elif rule == 'before_end, some dropped':
            print_log(
                f'RelativeMultiStepLR: the run ends at {end}, so some of the '
                f'steps {list(before_end)} before its end fall before its '
                f'start and are dropped (steps: {steps})',
                logger='current', level=logging.WARNING)
        super().__init__(optimizer, milestones=steps, gamma=gamma, end=end,
                         **kwargs)
