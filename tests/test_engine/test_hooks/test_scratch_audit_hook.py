"""ScratchAuditHook: branch logic on mocks, real runs on the demo model."""
from unittest.mock import MagicMock

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import demo_cfg
from mmscratch.audit import (AuditReport, check_config, check_model,
                             kaiming_ratios)
from mmscratch.engine.hooks import ScratchAuditError, ScratchAuditHook


class Tiny(nn.Module):

    def __init__(self, norm=nn.GroupNorm):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 64, 3), norm(32, 64) if norm is nn.GroupNorm
            else norm(64))
        nn.init.kaiming_normal_(self.backbone[0].weight, mode='fan_out',
                                nonlinearity='relu')


def mock_runner(model, cfg=None, distributed=False):
    runner = MagicMock()
    runner.model = model
    runner.cfg = Config(cfg or dict(model=dict(backbone=dict(
        norm_cfg=dict(type='GN')))))
    runner.distributed = distributed
    return runner


def test_clean_model_passes_and_logs_scalar():
    hook = ScratchAuditHook(strict=True)
    runner = mock_runner(Tiny())
    hook.before_train(runner)
    assert hook.report.from_scratch
    runner.message_hub.update_scalar.assert_called_with(
        'scratch_audit/violations', 0)
    runner.logger.info.assert_called()


def test_frozen_parameter_in_report_mode_warns():
    model = Tiny()
    model.backbone[0].weight.requires_grad = False
    hook = ScratchAuditHook(strict=False)
    runner = mock_runner(model)
    hook.before_train(runner)
    assert [f.check for f in hook.report.violations] == ['frozen']
    assert 'backbone.0' in hook.report.violations[0].message
    runner.logger.warning.assert_called()
    runner.message_hub.update_scalar.assert_called_with(
        'scratch_audit/violations', 1)


def test_batchnorm_where_gn_promised_and_eval_mode():
    model = Tiny(norm=nn.BatchNorm2d)
    model.backbone[1].train = lambda mode=True: model.backbone[1]  # eval
    model.backbone[1].training = False
    report = AuditReport()
    check_model(model, {'backbone': {}}, report, expected_norm='GN')
    checks = sorted(f.check for f in report.violations)
    assert checks == ['norm_eval', 'norm_type']
    assert any('model.backbone.norm_eval=False' in f.message
               for f in report.violations)


def test_syncbn_promise_accepts_bn_only_without_distribution():
    model = Tiny(norm=nn.BatchNorm2d)
    single, multi = AuditReport(), AuditReport()
    check_model(model, {}, single, 'SyncBN', distributed=False)
    check_model(model, {}, multi, 'SyncBN', distributed=True)
    assert single.from_scratch and not multi.from_scratch


def test_config_findings_name_the_key():
    report = AuditReport()
    check_config(Config(dict(
        model=dict(backbone=dict(init_cfg=dict(type='Pretrained',
                                               checkpoint='x.pth'))),
        load_from='y.pth')), report)
    msgs = [f.message for f in report.violations]
    assert any('model.backbone.init_cfg=None' in m for m in msgs)
    assert any('load_from=None' in m for m in msgs)
    # a resume is not a load_from
    report = AuditReport()
    check_config(Config(dict(model={}, load_from='y.pth', resume=True)),
                 report)
    assert report.from_scratch


def test_kaiming_check_rejects_default_torch_init():
    model = Tiny()
    assert abs(kaiming_ratios(model)['backbone'] - 1) < 0.15
    nn.init.kaiming_uniform_(model.backbone[0].weight, a=5 ** 0.5)
    hook = ScratchAuditHook(strict=True)
    with pytest.raises(ScratchAuditError, match='init: backbone conv'):
        hook.before_train(mock_runner(model))


def test_resume_of_a_pretrained_checkpoint_is_reported():
    hook = ScratchAuditHook()
    runner = mock_runner(Tiny(), dict(model={}, resume=True))
    hook.after_load_checkpoint(runner, dict(meta=dict(scratch_audit=dict(
        from_scratch=False, violations=['model.backbone.init_cfg']))))
    hook.before_train(runner)
    assert [f.check for f in hook.report.violations] == ['resume']
    ckpt = {}
    hook.before_save_checkpoint(runner, ckpt)
    assert ckpt['meta']['scratch_audit']['from_scratch'] is False


def test_bad_arguments():
    with pytest.raises(ValueError, match='expected_norm'):
        ScratchAuditHook(expected_norm='LN')
    with pytest.raises(ValueError, match='init_tolerance'):
        ScratchAuditHook(init_tolerance=2)


@pytest.mark.slow
def test_real_runs_clean_and_planted(synthetic_data, tmp_path):
    # clean scratch config: trains, verdict stored in the checkpoint
    cfg = demo_cfg(synthetic_data, tmp_path / 'clean',
                   **{'train_cfg.max_iters': 2})
    Runner.from_cfg(cfg).train()
    ckpt = torch.load(tmp_path / 'clean' / 'iter_2.pth', weights_only=False)
    assert ckpt['meta']['scratch_audit'] == dict(from_scratch=True,
                                                 violations=[])

    # planted: a pretrained backbone, a frozen stage and frozen BN
    backbone = tmp_path / 'backbone.pth'
    torch.save(dict(state_dict={
        k.replace('backbone.', '', 1): v
        for k, v in ckpt['state_dict'].items() if k.startswith('backbone.')
    }), backbone)
    cfg = demo_cfg(synthetic_data, tmp_path / 'planted', **{
        'model.backbone.frozen_stages': 1,
        'model.backbone.norm_eval': True,
    })
    cfg.model.backbone.norm_cfg = dict(type='BN', requires_grad=True)
    cfg.model.backbone.init_cfg = dict(type='Pretrained',
                                       checkpoint=str(backbone))
    with pytest.raises(ScratchAuditError) as err:
        Runner.from_cfg(cfg).train()
    msg = str(err.value)
    for expected in ('model.backbone.init_cfg=None',
                     'model.backbone.frozen_stages=-1',
                     'model.backbone.norm_eval=False',
                     'promises GN everywhere'):
        assert expected in msg
    # stopped before the first step: no checkpoint written
    assert not (tmp_path / 'planted' / 'iter_2.pth').exists()
