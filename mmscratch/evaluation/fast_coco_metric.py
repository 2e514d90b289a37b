"""MMDetection's COCO metric, evaluated by faster-coco-eval when it is safe.

``FastCocoMetric`` is ``CocoMetric`` with one more argument, ``backend``:

- ``'auto'`` (default): faster-coco-eval if it is installed and, checked
  once per process on a small synthetic set, gives the same statistics as
  pycocotools for boxes and masks; pycocotools otherwise (with a warning
  saying why).
- ``'faster_coco_eval'``: always faster-coco-eval (error if missing).
- ``'pycocotools'``: pycocotools, as mmdet's ``CocoMetric``.

Either way the result files are encoded in one call to the json module
(its C encoder; mmengine's ``dump`` streams through the pure-Python one,
several times slower on 100k detections); their content is unchanged.

Everything else (result files, metric names, class-wise tables, logging)
is mmdet's own code: while this metric is built and while it computes, the
names ``COCO``/``COCOeval``/``COCOevalMP``/``dump`` that mmdet's metric
module calls are bound to the chosen library and the faster writer. mmdet
is pinned to 3.3.x (``mmscratch/__init__.py``); tests check the binding.
"""
import contextlib
import copy
import functools
import io
from typing import Optional

import numpy as np
from mmengine.fileio import dump as mmengine_dump
from mmengine.fileio import put_text
from mmengine.logging import print_log

from mmdet.evaluation.metrics import CocoMetric
from mmdet.evaluation.metrics import coco_metric as mmdet_coco_metric
from mmdet.registry import METRICS

from ..utils.errors import UserInputError

BACKENDS = ('auto', 'faster_coco_eval', 'pycocotools')
# Largest difference between the two libraries' summary statistics that
# the self-check accepts ("same AP to 4 decimals").
TOLERANCE = 5e-5
_CHECK_IMAGES = 40


def faster_coco_eval_version() -> Optional[str]:
    """The installed faster-coco-eval version, or None."""
    try:
        import faster_coco_eval
    except ImportError:
        return None
    return faster_coco_eval.__version__


def _faster_classes():
    """(COCO, COCOeval) from faster-coco-eval, as mmdet's module uses them.

    COCOeval prints its summary with ``print`` like pycocotools, so that
    mmdet's capture of ``summarize()`` output reaches the log. COCO refuses
    an empty result list with IndexError like pycocotools, which mmdet
    reports as "results of the whole dataset is empty" (no metrics).
    """
    from faster_coco_eval import COCO, COCOeval_faster

    class FasterCOCO(COCO):

        def loadRes(self, resFile):
            if isinstance(resFile, list) and not resFile:
                raise IndexError('no detections')
            return super().loadRes(resFile)

    return FasterCOCO, functools.partial(COCOeval_faster,
                                         print_function=print)


def dump_json_at_once(obj, file=None, file_format=None, **kwargs):
    """mmengine's ``dump``; a ``.json`` path is encoded in a single call."""
    if isinstance(file, str) and file.endswith('.json') and \
            file_format is None and not kwargs:
        put_text(mmengine_dump(obj, file_format='json'), file)
        return None
    return mmengine_dump(obj, file, file_format, **kwargs)


@contextlib.contextmanager
def coco_api(backend: str, evaluators: Optional[list] = None):
    """Bind mmdet's metric module to ``backend``'s classes while inside.

    Every COCOeval object built meanwhile is appended to ``evaluators``.
    """
    names = ('COCO', 'COCOeval', 'COCOevalMP', 'dump')
    saved = [getattr(mmdet_coco_metric, name) for name in names]
    if backend == 'pycocotools':
        bound = saved[:3] + [dump_json_at_once]
    else:
        coco, coco_eval = _faster_classes()
        bound = [coco, coco_eval, coco_eval, dump_json_at_once]

    def recorded(make):
        def build(*args, **kwargs):
            evaluator = make(*args, **kwargs)
            if evaluators is not None:
                evaluators.append(evaluator)
            return evaluator
        return build

    bound[1:3] = [recorded(make) for make in bound[1:3]]
    for name, value in zip(names, bound):
        setattr(mmdet_coco_metric, name, value)
    try:
        yield
    finally:
        for name, value in zip(names, saved):
            setattr(mmdet_coco_metric, name, value)


