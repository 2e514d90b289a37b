"""ConvergenceHook: gaps against a known baseline, resume, bad baselines."""
import json
from unittest.mock import MagicMock

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import demo_cfg
from mmscratch.runs import read_run
from mmscratch.runs.baseline import interpolate, load_baseline
from mmscratch.engine.hooks import ComputeBudgetHook, ConvergenceHook
from mmscratch.utils.errors import UserInputError

TABLE = {'coco/bbox_mAP': [[0, 0.0], [100, 0.5], [200, 0.6]]}


def mock_runner(it, cfg=None, work_dir='/nonexistent'):
    runner = MagicMock()
    runner.iter = it
    runner.work_dir = work_dir
    runner.cfg = Config(cfg or {})
    runner.hooks = []
    runner.message_hub.get_scalar.return_value = None
    return runner


def test_interpolation_and_flat_extrapolation():
    pts = [(0, 0.0), (100, 0.5), (200, 0.6)]
    assert interpolate(pts, 50) == (0.25, False)
    assert interpolate(pts, 150) == (pytest.approx(0.55), False)
    assert interpolate(pts, 300) == (0.6, True)


def test_gap_ratio_and_catch_up(tmp_path):
    hook = ConvergenceHook(TABLE, metrics=['coco/bbox_mAP'], tolerance=0.01)
    runner = mock_runner(50, work_dir=str(tmp_path))
    hook.before_run(runner)
    hook.after_val_epoch(runner, {'coco/bbox_mAP': 0.2})
    rec = hook.history[-1]['metrics']['coco/bbox_mAP']
    assert rec['baseline'] == 0.25
    assert rec['gap'] == pytest.approx(-0.05)
    assert rec['ratio'] == pytest.approx(0.8)
    scalars = {c.args[0]: c.args[1]
               for c in runner.message_hub.update_scalar.call_args_list}
    assert scalars['val/convergence/bbox_mAP_gap'] == pytest.approx(-0.05)
    assert not hook.caught_up
    runner.iter = 250  # beyond the baseline: flat, and said so
    hook.after_val_epoch(runner, {'coco/bbox_mAP': 0.595})
    assert hook.caught_up['coco/bbox_mAP']['iter'] == 250
    assert hook.history[-1]['metrics']['coco/bbox_mAP']['extrapolated']
    assert any('flat extrapolation' in c.args[0]
               for c in runner.logger.info.call_args_list)


def test_state_survives_resume(tmp_path):
    hook = ConvergenceHook(TABLE, metrics=['coco/bbox_mAP'])
    runner = mock_runner(100, work_dir=str(tmp_path))
    hook.before_run(runner)
    hook.after_val_epoch(runner, {'coco/bbox_mAP': 0.6})
    runner.iter = 150  # validated after the checkpoint we resume from
    hook.after_val_epoch(runner, {'coco/bbox_mAP': 0.6})
    ckpt = dict(meta=dict(iter=100))
    hook.before_save_checkpoint(runner, ckpt)
    fresh = ConvergenceHook(TABLE, metrics=['coco/bbox_mAP'])
    fresh.after_load_checkpoint(
        mock_runner(100, dict(resume=True), str(tmp_path)), ckpt)
    assert [r['iter'] for r in fresh.history] == [100]
    assert fresh.caught_up == hook.caught_up
    # without the state file, the checkpoint's copy is used
    (tmp_path / 'convergence_state.json').unlink()
    other = ConvergenceHook(TABLE, metrics=['coco/bbox_mAP'])
    other.after_load_checkpoint(
        mock_runner(100, dict(resume=True), str(tmp_path)), ckpt)
    assert [r['iter'] for r in other.history] == [100]


def test_bad_baselines_fail_at_start(tmp_path):
    runner = mock_runner(0)
    with pytest.raises(UserInputError, match='does not exist'):
        ConvergenceHook(str(tmp_path / 'nope.json')).before_run(runner)
    bad = tmp_path / 'bad.json'
    bad.write_text('{not json')
    with pytest.raises(UserInputError, match='not valid JSON'):
        ConvergenceHook(str(bad)).before_run(runner)
    with pytest.raises(UserInputError, match='has no coco/segm_mAP'):
        ConvergenceHook(TABLE).before_run(runner)
    with pytest.raises(UserInputError, match='needs ComputeBudgetHook'):
        ConvergenceHook(TABLE, metrics=['coco/bbox_mAP'],
                        x='images').before_run(runner)


