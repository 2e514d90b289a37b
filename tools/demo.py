#!/usr/bin/env python3
"""The paper's findings in miniature: scratch vs pretrained on a CPU.

The study configs/studies/demo_synthetic.py (--quick: its tiny variant
demo_synthetic_quick.py; --long: demo_synthetic_long.py, the findings the
default is too short for), run by the study runner (tools/study.py):

1. writes the synthetic shapes dataset (train/val) if absent;
2. pretrains the ResNet-18-GN backbone on a separate synthetic
   classification task (the stand-in for ImageNet);
3. trains Mask R-CNN from the pretrained backbone and from scratch for 4
   and 16 epochs of the 250 training images, three training seeds each:
   every run an ordinary tools/train.py run in OUT/<run>/, its config file
   written there;
4. compares the arms with intervals over the validation images and the
   seeds, gives each finding a verdict against the margin the study file
   declares (equivalent, different or not shown) next to the paper's
   numbers, and writes OUT/report.md with the figures.

Reruns reuse finished parts; a run stopped by Ctrl-C continues from its
last checkpoint. Full logs stay in the work dirs; the console shows one
line per stage and progress while training.
"""
import argparse
import os.path as osp
import sys
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from mmscratch.cli.config import CfgOptionsAction  # noqa: E402
from mmscratch.cli.launch import run_tool  # noqa: E402

# minutes on 2 CPU cores, measured (docs/analysis.md; the README and the
# getting-started page say these, tested)
MINUTES = dict(default=14, quick=2, long=52)
STUDIES = dict(default='configs/studies/demo_synthetic.py',
               quick='configs/studies/demo_synthetic_quick.py',
               long='configs/studies/demo_synthetic_long.py')
# the long study has its own results, pretraining and data
RESULTS = dict(default='results/demo', quick='results/demo',
               long='results/demo_long')


def parse_args():
    parser = argparse.ArgumentParser(
        description=f'{__doc__.splitlines()[0]} (about '
        f'{MINUTES["default"]} minutes on 2 CPU cores)',
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument('--out', help='folder for the results and work '
                        'dirs (default: results/demo; --long: '
                        'results/demo_long)')
    parser.add_argument('--data', help='synthetic dataset folder, made if '
                        'absent (default: the study file\'s, data/synthetic; '
                        '--long: data/synthetic_long)')
    size = parser.add_mutually_exclusive_group()
    size.add_argument('--quick', action='store_true',
                      help=f'tiny sizes (about {MINUTES["quick"]} '
                      'minutes), for tests')
    size.add_argument('--long', action='store_true',
                      help='for catching up, less data and total cost: '
                      '1,000 images, 1 and 24 epochs, a 10%% cell (about '
                      f'{MINUTES["long"]} minutes)')
    parser.add_argument('--jobs', type=int, default=2,
                        help='runs trained at once (they share the CPUs)')
    parser.add_argument('--dry-run', action='store_true',
                        help='say what would be prepared and trained, and '
                        'stop')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='set keys of the study file, e.g. samples=200')
    return parser.parse_args()


def main():
    from mmscratch.study.runner import run_study
    from mmscratch.study.spec import load_study
    args = parse_args()
    mode = 'quick' if args.quick else 'long' if args.long else 'default'
    path = osp.join(ROOT, STUDIES[mode])
    args.out = args.out or RESULTS[mode]
    options = dict(args.cfg_options or {})
    if args.data:
        options['data_root'] = args.data.rstrip('/') + '/'
    study = load_study(path, options, jobs=args.jobs)
    run_study(study, args.out,
              study_command(path, args.out, args.jobs, options),
              dry_run=args.dry_run)


def study_command(path: str, out: str, jobs: int, options: dict) -> list:
    """tools/study.py's arguments that rerun this demo (the report says
    them); --cfg-options only with options to set."""
    command = [osp.relpath(path, ROOT), '--out', out, '--jobs', str(jobs)]
    if options:
        command += ['--cfg-options'] + [f'{k}={v}'
                                        for k, v in options.items()]
    return command


if __name__ == '__main__':
    run_tool(main)
