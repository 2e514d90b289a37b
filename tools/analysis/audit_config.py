#!/usr/bin/env python3
"""Check, without training, that a config trains from scratch.

Builds the model of CONFIG on the CPU, initialises it as the Runner would
(unless a Pretrained init_cfg would load weights) and runs the same audit
as ScratchAuditHook. Exit status 0: from scratch; 1: not from scratch;
2: bad input.

Example:
    python tools/analysis/audit_config.py \
        configs/scratch/mask_rcnn_r50_gn_6x.py
"""
import argparse
import os.path as osp
import sys
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

try:
    import mmscratch  # noqa: F401,E402
except ImportError as err:
    sys.exit(f'error: {err}')

from mmengine.registry import init_default_scope  # noqa: E402

from mmscratch.audit import (AuditReport, check_config, check_init,  # noqa
                             check_model, expected_norm_of)
from mmscratch.cli.config import CfgOptionsAction, load_config  # noqa: E402
from mmscratch.cli.launch import run_tool  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config file path')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override config keys as in tools/train.py')
    parser.add_argument('--distributed', action='store_true',
                        help='audit as for a multi-process launch (SyncBN '
                        'stays SyncBN)')
    return parser.parse_args()


def audit(cfg, distributed: bool = False) -> AuditReport:
    """The audit of ``cfg``'s freshly built (and initialised) model."""
    from mmengine.logging import MMLogger

    from mmdet.registry import MODELS
    # the current logger: keeps init_weights' per-parameter lines quiet
    MMLogger.get_instance('audit_config', log_level='WARNING')
    init_default_scope(cfg.get('default_scope', 'mmdet'))
    report = AuditReport()
    check_config(cfg, report)
    model_cfg = cfg.model.copy()
    if not distributed:
        from mmscratch.utils.cfg_tree import replace_types
        replace_types(model_cfg, {'SyncBN': 'BN'})
    model = MODELS.build(model_cfg)
    check_model(model, cfg.model, report, expected_norm_of(cfg),
                distributed=distributed)
    if any(f.check == 'pretrained' for f in report.findings):
        report.add('init', 'skipped: a Pretrained init_cfg would load '
                   'weights', violation=False)
    else:
        model.init_weights()
        check_init(model, report)
    return report


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    report = audit(cfg, args.distributed)
    print(report.format())
    sys.exit(0 if report.from_scratch else 1)


if __name__ == '__main__':
    run_tool(main)
