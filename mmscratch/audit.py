"""Checks that a model and its config really train from scratch.

Shared by :class:`~mmscratch.engine.hooks.ScratchAuditHook` (before the
first training step) and ``tools/analysis/audit_config.py`` (pre-flight,
without training). Each finding names the module and the config key to
change.
"""
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import torch.nn as nn
from mmengine.config import Config, ConfigDict

NORM_TYPES = {
    'GN': (nn.GroupNorm, ),
    'SyncBN': (nn.SyncBatchNorm, ),
    'BN': (nn.modules.batchnorm._BatchNorm, ),
}


@dataclass
class Finding:
    """One audit result.

    Attributes:
        check (str): which check produced it (pretrained, load_from, frozen,
            norm_eval, norm_type, init).
        message (str): what was found and the config key to change.
        violation (bool): whether it breaks training from scratch.
    """
    check: str
    message: str
    violation: bool = True


@dataclass
class AuditReport:
    findings: List[Finding] = field(default_factory=list)
    init_stats: Dict[str, float] = field(default_factory=dict)

    @property
    def violations(self) -> List[Finding]:
        return [f for f in self.findings if f.violation]

    @property
    def from_scratch(self) -> bool:
        return not self.violations

    def add(self, check: str, message: str, violation: bool = True):
        self.findings.append(Finding(check, message, violation))

    def format(self) -> str:
        """The report as readable lines."""
        head = ('scratch audit: the run trains from scratch'
                if self.from_scratch else
                f'scratch audit: the run is NOT from scratch '
                f'({len(self.violations)} violation(s))')
        lines = [head]
        for f in self.findings:
            mark = 'VIOLATION' if f.violation else 'ok'
            lines.append(f'  [{mark}] {f.check}: {f.message}')
        for family, ratio in sorted(self.init_stats.items()):
            lines.append(f'  init std / Kaiming std, {family}: {ratio:.3f}')
        return '\n'.join(lines)


def _walk_cfg(node, path: str):
    """Yield (key path, dict) for every dict inside a config node."""
    if isinstance(node, (dict, ConfigDict)):
        yield path, node
        for key, value in node.items():
            yield from _walk_cfg(value, f'{path}.{key}' if path else key)
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _walk_cfg(value, f'{path}.{i}')


def config_key(module_name: str, model_cfg: dict) -> str:
    """The deepest ``model.*`` config key that configures ``module_name``."""
    node, parts = model_cfg, ['model']
    for part in module_name.split('.'):
        if isinstance(node, dict) and part in node:
            node = node[part]
            parts.append(part)
        else:
            break
    return '.'.join(parts)


def check_config(cfg: Config, report: AuditReport) -> None:
    """Pretrained init_cfg, ``pretrained=`` and ``load_from`` in the config."""
    for path, node in _walk_cfg(cfg.get('model', {}), 'model'):
        if node.get('type') == 'Pretrained':
            owner = path.rsplit('.init_cfg', 1)[0]
            report.add(
                'pretrained',
                f'{path} loads {node.get("checkpoint")}; set '
                f'{owner}.init_cfg=None to train {owner} from scratch')
        if node.get('pretrained'):
            report.add('pretrained',
                       f'{path}.pretrained={node["pretrained"]}; set it to '
                       'None')
    if cfg.get('load_from') and not cfg.get('resume'):
        report.add('load_from',
                   f'load_from={cfg.load_from} loads weights before '
                   'training; set load_from=None')


