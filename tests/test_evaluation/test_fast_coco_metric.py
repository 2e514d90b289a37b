"""FastCocoMetric: same numbers as pycocotools, backend choice, errors."""
import copy
import json

import numpy as np
import pytest
from mmdet.evaluation.metrics import coco_metric as mmdet_coco_metric
from pycocotools.cocoeval import COCOeval as PyCOCOeval

import mmscratch.evaluation.fast_coco_metric as fcm
from mmscratch.evaluation import (FastCocoMetric, make_prediction_set,
                                  to_coco_detections)
from mmscratch.utils.errors import UserInputError

pytest.importorskip('faster_coco_eval')


@pytest.fixture(scope='module')
def prediction_set(tmp_path_factory):
    gt, results = make_prediction_set(60, dets_per_image=20, seed=7)
    path = tmp_path_factory.mktemp('coco') / 'gt.json'
    path.write_text(json.dumps(gt))
    classes = [c['name'] for c in gt['categories']]
    return str(path), classes, results


def evaluate(prediction_set, backend, **kwargs):
    ann_file, classes, results = prediction_set
    metric = FastCocoMetric(ann_file=ann_file, metric=['bbox', 'segm'],
                            backend=backend, **kwargs)
    metric.dataset_meta = dict(classes=classes)
    return metric, metric.compute_metrics(copy.deepcopy(results))


def test_prediction_set_is_seeded_and_complete():
    gt_a, res_a = make_prediction_set(3, dets_per_image=5, seed=1)
    gt_b, res_b = make_prediction_set(3, dets_per_image=5, seed=1)
    assert gt_a == gt_b
    assert all(np.array_equal(a[1]['bboxes'], b[1]['bboxes'])
               for a, b in zip(res_a, res_b))
    assert len(res_a) == 3 and all(len(p['masks']) == 5 for _, p in res_a)
    assert len(to_coco_detections(res_a)) == 15
    gt_c, _ = make_prediction_set(3, dets_per_image=5, seed=2)
    assert gt_c != gt_a


def test_same_statistics_as_pycocotools(prediction_set):
    fast, fast_metrics = evaluate(prediction_set, 'faster_coco_eval',
                                  classwise=True)
    ref, ref_metrics = evaluate(prediction_set, 'pycocotools',
                                classwise=True)
    assert set(fast.full_stats) == {'bbox', 'segm'}
    for iou_type in ('bbox', 'segm'):
        np.testing.assert_allclose(fast.full_stats[iou_type],
                                   ref.full_stats[iou_type],
                                   atol=fcm.TOLERANCE, rtol=0)
        # a non-trivial result: something matched, not everything
        assert 0.05 < ref.full_stats[iou_type][0] < 0.9
    # every logged number, class-wise ones included, is the same
    assert fast_metrics == ref_metrics
    assert 'class_00_precision' in fast_metrics


def test_faster_backend_is_really_used_and_unbound_after(prediction_set):
    import faster_coco_eval
    fast, _ = evaluate(prediction_set, 'faster_coco_eval')
    assert isinstance(fast._coco_api, faster_coco_eval.COCO)
    ref, _ = evaluate(prediction_set, 'pycocotools')
    assert not isinstance(ref._coco_api, faster_coco_eval.COCO)
    assert type(ref._coco_api).__module__.startswith('mmdet')
    # mmdet's module is left as it was
    assert mmdet_coco_metric.COCOeval is PyCOCOeval
    assert mmdet_coco_metric.dump is fcm.mmengine_dump


