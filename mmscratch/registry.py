"""Registries of the ``mmscratch`` scope, children of MMDetection's.

mmengine marks every config it reads through ``mmscratch::`` (``_base_ =
'mmscratch::scratch/mask_rcnn_r50_gn_6x.py'``) with
``_scope_='mmscratch'`` and builds its modules from the registries of that
scope, which it finds by importing this module. mmscratch registers its
classes in MMDetection's registries; these children find them, and every
MMDetection and mmengine class, through their parents. Nothing is
registered here.
"""
from mmengine.registry import Registry

from mmdet import registry as mmdet_registry


def _child(name: str) -> Registry:
    parent = getattr(mmdet_registry, name)
    # location: what mmengine imports before its first lookup here
    return Registry(parent.name, parent=parent, scope='mmscratch',
                    locations=['mmscratch'])


RUNNERS = _child('RUNNERS')
RUNNER_CONSTRUCTORS = _child('RUNNER_CONSTRUCTORS')
LOOPS = _child('LOOPS')
HOOKS = _child('HOOKS')
DATASETS = _child('DATASETS')
DATA_SAMPLERS = _child('DATA_SAMPLERS')
TRANSFORMS = _child('TRANSFORMS')
MODELS = _child('MODELS')
MODEL_WRAPPERS = _child('MODEL_WRAPPERS')
WEIGHT_INITIALIZERS = _child('WEIGHT_INITIALIZERS')
OPTIMIZERS = _child('OPTIMIZERS')
OPTIM_WRAPPERS = _child('OPTIM_WRAPPERS')
OPTIM_WRAPPER_CONSTRUCTORS = _child('OPTIM_WRAPPER_CONSTRUCTORS')
PARAM_SCHEDULERS = _child('PARAM_SCHEDULERS')
METRICS = _child('METRICS')
EVALUATOR = _child('EVALUATOR')
TASK_UTILS = _child('TASK_UTILS')
VISUALIZERS = _child('VISUALIZERS')
VISBACKENDS = _child('VISBACKENDS')
LOG_PROCESSORS = _child('LOG_PROCESSORS')
