#!/usr/bin/env python3
"""Pretrain a config's backbone on the demo's synthetic classification task.

The demo's stand-in for ImageNet pretraining (mmscratch/demo/pretrain.py):
writes OUT/backbone.pth, which ``init_cfg=dict(type='Pretrained')`` loads,
and OUT/budget.json (images, instances and pixels seen, held-out accuracy)
for ComputeBudgetHook's ``pretrain`` argument.

Example:
    python tools/dataset/pretrain_demo_backbone.py \\
        configs/demo/mask_rcnn_r18_gn_synthetic_pretrained.py \\
        results/demo/pretrain --iters 200
"""
import argparse
import os.path as osp
import sys
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

from mmscratch.cli.config import (CfgOptionsAction,  # noqa: E402
                                  load_config)
from mmscratch.cli.launch import run_tool  # noqa: E402
from mmscratch.demo.pretrain import pretrain_backbone  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', help='config whose model.backbone to train')
    parser.add_argument('out', help='folder for backbone.pth and budget.json')
    parser.add_argument('--iters', type=int, default=200)
    parser.add_argument('--num-images', type=int, default=3000)
    parser.add_argument('--texture', type=float, default=0.4)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='set keys of the config first, e.g. '
                        'model.backbone.base_channels=16')
    return parser.parse_args(argv)


def main():
    args = parse_args()
    backbone = load_config(args.config,
                           args.cfg_options).model.backbone.to_dict()
    budget = pretrain_backbone(
        backbone, args.out, iters=args.iters, num_images=args.num_images,
        texture=args.texture, seed=args.seed)
    print(f'wrote {args.out}/backbone.pth: held-out accuracy '
          f'{budget["accuracy"]:.1%} (chance {budget["chance"]:.1%})')


if __name__ == '__main__':
    run_tool(main)
