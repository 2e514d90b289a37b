"""Verdicts on a difference: equivalent, different or not shown.

An interval that contains zero is not evidence of equality: with fewer
validation images or seeds it only grows wider. Equality is claimed by an
equivalence test against a margin declared before the runs (two one-sided
tests, TOST, at 5% each: the 90% interval lies inside the margin);
a difference by the 95% interval excluding zero. The margin wins: a
difference smaller than it is called equivalent, even when the interval
excludes zero.
"""
from typing import Tuple

EQUIVALENT, DIFFERENT, NOT_SHOWN = 'equivalent', 'different', 'not shown'
# runs per arm a claim about training recipes needs: the seed spread is
# estimated from them (fewer give intervals that do not cover)
MIN_SEEDS = 3


def verdict(tost_interval: Tuple[float, float],
            interval: Tuple[float, float], margin: float) -> str:
    """``equivalent`` if ``tost_interval`` (the 90% one) lies inside
    ``(-margin, margin)``; else ``different`` if ``interval`` (the 95%
    one) excludes zero; else ``not shown``."""
    if margin < 0:
        raise ValueError(f'margin={margin} must be 0 or more')
    low, high = tost_interval
    if -margin < low and high < margin or low == high == 0:
        return EQUIVALENT
    low, high = interval
    if high < 0 or low > 0:
        return DIFFERENT
    return NOT_SHOWN


def direction(interval: Tuple[float, float]) -> str:
    """'below' or 'above' zero, for a difference found."""
    return 'below' if interval[1] < 0 else 'above'


def enough_seeds(seeds, recipes: bool = False) -> bool:
    """:data:`MIN_SEEDS` or more runs in every arm; unless ``recipes``,
    also one run per arm (two models compared on the images)."""
    return min(seeds) >= MIN_SEEDS or not recipes and max(seeds) == 1


def claim_verdict(contrast: dict, margin: float,
                  recipes: bool = False) -> str:
    """:func:`verdict` of a contrast from
    :func:`~mmscratch.analysis.bootstrap.contrast_interval`.

    Arms of one run each compare two models on the validation images and
    get a verdict, unless ``recipes``: a claim about training recipes (a
    study's findings) needs the seed noise estimated, so an arm of fewer
    than :data:`MIN_SEEDS` runs gives ``not shown``.
    """
    if not enough_seeds(contrast['seeds'], recipes):
        return NOT_SHOWN
    return verdict(contrast['intervals'][0.90], contrast['intervals'][0.95],
                   margin)
