"""The demo's 'images to reach' figure, on constructed logs."""
from mmscratch.demo.compare import best_point, images_to_reach
from mmscratch.runs import RunLog


def log(points, images_per_step=4):
    return RunLog('w', train=[dict(step=s, **{'budget/images':
                                              s * images_per_step})
                              for s in range(10, 101, 10)],
                  val=[dict(step=s, **{'coco/bbox_mAP': v})
                       for s, v in points])


def test_first_validation_at_or_above_the_target():
    run = log([(25, 0.05), (50, 0.11), (75, 0.10), (100, 0.13)])
    reach = images_to_reach(run, 0.10)
    assert reach == dict(step=50, ap=0.11, images=200)
    assert images_to_reach(run, 0.11)['step'] == 50  # equal counts


def test_never_reached_says_none_and_the_best_point():
    run = log([(50, 0.04), (100, 0.07)])
    assert images_to_reach(run, 0.10) is None
    assert best_point(run) == dict(step=100, ap=0.07, images=400)
