"""A study's 'images to reach' figure, on constructed logs."""
from mmscratch.runs import RunLog
from mmscratch.study.compare import best_point, images_to_reach

BOX = 'coco/bbox_mAP'


def log(points, images_per_step=4, budget=True):
    train = [dict(step=s, **({'budget/images': s * images_per_step}
                             if budget else {'loss': 1.0}))
             for s in range(10, 101, 10)]
    return RunLog('w', train=train,
                  val=[dict(step=s, **{BOX: v}) for s, v in points])


def test_first_validation_at_or_above_the_target():
    run = log([(25, 0.05), (50, 0.11), (75, 0.10), (100, 0.13)])
    reach = images_to_reach(run, 0.10, BOX, batch=2)
    assert reach == dict(step=50, ap=0.11, images=200)
    assert images_to_reach(run, 0.11, BOX, batch=2)['step'] == 50


def test_never_reached_says_none_and_the_best_point():
    run = log([(50, 0.04), (100, 0.07)])
    assert images_to_reach(run, 0.10, BOX, batch=2) is None
    assert best_point(run, BOX, batch=2) == dict(step=100, ap=0.07,
                                                 images=400)


def test_without_the_budget_hook_images_are_steps_times_batch():
    run = log([(50, 0.12)], budget=False)
    assert images_to_reach(run, 0.10, BOX, batch=2)['images'] == 100
