"""Every config loads, builds on CPU and keeps the paper's invariants."""
import copy
import functools
import glob
import json
import os.path as osp

import pytest
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmscratch  # noqa: F401
from conftest import ROOT
from mmdet.registry import MODELS
from mmscratch.audit import AuditReport, check_config
from mmscratch.analysis.schedule import lr_steps

# training configs (configs/studies/ holds study files, not configs:
# tests/test_study checks them)
CONFIGS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'configs', '*', '*.py'))
    if '_base_' not in p and '/studies/' not in p)
SCRATCH = [c for c in CONFIGS if c.startswith('configs/scratch/') or (
    c.startswith('configs/demo/') and not c.endswith('_pretrained.py'))]
PRETRAINED = [c for c in CONFIGS if c.startswith('configs/pretrained/')]
NORMS = (nn.GroupNorm, nn.SyncBatchNorm)


@functools.lru_cache(maxsize=None)
def load(path):
    """Each config parsed once for all tests (they only read it)."""
    return Config.fromfile(osp.join(ROOT, path))


def test_there_is_a_config_for_every_experiment():
    names = {osp.basename(c) for c in CONFIGS}
    for k in (2, 3, 4, 5, 6):
        for depth in (50, 101):
            for norm in ('gn', 'syncbn'):
                name = f'mask_rcnn_r{depth}_{norm}'
                assert f'configs/scratch/{name}_{k}x.py' in CONFIGS
                assert f'configs/pretrained/{name}_in1k_{k}x.py' in CONFIGS
    for expected in ('faster_rcnn_r50_gn_6x.py',
                     'mask_rcnn_r101_gn_trainaug_9x.py',
                     'mask_rcnn_x152_gn_trainaug_9x.py',
                     'cascade_mask_rcnn_x152_gn_trainaug_9x.py',
                     'cascade_mask_rcnn_x152_gn_trainaug_9x_tta.py',
                     'mask_rcnn_r50_gn_coco10k_220k.py',
                     'faster_rcnn_r101_gn_voc0712_trainaug_144k.py'):
        assert expected in names


def test_config_file_names_are_unique():
    """Tools name work dirs after the file: twins must not share one."""
    names = [osp.basename(c) for c in CONFIGS]
    assert len(names) == len(set(names))
    assert all('_in1k_' in osp.basename(c) for c in PRETRAINED)
    assert not any('_in1k' in c for c in SCRATCH)


@pytest.mark.parametrize('path', CONFIGS)
def test_schedule_rule(path):
    cfg = load(path)
    max_iters = cfg.train_cfg.max_iters
    steps = [s for s in cfg.param_scheduler if 'MultiStep' in s.type]
    assert len(steps) == 1 and steps[0].type == 'RelativeMultiStepLR'
    assert not steps[0].by_epoch and 'end' not in steps[0]
    if max_iters % 90000 == 0 or 'cascade' in path:
        # the paper: k x 90k iterations, LR /10 at 60k and 20k before the
        # end (the cascade: the last 270k of 9x, steps at 750k and 790k)
        assert lr_steps(cfg) == [max_iters - 60000, max_iters - 20000]
    else:  # subsets, VOC and the demo: the 1x proportions, documented
        assert lr_steps(cfg) == [round(max_iters * 2 / 3),
                                 round(max_iters * 8 / 9)]
    assert cfg.optim_wrapper.paramwise_cfg.norm_decay_mult == 0
    assert cfg.auto_scale_lr.base_batch_size == 16


def _model_key(cfg) -> str:
    """The model config without what building ignores (the init source)."""
    model = copy.deepcopy(cfg.model.to_dict())
    model['backbone'].pop('init_cfg', None)
    model.pop('data_preprocessor', None)
    return json.dumps(model, sort_keys=True, default=str)


def distinct_models() -> dict:
    """One config per distinct model of the zoo, by model key."""
    models = {}
    for path in CONFIGS:
        models.setdefault(_model_key(load(path)), path)
    return models


