"""Step mmengine parameter schedulers many times, fast and exactly."""
import warnings
from typing import Sequence

from mmengine.optim.scheduler.param_scheduler import MultiStepParamScheduler

from ...utils.upstream import ParamScheduler


def _next_change(scheduler: ParamScheduler, limit: int) -> int:
    """How many ``step()`` calls from now the first one that may set a
    value is (``limit`` + 1 when none of the next ``limit`` does).

    A call sets values only inside ``[begin, end)`` of the global step;
    a multi-step scheduler, only where its step count reaches a milestone.
    """
    done = scheduler._global_step
    first = max(1, scheduler.begin - done)  # first call inside the range
    last = scheduler.end - done - 1  # last call inside it
    if first > min(last, limit):
        return limit + 1
    if not isinstance(scheduler, MultiStepParamScheduler):
        return first
    # call first + j (inside the range) brings last_step to last_step + 1 + j
    ahead = [m - scheduler.last_step - 1 for m in scheduler.milestones
             if m > scheduler.last_step]
    calls = [first + j for j in ahead if first + j <= min(last, limit)]
    return min(calls) if calls else limit + 1


def _skip(scheduler: ParamScheduler, calls: int) -> None:
    """The effect of ``calls`` calls of ``step()`` that set no value."""
    done = scheduler._global_step
    inside = min(done + calls, scheduler.end - 1) - \
        max(done + 1, scheduler.begin) + 1
    scheduler.last_step += max(0, inside)
    scheduler._global_step = done + calls
    scheduler._last_value = [
        group[scheduler.param_name]
        for group in scheduler.optimizer.param_groups]


def fast_forward(schedulers: Sequence[ParamScheduler], steps: int) -> None:
    """Call ``step()`` of every scheduler, in order, ``steps`` times.

    The same state as the plain loop (a test compares them), but the calls
    that cannot set a value (outside a scheduler's range, between a
    multi-step scheduler's milestones) are counted instead of made: a
    warm-up and the paper's LR steps at iteration 480k take 500 calls, not
    480k. Other schedulers are stepped through their whole range. Torch's
    warning of scheduler steps without optimizer steps is not shown.
    """
    done = 0 if schedulers else steps
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', UserWarning)
        while done < steps:
            left = steps - done
            quiet = min(_next_change(s, left) for s in schedulers) - 1
            if quiet > 0:
                for scheduler in schedulers:
                    _skip(scheduler, quiet)
                done += quiet
            if done < steps:
                for scheduler in schedulers:
                    scheduler.step()
                done += 1

