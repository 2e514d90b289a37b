from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmdet.registry import HOOKS
from ...audit import (AuditReport, check_config, check_init, check_model,
                      expected_norm_of)
from ...utils.errors import UserInputError


class ScratchAuditError(UserInputError):
    """Raised by a strict audit; one line per violation."""


@HOOKS.register_module()
class ScratchAuditHook(Hook):
    """Before the first step, prove that the run trains from scratch.

    Reports ``Pretrained`` init_cfgs, ``load_from``, a resume from a
    checkpoint that was not from scratch, frozen parameters and stages,
    BatchNorm kept in eval mode, norm layers other than the promised GN/SyncBN
    and backbone convs whose std does not match Kaiming init. The report goes
    to the log and ``scratch_audit/violations`` to the message hub; the
    verdict is stored in every checkpoint's meta.

    Args:
        strict (bool): stop before the first step when anything is found.
            Defaults to False.
        expected_norm (str, optional): 'GN', 'SyncBN', 'auto' (from
            ``model.backbone.norm_cfg``) or None to skip the check.
            Defaults to 'auto'.
        check_init (bool): compare conv weight statistics with Kaiming init
            at step 0. Defaults to True.
        init_tolerance (float): allowed relative deviation of the backbone's
            mean std ratio from 1. Defaults to 0.15.
    """
    priority = 'VERY_HIGH'

    def __init__(self,
                 strict: bool = False,
                 expected_norm: Optional[str] = 'auto',
                 check_init: bool = True,
                 init_tolerance: float = 0.15) -> None:
        if expected_norm not in (None, 'auto', 'GN', 'SyncBN'):
            raise ValueError(
                f'expected_norm={expected_norm!r}: use None, "auto", "GN" '
                'or "SyncBN"')
        if not 0 < init_tolerance < 1:
            raise ValueError(f'init_tolerance={init_tolerance} must be in '
                             '(0, 1), e.g. 0.15')
        self.strict = strict
        self.expected_norm = expected_norm
        self.check_init = check_init
        self.init_tolerance = init_tolerance
        self.report: Optional[AuditReport] = None
        self._loaded_audit = None
        self._loaded = False

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        self._loaded = True
        self._loaded_audit = checkpoint.get('meta', {}).get('scratch_audit')

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        cfg = runner.cfg
        report = AuditReport()
        check_config(cfg, report)
        if self._loaded and cfg.get('resume'):
            if self._loaded_audit is None:
                report.add('resume', 'the resumed checkpoint has no audit '
                           'record (written without this hook)',
                           violation=False)
            elif not self._loaded_audit.get('from_scratch', False):
                report.add('resume', 'the resumed checkpoint comes from a '
                           'run that was not from scratch: '
                           + '; '.join(self._loaded_audit.get('violations',
                                                              [])))
        norm = expected_norm_of(cfg) if self.expected_norm == 'auto' \
            else self.expected_norm
        check_model(model, cfg.get('model', {}), report, norm,
                    distributed=runner.distributed)
        if self.check_init and not self._loaded:
            check_init(model, report, self.init_tolerance)
        elif self.check_init:
            report.add('init', 'skipped: weights come from a checkpoint',
                       violation=False)
        self.report = report
        runner.message_hub.update_scalar('scratch_audit/violations',
                                         len(report.violations))
        if report.from_scratch:
            runner.logger.info(report.format())
            return
        if self.strict:
            raise ScratchAuditError(
                'scratch audit failed (strict=True), fix or set '
                'custom_hooks ScratchAuditHook strict=False:\n' +
                '\n'.join(f'  {f.check}: {f.message}'
                          for f in report.violations))
        runner.logger.warning(report.format())

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self.report is None:
            return
        checkpoint.setdefault('meta', {})['scratch_audit'] = dict(
            from_scratch=self.report.from_scratch,
            violations=[f.message for f in self.report.violations])
