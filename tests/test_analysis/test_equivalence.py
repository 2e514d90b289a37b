"""Verdicts with a declared margin, and the seed-and-image interval."""
import pytest

from mmscratch.analysis.bootstrap import (per_image_matches,
                                          seed_image_bootstrap)
from mmscratch.analysis.equivalence import (DIFFERENT, EQUIVALENT,
                                            NOT_SHOWN, verdict)


@pytest.mark.parametrize('tost,ci,margin,expected', [
    ((-0.004, 0.006), (-0.005, 0.007), 0.01, EQUIVALENT),  # inside
    ((-0.012, 0.004), (-0.015, 0.006), 0.01, NOT_SHOWN),  # wider, has 0
    ((-0.030, 0.020), (-0.035, 0.025), 0.01, NOT_SHOWN),
    ((-0.040, -0.020), (-0.045, -0.015), 0.01, DIFFERENT),  # below
    ((0.015, 0.030), (0.012, 0.033), 0.01, DIFFERENT),  # above
    ((-0.008, -0.002), (-0.009, -0.001), 0.01, EQUIVALENT),  # margin wins
    ((-0.009, 0.011), (-0.010, 0.012), 0.01, NOT_SHOWN),  # ends at margin
    ((0.0, 0.0), (0.0, 0.0), 0.0, EQUIVALENT),  # a run against itself
])
def test_verdict(tost, ci, margin, expected):
    assert verdict(tost, ci, margin) == expected


def test_a_smaller_validation_set_does_not_make_equivalence_easier():
    """The same centred difference with a wider interval (fewer images):
    'equivalent' becomes 'not shown', never the other way round."""
    narrow = verdict((-0.005, 0.005), (-0.006, 0.006), 0.01)
    wide = verdict((-0.02, 0.02), (-0.025, 0.025), 0.01)
    assert (narrow, wide) == (EQUIVALENT, NOT_SHOWN)


class Planted:
    """A 'run' whose AP on any resample of its images is a constant."""

    def __init__(self, ap, n=50):
        self.ap = ap
        self.image_ids = list(range(n))

    def average_precision(self, weights=None):
        return self.ap


def test_interval_from_the_seed_spread_known_in_advance():
    """Scratch seeds at AP 0.10, 0.13, 0.16, pretrained at 0.10 three
    times, no image noise: the seed variance pooled over the arms is
    (2 x 0.0009 + 0) / 4, the standard error sqrt(0.00045 x (1/3 + 1/3))
    and the 95% interval 0.03 +- t(4) x that = 0.03 +- 2.776 x 0.01732
    (a normal quantile, 1.96, would not cover)."""
    scratch = [Planted(a) for a in (0.10, 0.13, 0.16)]
    pretrained = [Planted(0.10) for _ in range(3)]
    out = seed_image_bootstrap([pretrained, scratch], (-1, 1),
                               samples=200, seed=1)
    assert out['value'] == pytest.approx(0.03)
    se = (0.00045 * 2 / 3) ** 0.5
    assert out['se'] == pytest.approx(se) and out['df'] == pytest.approx(4)
    for level, t in ((0.95, 2.7764451), (0.90, 2.1318468)):
        low, high = out['intervals'][level]
        assert low == pytest.approx(0.03 - t * se, abs=1e-6)
        assert high == pytest.approx(0.03 + t * se, abs=1e-6)
    assert out['smallest_margin'] == pytest.approx(2.1318468 * se)
    assert out['seeds'] == [3, 3]


def test_a_run_against_itself_is_zero_and_equivalent():
    from test_bootstrap import coco, detections, make_gt
    data = make_gt()
    run = per_image_matches(coco(data), detections(data, 0.08, seed=1))
    out = seed_image_bootstrap([[run], [run]], (-1, 1), samples=50)
    assert out['value'] == 0
    assert out['intervals'][0.95] == (0.0, 0.0)
    assert verdict(out['intervals'][0.90], out['intervals'][0.95],
                   margin=0.0) == EQUIVALENT


def test_runs_on_other_images_are_refused():
    with pytest.raises(ValueError, match='different images'):
        seed_image_bootstrap([[Planted(0.1, n=5)], [Planted(0.1, n=6)]],
                             (-1, 1), samples=2)
