"""The private code of mmengine and mmdet that mmscratch builds on.

Each private name is used through this module only, and the upstream code
every adapter was written against is pinned here by the SHA-256 of its
source: ``tests/test_upstream.py`` fails on an upgrade that changes any of
it, naming what to review. Update a digest only after that review.
"""
import hashlib
import inspect
from typing import Callable, Dict, Tuple

from mmengine.optim.scheduler.param_scheduler import (
    MultiStepParamScheduler, _ParamScheduler)
from mmengine.runner.loops import _InfiniteDataloaderIterator

# the base class of mmengine's parameter schedulers (fast_forward counts
# the steps of its step() that set no value)
ParamScheduler = _ParamScheduler


def infinite_iterator(dataloader):
    """mmengine's iterator that restarts ``dataloader`` at its end."""
    return _InfiniteDataloaderIterator(dataloader)


def source_digest(obj) -> str:
    """SHA-256 of the source code of ``obj``."""
    return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()


def _pins() -> Dict[str, Tuple[Callable, str, str]]:
    """{name: (upstream object, its digest, what of ours depends on it)}."""
    from mmdet.evaluation.metrics import CocoMetric
    from mmdet.models.dense_heads import RPNHead
    from mmdet.models.test_time_augs import DetTTAModel
    from mmengine.hooks import CheckpointHook
    from mmengine.runner import IterBasedTrainLoop
    ours = 'mmscratch/evaluation/fast_coco_metric.py (runs a copy of it)'
    return {
        'mmengine IterBasedTrainLoop.__init__': (
            IterBasedTrainLoop.__init__, DIGESTS['IterBasedTrainLoop'],
            'PositionedIterBasedTrainLoop.__init__ (does its work but '
            'starting the loader)'),
        'mmengine _InfiniteDataloaderIterator': (
            _InfiniteDataloaderIterator, DIGESTS['_InfiniteIterator'],
            'infinite_iterator (PositionedIterBasedTrainLoop)'),
        'mmengine CheckpointHook._save_checkpoint_with_step': (
            CheckpointHook._save_checkpoint_with_step,
            DIGESTS['_save_checkpoint_with_step'],
            'DurableCheckpointHook._save_checkpoint_with_step (replaces '
            'it)'),
        **{f'mmdet CocoMetric.{name}': (
            getattr(CocoMetric, name), DIGESTS[f'CocoMetric.{name}'], ours)
           for name in ('__init__', 'compute_metrics', 'results2json',
                        'gt_to_coco_json')},
        'mmengine _ParamScheduler.step': (
            _ParamScheduler.step, DIGESTS['_ParamScheduler.step'],
            'fast_forward (its skipped calls do what step() does outside '
            'a value change)'),
        'mmengine MultiStepParamScheduler._get_value': (
            MultiStepParamScheduler._get_value,
            DIGESTS['MultiStepParamScheduler._get_value'],
            'fast_forward (skips the steps between milestones)'),
        'mmdet RPNHead._bbox_post_process': (
            RPNHead._bbox_post_process, DIGESTS['RPNHead._bbox_post_process'],
            'Float32NMSRPNHead (overrides it)'),
        'mmdet DetTTAModel._merge_single_sample': (
            DetTTAModel._merge_single_sample,
            DIGESTS['DetTTAModel._merge_single_sample'],
            'InstanceSegTTAModel (overrides it)'),
    }


def changed_upstream() -> Dict[str, str]:
    """{upstream name: what of ours to review} for each pin that no
    longer matches the installed code."""
    return {name: ours for name, (obj, digest, ours) in _pins().items()
            if source_digest(obj) != digest}


# the code of mmengine 0.10.7 and mmdet 3.3.0 (requirements/pinned.txt)
DIGESTS = {
    'IterBasedTrainLoop':
        '3839e4f8035d90d612ff5fcc5f6b0efc584156b295387ca6fb583dbe62de3e1f',
    '_InfiniteIterator':
        'e43515e544958c3bb9901f7f3d70e9e9803d8788fa220422555adc015d5df22f',
    '_save_checkpoint_with_step':
        'cdbc1b54c7c88d9525ab025a9d51a3d3be6e6e36396c0f1151ecf51281fd3482',
    'CocoMetric.__init__':
        '09a76f9daa9f02cb9f8d4faafb282cb6a3173e84425290b24ae43edcedca16a0',
    'CocoMetric.compute_metrics':
        'e61806b2116b30b3b9d62e339c718064979ecddf01cfee41ae9c7e7e5cb3526e',
    'CocoMetric.results2json':
        'edea5f0ac95b0f14d9ca950c6c9fd0e8902af06f30cd2f31fedfc7c3f472dc5f',
    'CocoMetric.gt_to_coco_json':
        '4b932f432f28986ef274af39663a34f23912bed4918e5187435e35a491e806e4',
    '_ParamScheduler.step':
        '797e57236f99e86d363634c34c687c6d68188cf17a97762e2401924eafb9cf67',
    'MultiStepParamScheduler._get_value':
        '4750ebd46b98c1e8ab8c657d470f0cbd29862ebf916d5db3106886fe713b3c75',
    'RPNHead._bbox_post_process':
        '1ae4f72e4f8973188b6c2565295714437ec5939ade424ddcc7ff52b3d5d0c70a',
    'DetTTAModel._merge_single_sample':
        '2254394a682e991431c0abd3dcd052fa0ffb5d80eef0bdda0eb76b4e7fbc0d0f',
}
