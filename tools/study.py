#!/usr/bin/env python3
"""Run a study: the paper's experiment on your configs, data and machine.

A study file (configs/studies/, docs/study.md) declares the arms (configs
to compare, one of them the reference), the schedules, seeds, shares of the
training images, the equivalence margin, the metric and the launcher. This
tool prepares what the study needs, checks every distinct config once,
trains each run as an ordinary tools/train.py run in OUT/<run>/ (its config
file written there), then writes OUT/report.md: every declared contrast
with its verdict, Table 1, per-seed APs, images to reach the reference's
AP, times and the commands, with the figures.

Rerunning the same command skips finished runs, continues stopped ones
from their newest checkpoint and redoes the report; a changed study file
says which runs it adds or invalidates.

Examples:
    python tools/study.py configs/studies/own_data_example.py --jobs 2
    python tools/study.py configs/studies/table1_r50_gn_coco.py \\
        --launcher slurm --dry-run
"""
import argparse
import os.path as osp
import sys
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmscratch.cli.config import CfgOptionsAction  # noqa: E402
from mmscratch.cli.launch import run_tool  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument('study', help='study file (configs/studies/*.py)')
    parser.add_argument('--out', help='folder for the runs and the report '
                        '(default: results/<study file name>)')
    parser.add_argument('--jobs', type=int, help='local runs at a time (on '
                        'the CPUs they share the cores); overrides the '
                        "study's launcher.jobs")
    parser.add_argument('--launcher', choices=['local', 'slurm'],
                        help="overrides the study's launcher.type")
    parser.add_argument('--dry-run', action='store_true',
                        help='print what would be trained or submitted')
    parser.add_argument('--report', action='store_true',
                        help='only write the report of finished runs')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='set study keys, e.g. seeds=[0,1,2] '
                        'launcher.jobs=2')
    return parser.parse_args(argv), list(argv or sys.argv[1:])


def main():
    args, argv = parse_args()
    from mmscratch.study.runner import run_study
    from mmscratch.study.spec import load_study
    from mmscratch.utils.errors import UserInputError
    if args.jobs is not None and args.jobs < 1:
        raise UserInputError(f'--jobs {args.jobs}: give 1 or more')
    study = load_study(args.study, args.cfg_options, args.launcher,
                       args.jobs)
    out = args.out or osp.join('results', study.name)
    kept = [a for a in argv if a not in ('--dry-run', '--report')]
    if not args.out:
        kept += ['--out', out]
    run_study(study, out, kept, dry_run=args.dry_run,
              report_only=args.report)


if __name__ == '__main__':
    run_tool(main)