def test_stock_and_fast_metric_in_one_evaluator(prediction_set,
                                                monkeypatch):
    """Each metric uses its own backend; mmdet's module stays as it was."""
    import threading

    import faster_coco_eval
    from mmdet.evaluation.metrics import CocoMetric
    from mmengine.evaluator import Evaluator
    ann_file, classes, results = prediction_set
    module_before = dict(vars(mmdet_coco_metric))
    calls = []
    real_evaluate = PyCOCOeval.evaluate

    def counted(self):
        calls.append(threading.get_ident())
        return real_evaluate(self)
    monkeypatch.setattr(PyCOCOeval, 'evaluate', counted)
    stock = CocoMetric(ann_file=ann_file, metric=['bbox', 'segm'],
                       prefix='stock')
    fast = FastCocoMetric(ann_file=ann_file, metric=['bbox', 'segm'],
                          backend='faster_coco_eval', prefix='fast')
    evaluator = Evaluator([stock, fast])
    evaluator.dataset_meta = dict(classes=classes)
    for metric in (stock, fast):
        metric.results = copy.deepcopy(results)
    metrics = evaluator.evaluate(len(results))
    assert len(calls) == 2  # bbox and segm of the stock metric only
    assert all(isinstance(e, faster_coco_eval.COCOeval_faster)
               for e in fast._evaluators) and len(fast._evaluators) == 2
    assert isinstance(fast._coco_api, faster_coco_eval.COCO)
    assert not isinstance(stock._coco_api, faster_coco_eval.COCO)
    for name in ('bbox_mAP', 'segm_mAP', 'bbox_mAP_50'):
        assert metrics[f'stock/{name}'] == metrics[f'fast/{name}']
    assert dict(vars(mmdet_coco_metric)) == module_before

    # overlapping in two threads: each still on its own backend
    calls.clear()
    out = {}

    def run(metric, key):
        metric.results = copy.deepcopy(results)
        out[key] = metric.evaluate(len(results))
    threads = [threading.Thread(target=run, args=(stock, 'stock')),
               threading.Thread(target=run, args=(fast, 'fast'))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(calls) == {threads[0].ident} and len(calls) == 2
    assert out['stock']['stock/bbox_mAP'] == out['fast']['fast/bbox_mAP']
    assert dict(vars(mmdet_coco_metric)) == module_before


def test_no_detections_at_all_gives_what_mmdet_gives(prediction_set):
    """An early scratch model may detect nothing: same outcome either way."""
    ann_file, classes, results = prediction_set
    empty = [(gt, dict(pred, bboxes=np.zeros((0, 4), np.float32),
                       scores=np.zeros(0, np.float32),
                       labels=np.zeros(0, np.int64), masks=[]))
             for gt, pred in results]
    outcomes = []
    for backend in ('faster_coco_eval', 'pycocotools'):
        metric = FastCocoMetric(ann_file=ann_file, metric=['bbox', 'segm'],
                                backend=backend)
        metric.dataset_meta = dict(classes=classes)
        outcomes.append(metric.compute_metrics(copy.deepcopy(empty)))
    assert outcomes[0] == outcomes[1]


def test_auto_uses_faster_when_check_passes(monkeypatch):
    monkeypatch.setattr(fcm, 'check_faster_coco_eval', lambda: None)
    assert fcm.resolve_backend('auto') == 'faster_coco_eval'


def test_auto_falls_back_with_reason(monkeypatch):
    monkeypatch.setattr(fcm, 'check_faster_coco_eval',
                        lambda: 'faster-coco-eval is not installed')
    assert fcm.resolve_backend('auto') == 'pycocotools'


def test_check_passes_here_and_catches_a_difference(monkeypatch):
    assert fcm.check_faster_coco_eval.__wrapped__() is None
    real = fcm.summary_stats

    def skewed(backend, gt, detections, iou_type):
        stats = real(backend, gt, detections, iou_type)
        return stats + 1e-3 if backend == 'faster_coco_eval' else stats

    monkeypatch.setattr(fcm, 'summary_stats', skewed)
    reason = fcm.check_faster_coco_eval.__wrapped__()
    assert reason is not None and 'differs from pycocotools' in reason


def test_bad_backend_and_missing_library(monkeypatch):
    with pytest.raises(UserInputError, match="backend='fast'"):
        fcm.resolve_backend('fast')
    monkeypatch.setattr(fcm, 'faster_coco_eval_version', lambda: None)
    with pytest.raises(UserInputError, match='pip install faster-coco-eval'):
        fcm.resolve_backend('faster_coco_eval')
    assert fcm.resolve_backend('pycocotools') == 'pycocotools'


def test_coco_configs_default_to_fast_metric():
    from conftest import FLAGSHIP

    from mmscratch.cli.config import load_config
    cfg = load_config(FLAGSHIP)
    for name in ('val_evaluator', 'test_evaluator'):
        assert cfg[name]['type'] == 'FastCocoMetric'
        assert cfg[name].get('backend', 'auto') == 'auto'
