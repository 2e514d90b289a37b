#!/usr/bin/env python3
"""Evaluate a checkpoint (COCO bbox/segm AP) with an MMDetection config."""
import argparse
import os.path as osp
import sys
import warnings

# mmengine imports pkg_resources (needed to resolve mmdet:: configs), which
# warns on every import with setuptools >= 70.
warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

try:
    import mmscratch  # noqa: F401,E402  (checks versions, safe loading)
except ImportError as err:
    sys.exit(f'error: {err}')

from mmengine.config import ConfigDict  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

from mmscratch.cli.config import (check_writable,  # noqa: E402
                                  load_config, set_work_dir)
from mmscratch.cli.data_check import check_data  # noqa: E402
from mmscratch.utils.errors import UserInputError  # noqa: E402
from mmscratch.cli.loader import fit_and_report  # noqa: E402
from mmscratch.cli.weights import (WeightsFitCheck,  # noqa: E402
                                   check_weights_fit)
from mmscratch.cli.launch import (add_tool_arguments,  # noqa: E402
                                  checked_by_launcher, close_launcher,
                                  prepare_launcher, run_tool,
                                  set_local_rank)


def parse_args():
    parser = argparse.ArgumentParser(description='Test (evaluate) a model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='folder for the evaluation logs')
    parser.add_argument(
        '--out', help='dump the predictions to this pickle file')
    parser.add_argument(
        '--show-dir', help='draw the predictions (and ground truth) on the '
        'test images into this folder (inside the run\'s log folder when '
        'relative, as in MMDetection)')
    parser.add_argument(
        '--show', action='store_true', help='show the drawn images in a '
        'window (needs a display)')
    parser.add_argument(
        '--wait-time', type=float, default=2,
        help='seconds each image is shown with --show')
    parser.add_argument(
        '--score-thr', type=float, default=0.3,
        help='draw predictions of at least this score with --show-dir/'
        '--show (default 0.3, as MMDetection; an early model may need '
        'less)')
    parser.add_argument(
        '--tta', action='store_true',
        help='test-time augmentation with the config\'s tta_model and '
        'tta_pipeline')
    add_tool_arguments(parser, 'test')
    args = parser.parse_args()
    set_local_rank(args.local_rank)
    return args


def draw_predictions(cfg, show_dir, show: bool, wait_time: float,
                     score_thr: float = 0.3) -> None:
    """Switch on mmdet's DetVisualizationHook (default hook
    ``visualization``) for --show-dir/--show, as MMDetection's test tool
    does."""
    hook = (cfg.get('default_hooks') or {}).get('visualization')
    if not isinstance(hook, dict):
        raise UserInputError(
            '--show-dir/--show need default_hooks.visualization (mmdet\'s '
            'DetVisualizationHook) in the config; add default_hooks = '
            "dict(visualization=dict(type='DetVisualizationHook'))")
    hook['draw'] = True
    hook['score_thr'] = score_thr
    if show_dir:
        check_writable(show_dir, '--show-dir', folder=True)
        hook['test_out_dir'] = show_dir
    if show:
        hook['show'] = True
        hook['wait_time'] = wait_time


def apply_tta(cfg, path: str) -> None:
    """Wrap the model in tta_model and test with tta_pipeline."""
    if 'tta_model' not in cfg or 'tta_pipeline' not in cfg:
        raise UserInputError(
            f'--tta: {path} has no tta_model/tta_pipeline; use a *_tta.py '
            'config such as configs/scratch/'
            'cascade_mask_rcnn_x152_gn_trainaug_9x_tta.py')
    cfg.model = ConfigDict(**cfg.tta_model, module=cfg.model)
    dataset = cfg.test_dataloader.dataset
    while 'dataset' in dataset:  # dataset wrappers
        dataset = dataset.dataset
    dataset.pipeline = cfg.tta_pipeline


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    set_work_dir(cfg, args.work_dir, args.config)
    if not osp.isfile(args.checkpoint):
        raise UserInputError(f'checkpoint {args.checkpoint} does not exist; '
                             'pass the .pth file written by tools/train.py')
    if args.out is not None and not args.out.endswith(('.pkl', '.pickle')):
        raise UserInputError(f'--out {args.out}: use a .pkl file name')
    if args.out is not None:
        check_writable(args.out, '--out')
    if args.tta:
        apply_tta(cfg, args.config)
    if args.show_dir or args.show:
        if not 0 <= args.score_thr <= 1:
            raise UserInputError(f'--score-thr {args.score_thr}: give a '
                                 'score between 0 and 1')
        draw_predictions(cfg, args.show_dir, args.show, args.wait_time,
                         args.score_thr)
    cfg.load_from = args.checkpoint
    cfg.resume = False
    prepare_launcher(cfg, args.launcher, check_only=args.check_only)
    if not checked_by_launcher():
        check_data(cfg, ['test_dataloader'],
                   all_images=args.check_all_images)
    fit_and_report(cfg, ['test_dataloader'])
    if args.check_only:
        from mmdet.registry import MODELS
        from mmengine.registry import init_default_scope
        init_default_scope('mmdet')
        check_weights_fit(MODELS.build(cfg.model), args.checkpoint)
        print(f'checks passed: {args.config} {args.checkpoint}',
              file=sys.stderr)
        return

    runner = Runner.from_cfg(cfg)
    # checked when runner.test() loads the file, before the weights go in
    runner.register_hook(WeightsFitCheck(args.checkpoint))
    if args.out is not None:
        from mmdet.evaluation import DumpDetResults
        runner.test_evaluator.metrics.append(
            DumpDetResults(out_file_path=args.out))
    runner.test()
    close_launcher()


if __name__ == '__main__':
    run_tool(main)