def check_model(model: nn.Module, model_cfg: dict, report: AuditReport,
                expected_norm: Optional[str] = None,
                distributed: bool = True) -> None:
    """Frozen parameters/stages, norm layers in eval mode or of wrong type.

    ``model`` is switched to train mode first, as the training loop does, so
    that ``norm_eval=True`` shows as BatchNorm layers left in eval mode.
    """
    model.train()
    frozen = defaultdict(int)
    for name, param in model.named_parameters():
        if not param.requires_grad:
            frozen[name.rsplit('.', 1)[0]] += param.numel()
    if frozen:
        names = sorted(frozen)
        shown = ', '.join(names[:5]) + (' ...' if len(names) > 5 else '')
        report.add('frozen',
                   f'{len(names)} module(s) have frozen parameters '
                   f'({shown}); set {config_key(names[0], model_cfg)}'
                   '.frozen_stages=-1 and norm_cfg.requires_grad=True')
    grouped = defaultdict(list)  # (check, config key, what) -> modules
    for name, module in model.named_modules():
        stages = getattr(module, 'frozen_stages', None)
        if isinstance(stages, int) and stages >= 0:
            report.add('frozen',
                       f'{name or "model"} freezes stages up to {stages}; '
                       f'set {config_key(name, model_cfg)}.frozen_stages=-1')
        key = config_key(name, model_cfg)
        kind = type(module).__name__
        is_bn = isinstance(module, nn.modules.batchnorm._BatchNorm)
        if 'Frozen' in kind and 'Norm' in kind:
            grouped[('norm_eval', key, f'{kind} (frozen)')].append(name)
        elif is_bn and not module.training:
            grouped[('norm_eval', key, kind)].append(name)
        if expected_norm and (is_bn or isinstance(module, (
                nn.GroupNorm, nn.LayerNorm, nn.InstanceNorm2d))):
            allowed = NORM_TYPES[expected_norm]
            if expected_norm == 'SyncBN' and not distributed:
                allowed = NORM_TYPES['BN']  # single process: BN fallback
            if not isinstance(module, allowed):
                grouped[('norm_type', key, kind)].append(name)
    for (check, key, kind), names in grouped.items():
        where = f'{len(names)} {kind} layer(s) under {key} (e.g. {names[0]})'
        if check == 'norm_eval':
            report.add(check, f'{where} keep frozen statistics while '
                       f'training; set {key}.norm_eval=False and a GN or '
                       'SyncBN norm_cfg')
        else:
            report.add(check, f'{where}, but the config promises '
                       f'{expected_norm} everywhere; set {key}.norm_cfg')


def kaiming_ratios(model: nn.Module,
                   families: Sequence[str] = ('backbone', 'neck', 'rpn_head',
                                              'roi_head')) -> Dict[str,
                                                                   float]:
    """Mean of std(weight) / sqrt(2 / fan_out) over the convs of a family.

    1.0 is what Kaiming normal (fan_out, ReLU) gives; torch's default init
    and trained weights give other values.
    """
    ratios = defaultdict(list)
    for name, module in model.named_modules():
        if not isinstance(module, nn.Conv2d):
            continue
        family = name.split('.', 1)[0]
        if family not in families:
            continue
        kh, kw = module.kernel_size
        # as torch's kaiming_normal_: grouped convs too (ResNeXt)
        fan_out = module.out_channels * kh * kw
        if module.weight.numel() < 64:
            continue  # too few weights for a meaningful std
        std = module.weight.detach().float().std().item()
        ratios[family].append(std / math.sqrt(2.0 / fan_out))
    return {k: sum(v) / len(v) for k, v in ratios.items()}


def check_init(model: nn.Module, report: AuditReport,
               tolerance: float = 0.15) -> None:
    """Backbone convs must look Kaiming-initialised (step 0 only)."""
    report.init_stats = kaiming_ratios(model)
    ratio = report.init_stats.get('backbone')
    if ratio is None:
        return
    if abs(ratio - 1.0) > tolerance:
        report.add('init',
                   f'backbone conv weights have std {ratio:.2f}x the Kaiming '
                   'value (expected 1.00): they were not Kaiming-initialised '
                   'or were loaded; set model.backbone.init_cfg=None')
    else:
        report.add('init', f'backbone convs match Kaiming init '
                   f'(std ratio {ratio:.2f})', violation=False)


def expected_norm_of(cfg: Config) -> Optional[str]:
    """The norm the config promises everywhere: GN or SyncBN, if it uses
    exactly one of them in its norm_cfgs, else None."""
    found = {node['norm_cfg'].get('type')
             for _, node in _walk_cfg(cfg.get('model', {}), 'model')
             if isinstance(node.get('norm_cfg'), dict)}
    promised = found & {'GN', 'SyncBN'}
    return promised.pop() if len(promised) == 1 else None
