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
is mmdet's own code: each instance runs mmdet's methods that use the COCO
classes (``__init__``, ``compute_metrics``, ``results2json``,
``gt_to_coco_json``) as copies whose globals are a private namespace in
which ``COCO``/``COCOeval``/``COCOevalMP``/``dump`` are the chosen library
and the faster writer. mmdet's module is never changed, so a stock
``CocoMetric`` (in the same evaluator, or another thread) is unaffected.
mmdet is pinned to 3.3.x (``mmscratch/__init__.py``); tests compare the
numbers with mmdet's own metric.
"""
import contextlib
import copy
import functools
import io
import types
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
# CocoMetric's methods that call the COCO classes or ``dump``
_ON_BACKEND = ('__init__', 'compute_metrics', 'results2json',
               'gt_to_coco_json')


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


def _cloned(func, namespace: dict):
    """``func`` with ``namespace`` as its module globals."""
    clone = types.FunctionType(func.__code__, namespace, func.__name__,
                               func.__defaults__, func.__closure__)
    clone.__kwdefaults__ = func.__kwdefaults__
    return clone


def coco_namespace(backend: str, evaluators: list) -> dict:
    """mmdet's metric-module globals with ``backend``'s COCO classes.

    A copy: the module itself is not changed. Every COCOeval object built
    through it is appended to ``evaluators``.
    """
    if backend == 'pycocotools':
        coco, coco_eval = mmdet_coco_metric.COCO, mmdet_coco_metric.COCOeval
        coco_eval_mp = mmdet_coco_metric.COCOevalMP
    else:
        coco, coco_eval = _faster_classes()
        coco_eval_mp = coco_eval

    def recorded(make):
        def build(*args, **kwargs):
            evaluator = make(*args, **kwargs)
            evaluators.append(evaluator)
            return evaluator
        return build

    namespace = dict(vars(mmdet_coco_metric))
    namespace.update(COCO=coco, COCOeval=recorded(coco_eval),
                     COCOevalMP=recorded(coco_eval_mp),
                     dump=dump_json_at_once)
    return namespace


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
        self._evaluators = []
        namespace = coco_namespace(self.backend, self._evaluators)
        self._mmdet = {name: _cloned(getattr(CocoMetric, name), namespace)
                       for name in _ON_BACKEND}
        self._mmdet['__init__'](self, *args, **kwargs)

    def results2json(self, results, outfile_prefix):
        return self._mmdet['results2json'](self, results, outfile_prefix)

    def gt_to_coco_json(self, gt_dicts, outfile_prefix):
        return self._mmdet['gt_to_coco_json'](self, gt_dicts, outfile_prefix)

    def process(self, data_batch, data_samples) -> None:
        """mmdet's, plus the mark of an image the dataset could not decode
        (``unreadable_image`` in its metainfo), carried with its result."""
        super().process(data_batch, data_samples)
        for (_, pred), sample in zip(self.results[-len(data_samples):],
                                     data_samples):
            if sample.get('unreadable_image'):
                pred['unreadable_image'] = sample['unreadable_image']

    def compute_metrics(self, results: list) -> dict:
        """mmdet's, over the images that could be decoded; when some could
        not, ``unreadable_images`` (their count) joins the metrics, so a
        number computed on fewer images is never taken for the full
        set's."""
        self._evaluators.clear()
        skipped = {pred['img_id']: pred['unreadable_image']
                   for _, pred in results if pred.get('unreadable_image')}
        if skipped:
            results = [r for r in results if r[1]['img_id'] not in skipped]
            if self._coco_api is not None:
                self.img_ids = [i for i in self._coco_api.get_img_ids()
                                if i not in skipped]
            print_log(
                f'evaluation left out {len(skipped)} image(s) that cannot '
                f'be decoded (e.g. {next(iter(skipped.values()))}); the '
                f'metrics are computed on the other {len(results)}',
                logger='current', level=30)
        else:
            self.img_ids = None  # every image of the annotation file
        metrics = self._mmdet['compute_metrics'](self, results)
        if skipped:
            metrics['unreadable_images'] = len(skipped)
        self.full_stats = {
            evaluator.params.iouType: np.asarray(evaluator.stats[:12], float)
            for evaluator in self._evaluators}
        return metrics
