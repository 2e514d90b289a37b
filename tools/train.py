#!/usr/bin/env python3
"""Train a detector with an MMDetection config (mmscratch plugin loaded)."""
import argparse
import glob
import os
import os.path as osp
import sys
import warnings

# mmengine imports pkg_resources (needed to resolve mmdet:: configs), which
# warns on every import with setuptools >= 70.
warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

try:
    import mmscratch  # noqa: F401,E402  (checks versions, safe loading)
except ImportError as err:
    sys.exit(f'error: {err}')

from mmengine.runner import Runner  # noqa: E402

from mmscratch.cli.amp import apply_amp  # noqa: E402
from mmscratch.cli.config import (check_load_from,  # noqa: E402
                                  load_config, set_work_dir)
from mmscratch.cli.data_check import check_data  # noqa: E402
from mmscratch.utils.errors import UserInputError  # noqa: E402
from mmscratch.cli.loader import fit_and_report  # noqa: E402
from mmscratch.checkpoint import load_local_checkpoint  # noqa: E402
from mmscratch.cli.resume import latest_complete_checkpoint  # noqa: E402
from mmscratch.cli.launch import (add_tool_arguments,  # noqa: E402
                                  checked_by_launcher, close_launcher,
                                  prepare_launcher, run_tool,
                                  set_local_rank)


def parse_args():
    parser = argparse.ArgumentParser(description='Train a detector')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='folder for logs and checkpoints')
    parser.add_argument(
        '--amp', nargs='?', const='auto', choices=['auto', 'fp16', 'bf16'],
        help='mixed precision: fp16 (CUDA default) or bf16 (CPU default)')
    parser.add_argument(
        '--auto-scale-lr', action='store_true',
        help='scale the LR by total batch / auto_scale_lr.base_batch_size')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from the given checkpoint, or from the latest one in '
        'the work dir when no path is given')
    add_tool_arguments(parser, 'train')
    args = parser.parse_args()
    set_local_rank(args.local_rank)
    return args


# set by torchrun (--max-restarts) and by SLURM (a requeued job) when the
# same command runs again: it continues the run instead of restarting it
RESTART_ENV = ('TORCHELASTIC_RESTART_COUNT', 'SLURM_RESTART_COUNT')


def restarted() -> str:
    """The variable saying this is a restart of the same job, or ''."""
    for name in RESTART_ENV:
        if os.environ.get(name, '0').strip() not in ('', '0'):
            return name
    return ''


def warn_of_an_earlier_run(work_dir: str) -> None:
    """Say so when a run started without --resume will write over the
    checkpoints and last_checkpoint of an earlier run (rank 0)."""
    if os.environ.get('RANK', '0') != '0':
        return
    found = glob.glob(osp.join(work_dir, 'iter_*.pth')) + \
        glob.glob(osp.join(work_dir, 'epoch_*.pth'))
    if found:
        newest = max(found, key=lambda p: (os.stat(p).st_mtime_ns, p))
        print(f'warning: {work_dir} holds {len(found)} checkpoint(s) of an '
              f'earlier run (the newest {osp.basename(newest)}); this run '
              'starts at iteration 0 and replaces its last_checkpoint: '
              'pass --resume to continue that run instead', file=sys.stderr)


def build_config(args):
    cfg = load_config(args.config, args.cfg_options)
    set_work_dir(cfg, args.work_dir, args.config)
    if args.amp:
        apply_amp(cfg, args.amp)
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg or \
                'base_batch_size' not in cfg.auto_scale_lr:
            raise UserInputError(
                '--auto-scale-lr needs auto_scale_lr.base_batch_size in the '
                'config; add auto_scale_lr = dict(base_batch_size=16)')
        cfg.auto_scale_lr.enable = True
    if args.resume is None and restarted():
        print(f'{restarted()}={os.environ[restarted()]}: a restart of this '
              'job, so it resumes', file=sys.stderr)
        args.resume = 'auto'
    if args.resume == 'auto':
        # an automatic restart continues from the newest intact checkpoint
        latest = latest_complete_checkpoint(
            cfg.work_dir, intact=lambda path: load_local_checkpoint(
                path, map_location='cpu'))
        cfg.resume = latest is not None
        cfg.load_from = latest
        print(f'resuming from {latest}' if latest else
              f'no complete checkpoint in {cfg.work_dir}: training from the '
              'start', file=sys.stderr)
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    else:
        warn_of_an_earlier_run(cfg.work_dir)
    prepare_launcher(cfg, args.launcher, check_only=args.check_only)
    return cfg


def main():
    args = parse_args()
    cfg = build_config(args)
    check_load_from(cfg, osp.join(ROOT, 'configs'))
    if not checked_by_launcher():
        check_data(cfg, ['train_dataloader', 'val_dataloader'],
                   all_images=args.check_all_images)
    fit_and_report(cfg, ['train_dataloader', 'val_dataloader'])
    if args.check_only:
        print(f'checks passed: {args.config}', file=sys.stderr)
        return
    try:
        runner = Runner.from_cfg(cfg)
    except OSError as err:
        raise UserInputError(
            f'cannot write to the work dir {cfg.work_dir} '
            f'({err.strerror or err}); free space or choose another '
            '--work-dir; nothing was started') from None
    runner.train()
    close_launcher()


if __name__ == '__main__':
    run_tool(main)