def summary_stats(backend: str, gt: dict, detections: list,
                  iou_type: str) -> np.ndarray:
    """The 12 COCO summary statistics of ``detections`` under ``backend``.

    Works on copies: both libraries add keys to the dicts they are given.
    """
    gt, detections = copy.deepcopy(gt), copy.deepcopy(detections)
    if backend == 'pycocotools':
        from pycocotools.coco import COCO
        from pycocotools.cocoeval import COCOeval
    else:
        COCO, COCOeval = _faster_classes()
    with contextlib.redirect_stdout(io.StringIO()):
        coco_gt = COCO()
        coco_gt.dataset = gt
        coco_gt.createIndex()
        coco_dt = coco_gt.loadRes(detections)
        evaluator = COCOeval(coco_gt, coco_dt, iou_type)
        evaluator.params.maxDets = [100, 300, 1000]  # as CocoMetric
        evaluator.evaluate()
        evaluator.accumulate()
        evaluator.summarize()
    return np.asarray(evaluator.stats[:12], dtype=float)


@functools.lru_cache(maxsize=None)
def check_faster_coco_eval() -> Optional[str]:
    """None if faster-coco-eval is usable here, else the reason it is not.

    Usable: importable, and on a synthetic set of boxes and masks every
    summary statistic is within ``TOLERANCE`` of pycocotools'.
    """
    version = faster_coco_eval_version()
    if version is None:
        return 'faster-coco-eval is not installed'
    from .synthetic_results import make_prediction_set, to_coco_detections
    gt, results = make_prediction_set(_CHECK_IMAGES, seed=12345)
    detections = to_coco_detections(results)
    for iou_type in ('bbox', 'segm'):
        dets = detections if iou_type == 'bbox' else \
            [{k: v for k, v in d.items() if k != 'bbox'} for d in detections]
        try:
            ours = summary_stats('faster_coco_eval', gt, dets, iou_type)
        except Exception as err:  # a broken build: fall back, say why
            return f'faster-coco-eval {version} failed ({err!r})'
        reference = summary_stats('pycocotools', gt, dets, iou_type)
        gap = float(np.abs(ours - reference).max())
        if gap > TOLERANCE:
            return (f'faster-coco-eval {version} differs from pycocotools '
                    f'by {gap:.2e} on {iou_type} statistics')
    return None


def resolve_backend(backend: str) -> str:
    """The library that ``backend`` means on this machine."""
    if backend not in BACKENDS:
        raise UserInputError(
            f'FastCocoMetric: backend={backend!r} is not one of '
            f'{", ".join(BACKENDS)}; fix val_evaluator/test_evaluator '
            'in the config')
    if backend == 'faster_coco_eval' and faster_coco_eval_version() is None:
        raise UserInputError(
            "FastCocoMetric: backend='faster_coco_eval' but faster-coco-eval"
            " is not installed; `pip install faster-coco-eval` or use "
            "backend='auto'")
    if backend != 'auto':
        return backend
    problem = check_faster_coco_eval()
    if problem is None:
        return 'faster_coco_eval'
    print_log(f'COCO evaluation falls back to pycocotools: {problem}',
              logger='current', level=30)
    return 'pycocotools'


@METRICS.register_module()
class FastCocoMetric(CocoMetric):
    """``CocoMetric`` that evaluates with faster-coco-eval when verified.

    After each evaluation, ``full_stats`` maps each IoU type ('bbox',
    'segm') to its 12 summary statistics at full precision (the logged
    metrics are rounded to 3 decimals).

    Args:
        backend (str): ``'auto'``, ``'faster_coco_eval'`` or
            ``'pycocotools'`` (see the module docstring).
        **kwargs: the arguments of mmdet's ``CocoMetric``.
    """

    def __init__(self, *args, backend: str = 'auto', **kwargs) -> None:
        self.backend = resolve_backend(backend)
        self.full_stats = {}
        with coco_api(self.backend):
            super().__init__(*args, **kwargs)

    def compute_metrics(self, results: list) -> dict:
        evaluators = []
        with coco_api(self.backend, evaluators):
            metrics = super().compute_metrics(results)
        self.full_stats = {
            evaluator.params.iouType: np.asarray(evaluator.stats[:12], float)
            for evaluator in evaluators}
        return metrics
