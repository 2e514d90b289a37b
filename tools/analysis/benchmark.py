#!/usr/bin/env python3
"""Benchmarks of mmscratch: one entry, a subcommand per question.

`step` is the default when the first argument is a config. Every
subcommand prints its figures as text, or as one JSON line with --json;
`benchmark.py SUBCOMMAND -h` lists its options.

Examples (CONFIG: configs/demo/mask_rcnn_r18_gn_synthetic.py):
    python tools/analysis/benchmark.py CONFIG --device cpu --batch 4 \
        --size 64 64 --iters 10
    python tools/analysis/benchmark.py step \
        configs/scratch/mask_rcnn_r50_gn_6x.py \
        --vs mmdet::scratch/mask-rcnn_r50-scratch_fpn_gn-all_6x_coco.py \
        --device cpu --batch 1 --size 320 480 --iters 10
    python tools/analysis/benchmark.py hooks --iters 30 --rounds 3
    python tools/analysis/benchmark.py preemption --iters 30 --rounds 2
    python tools/analysis/benchmark.py resume --iters 10 1000 100000
    python tools/analysis/benchmark.py reschedule --iters 10000 480000
    python tools/analysis/benchmark.py coco-eval --images 5000 --dets 20
    python tools/analysis/benchmark.py preflight --out /tmp/coco_size
"""
import argparse
import importlib
import os.path as osp
import sys
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

import mmscratch  # noqa: E402,F401
from mmscratch.benchmarks.common import add_common_arguments  # noqa: E402
from mmscratch.cli.launch import run_tool  # noqa: E402

SUBCOMMANDS = dict(step='step', hooks='hooks', preemption='preemption',
                   resume='resume', reschedule='reschedule',
                   preflight='preflight',
                   **{'coco-eval': 'coco_eval'})


def parse_args(argv):
    if argv and argv[0] not in SUBCOMMANDS and not argv[0].startswith('-'):
        argv = ['step'] + argv  # `benchmark.py CONFIG ...` times steps
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    commands = parser.add_subparsers(dest='command', required=True)
    for name, module in SUBCOMMANDS.items():
        module = importlib.import_module(f'mmscratch.benchmarks.{module}')
        sub = commands.add_parser(
            name, description=module.__doc__.strip(),
            formatter_class=argparse.RawDescriptionHelpFormatter,
            help=module.__doc__.splitlines()[0].split(': ', 1)[-1])
        module.add_arguments(sub)
        add_common_arguments(sub)
        sub.set_defaults(run=module.run)
    return parser.parse_args(argv)


def main():
    args = parse_args(sys.argv[1:])
    sys.exit(args.run(args) or 0)


if __name__ == '__main__':
    run_tool(main)
