"""The seed-and-image intervals cover what they claim: a simulation on
planted data with the demo's noise (seed SD 0.014 of AP, image SD 0.004),
where the true difference is known."""
import numpy as np
import pytest

from mmscratch.analysis.bootstrap import (contrast_interval,
                                          margin_power_text,
                                          seeds_for_margin)
from mmscratch.analysis.equivalence import (DIFFERENT, EQUIVALENT,
                                            NOT_SHOWN, claim_verdict)

pytestmark = pytest.mark.slow  # about 10 s


def planted(rng, seeds=(3, 3), diff=0.0, images=300, seed_sd=0.014,
            image_sd=0.05, noise_sd=0.05, samples=300):
    """Per-image scores of each run (AP = their mean): arm mean + a seed
    effect + an image effect all runs share + noise; returns (full,
    draws, arms, seed effects) as :func:`image_resampled_aps` would."""
    shared = rng.normal(0, image_sd, images)
    runs, arms, effects = [], [], []
    for k, n in enumerate(seeds):
        arms.append(list(range(len(runs), len(runs) + n)))
        for _ in range(n):
            effects.append(rng.normal(0, seed_sd))
            runs.append(0.12 + diff * k + effects[-1] + shared +
                        rng.normal(0, noise_sd, images))
    scores = np.array(runs).T  # images x runs
    counts = np.stack([np.bincount(rng.integers(0, images, images),
                                   minlength=images)
                       for _ in range(samples)])
    return scores.mean(0), counts @ scores / images, arms, effects


def simulate(n, seeds, diff, target=None, **kw):
    """Coverage of the 90% and 95% intervals, and how often the 95% one
    excludes 0, over ``n`` planted experiments."""
    rng = np.random.default_rng(1)
    hits = {0.90: 0, 0.95: 0}
    excludes = 0
    for _ in range(n):
        full, draws, arms, effects = planted(rng, seeds, diff, **kw)
        truth = diff if target is None else target(arms, effects, diff)
        out = contrast_interval(full, draws, arms, (-1, 1))
        for level in hits:
            low, high = out['intervals'][level]
            hits[level] += low <= truth <= high
        low, high = out['intervals'][0.95]
        excludes += high < 0 or low > 0
    return {k: v / n for k, v in hits.items()}, excludes / n


@pytest.mark.parametrize('seeds', [(3, 3), (5, 5)])
@pytest.mark.parametrize('diff', [0.0, -0.02])
def test_recipe_intervals_cover(seeds, diff):
    """Two recipes, 3 or 5 seeds each: the 95% interval holds the true
    difference of the recipes in 95% of the experiments (measured 95.3%
    and 95.7%; the percentile bootstrap over seeds it replaces: 82.5% and
    89.6%), the 90% one in 90%."""
    coverage, excludes = simulate(1000, seeds, diff)
    assert coverage[0.95] >= 0.93, coverage
    assert coverage[0.90] >= 0.88, coverage
    if diff == 0:  # 'different' when there is no difference: about 5%
        assert excludes <= 0.07


def test_model_intervals_cover_the_two_models():
    """One run per arm: the interval is about these two models on the
    image population (their own seed effects included), and covers it."""
    coverage, _ = simulate(
        1000, (1, 1), 0.0,
        target=lambda arms, effects, diff: effects[1] - effects[0])
    assert coverage[0.95] >= 0.93, coverage


def test_verdicts_about_recipes_need_three_seeds():
    rng = np.random.default_rng(0)
    for seeds, expected in (((1, 1), None), ((2, 3), NOT_SHOWN),
                            ((3, 1), NOT_SHOWN)):
        full, draws, arms, _ = planted(rng, seeds, diff=-0.2)
        out = contrast_interval(full, draws, arms, (-1, 1))
        got = claim_verdict(out, margin=0.006)
        if expected is None:  # two models: judged on the images
            assert got == DIFFERENT
        else:
            assert got == expected
        # a study's findings are about recipes: one run each is not enough
        assert claim_verdict(out, margin=0.006, recipes=True) == NOT_SHOWN
    full, draws, arms, _ = planted(rng, (3, 3), diff=-0.2)
    out = contrast_interval(full, draws, arms, (-1, 1))
    assert claim_verdict(out, margin=0.006) == DIFFERENT
    assert claim_verdict(out, margin=0.006, recipes=True) == DIFFERENT


def test_equivalence_has_power_beyond_the_smallest_margin():
    """The smallest margin a design can show is the 90% half-width at an
    estimate of 0; with a margin about twice that, equivalence is found in
    most experiments without a difference (with the demo's former margin
    of 0.006 against a seed SD of 0.014: never)."""
    rng = np.random.default_rng(2)
    found, smallest = 0, []
    for _ in range(300):
        full, draws, arms, _ = planted(rng, (5, 5), samples=200)
        out = contrast_interval(full, draws, arms, (-1, 1))
        smallest.append(out['smallest_margin'])
        found += claim_verdict(out, margin=0.035) == EQUIVALENT
        assert claim_verdict(out, margin=0.006) != EQUIVALENT
    assert 0.01 < np.median(smallest) < 0.02  # measured 0.0157
    assert found / 300 > 0.9


def test_seeds_for_margin_gives_a_design_that_shows_the_margin():
    """The seeds per arm the report says a margin would take: planted
    experiments with that many seeds have a smallest margin about the
    declared one (their median at most 10% above it); none when the
    images' part alone is wider, or with one seed per arm."""
    rng = np.random.default_rng(3)
    full, draws, arms, _ = planted(rng, (20, 20), samples=200)
    out = contrast_interval(full, draws, arms, (-1, 1))
    need = seeds_for_margin(out, 0.012)
    assert 5 < need < 20
    smallest = [contrast_interval(*planted(rng, (need, need),
                                           samples=200)[:3],
                                  (-1, 1))['smallest_margin']
                for _ in range(100)]
    assert 0.8 * 0.012 < np.median(smallest) <= 1.1 * 0.012
    image_part = 1.645 * np.sqrt(out['image_var'])
    assert seeds_for_margin(out, 0.9 * image_part) is None
    # what the report and compare_runs.py say
    three = contrast_interval(*planted(rng, (3, 3), samples=200)[:3],
                              (-1, 1))
    assert f'; {seeds_for_margin(three, 0.012)} seeds per arm would show ' \
        'the margin' in margin_power_text(three, 0.012)
    assert margin_power_text(three, three['smallest_margin']) == ''
    assert 'validate on more images' in margin_power_text(
        out, 0.9 * image_part)
    one = contrast_interval(*planted(rng, (1, 1))[:3], (-1, 1))
    assert seeds_for_margin(one, 0.012) is None