def table1_cfg(**changes):
    """A config that the paper's Table 1 covers, with ``changes``."""
    cfg = dict(
        model=dict(type='MaskRCNN', backbone=dict(
            type='ResNet', depth=101, norm_cfg=dict(type='GN'))),
        train_dataloader=dict(dataset=dict(
            ann_file='annotations/instances_train2017.json')))
    for key, value in changes.items():
        node = cfg
        *path, last = key.split('.')
        for part in path:
            node = node[part]
        node[last] = value
    return cfg


@pytest.mark.parametrize('change,found', [
    (dict(), None),
    ({'model.backbone.depth': 18}, 'ResNet-18'),
    ({'model.type': 'FasterRCNN'}, 'FasterRCNN'),
    ({'model.backbone.norm_cfg': dict(type='SyncBN')}, 'SyncBN'),
    ({'train_dataloader.dataset.ann_file':
      'annotations/instances_train2017_10k.json'}, '_10k.json'),
])
def test_paper_auto_compares_only_what_table1_measured(change, found):
    hook = ConvergenceHook('paper:auto', metrics=['coco/bbox_mAP'])
    runner = mock_runner(0, table1_cfg(**change))
    hook.before_run(runner)
    logged = ' '.join(c.args[0] for c in runner.logger.info.call_args_list)
    if found is None:
        assert 'comparing with paper:r101_pretrained' in logged
        assert hook.baseline_used == 'paper:r101_pretrained'
        assert hook.baseline['coco/bbox_mAP']
    else:
        assert 'no row of the paper' in logged and found in logged
        assert hook.baseline == {} and hook.baseline_used is None
        hook.after_val_epoch(runner, {'coco/bbox_mAP': 0.3})
        assert hook.history == []


def test_baseline_none_compares_nothing():
    hook = ConvergenceHook(None)
    runner = mock_runner(0)
    hook.before_run(runner)
    hook.after_val_epoch(runner, {'coco/bbox_mAP': 0.3})
    assert hook.history == [] and hook.baseline == {}


def test_paper_baseline():
    pts = load_baseline('paper:r50_pretrained')['coco/bbox_mAP']
    assert pts[0] == (180000, 0.403) and pts[-1] == (540000, 0.411)
    hook = ConvergenceHook('paper:auto', metrics=['coco/bbox_mAP'])
    hook.before_run(mock_runner(0, table1_cfg()))
    assert hook.baseline['coco/bbox_mAP'][-1] == (540000, 0.422)


@pytest.mark.slow
def test_real_run_with_resume(synthetic_data, tmp_path):
    """Known baseline -> known gaps; history kept across --resume."""
    table = tmp_path / 'baseline.json'
    table.write_text(json.dumps(dict(x='iter', metrics={
        'coco/bbox_mAP': [[0, 0.1], [4, 0.3]],
        'coco/segm_mAP': [[0, 0.2], [4, 0.2]]})))
    hooks = {'default_hooks.compute_budget.interval': 1,
             'default_hooks.convergence': dict(
                 type='ConvergenceHook', baseline=str(table), x='iter')}
    work = tmp_path / 'work'
    cfg = demo_cfg(synthetic_data, work, **hooks,
                   **{'train_cfg.max_iters': 2})
    Runner.from_cfg(cfg).train()
    cfg = demo_cfg(synthetic_data, work, **hooks, resume=True)
    runner = Runner.from_cfg(cfg)
    runner.train()
    summary = json.loads((work / 'convergence.json').read_text())
    assert [r['iter'] for r in summary['history']] == [2, 4]
    logged = {r['step']: r for r in read_run(str(work)).val}
    for rec in summary['history']:
        it = rec['iter']
        box = rec['metrics']['coco/bbox_mAP']
        assert box['value'] == logged[it]['coco/bbox_mAP']
        assert box['baseline'] == pytest.approx(0.1 + 0.05 * it)
        assert box['gap'] == pytest.approx(box['value'] - box['baseline'])
        assert logged[it]['convergence/bbox_mAP_gap'] == \
            pytest.approx(box['gap'])
    assert (work / 'convergence.png').stat().st_size > 1000
    assert any(isinstance(h, ComputeBudgetHook) for h in runner.hooks)