def check_norms_and_freezing(path):
    cfg = load(path)
    backbone = cfg.model.backbone
    assert backbone.frozen_stages == -1
    assert backbone.norm_eval is False  # required for SyncBN, harmless GN
    init_default_scope('mmdet')
    model = MODELS.build(copy.deepcopy(cfg.model))  # builders edit cfgs
    parts = [model.backbone, model.neck]
    heads = model.roi_head.bbox_head
    parts += list(heads) if isinstance(heads, nn.ModuleList) else [heads]
    if model.roi_head.with_mask:
        parts += list(model.roi_head.mask_head) if isinstance(
            model.roi_head.mask_head, nn.ModuleList) else \
            [model.roi_head.mask_head]
    for part in parts:
        norms = [m for m in part.modules()
                 if isinstance(m, (nn.GroupNorm,
                                   nn.modules.batchnorm._BatchNorm))]
        assert norms and all(isinstance(m, NORMS) for m in norms), \
            f'{path}: {type(part).__name__}'
    assert all(p.requires_grad for p in model.parameters())


@pytest.mark.slow
def test_every_distinct_model_builds_with_the_promised_norms():
    """Each distinct model of the zoo built once; every other config
    shares the model of a built one."""
    models = distinct_models()
    for path in sorted(models.values()):
        check_norms_and_freezing(path)
    assert all(_model_key(load(p)) in models for p in CONFIGS)
    assert len(models) < len(CONFIGS)


@pytest.mark.parametrize('path', SCRATCH)
def test_scratch_configs_load_nothing(path):
    cfg = load(path)
    report = AuditReport()
    check_config(cfg, report)
    if 'cascade' in path:  # phase 2 starts from the phase-1 checkpoint
        assert [f.check for f in report.violations] == ['load_from']
        return
    assert report.from_scratch, report.format()
    assert cfg.load_from is None
    hooks = cfg.default_hooks
    assert hooks.scratch_audit.type == 'ScratchAuditHook'
    assert hooks.scratch_audit.strict is True


@pytest.mark.parametrize('path', PRETRAINED)
def test_pretrained_configs_init_from_imagenet(path):
    cfg = load(path)
    init = cfg.model.backbone.init_cfg
    assert init.type == 'Pretrained'
    depth = cfg.model.backbone.depth
    if cfg.model.backbone.norm_cfg.type == 'GN':
        assert init.checkpoint == f'open-mmlab://detectron/resnet{depth}_gn'
    else:
        assert init.checkpoint == f'torchvision://resnet{depth}'
    hooks = cfg.default_hooks
    assert hooks.compute_budget.pretrain == 'imagenet-1k-100ep'
    assert hooks.scratch_audit.strict is False
    assert 'convergence' not in hooks


@pytest.mark.parametrize('path', CONFIGS)
def test_reliability_hooks_come_from_the_config(path):
    hooks = load(path).default_hooks
    assert hooks.checkpoint.type == 'DurableCheckpointHook'
    assert hooks.plain_checkpoint.type == 'PlainCheckpointHook'
    assert hooks.rng_state.type == 'RNGStateHook'
    assert hooks.invalid_loss.type == 'InvalidLossHook'
    assert hooks.unreadable_images.type == 'UnreadableImagesHook'
    assert 'custom_hooks' not in load(path)


@pytest.mark.parametrize('path', CONFIGS)
def test_training_samples_are_seeded(path):
    """Every config's training dataset seeds each sample's augmentation,
    so a resume is exact (VOC concatenates with SeededConcatDataset)."""
    from mmdet.registry import DATASETS
    from mmscratch.datasets.positioned_sampling import takes_seeded_index
    init_default_scope('mmdet')
    dataset = load(path).train_dataloader.dataset
    assert takes_seeded_index(DATASETS.get(dataset.type)), dataset.type
