#!/usr/bin/env python3
"""Write a ready config for your COCO-format dataset.

Classes come from the annotation file (any category ids), the image size
from the training images' sizes, the schedule from the paper's rule for
the given epochs over the annotated images; Mask R-CNN when the file has
masks, Faster R-CNN otherwise; from scratch, or its pretrained twin.

Example:
    python tools/dataset/new_config.py \
        --train-ann data/mine/train.json --train-img data/mine/images \
        --val-ann data/mine/val.json --val-img data/mine/images \
        --out configs/mine/mask_rcnn_r50_gn_mine.py --epochs 100
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

from mmscratch.cli.launch import run_tool  # noqa: E402
from mmscratch.cli.new_config import new_config  # noqa: E402
from mmscratch.utils.checkout import tool_command  # noqa: E402
from mmscratch.utils.errors import UserInputError  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--train-ann', required=True,
                        help='COCO instances JSON of the training images')
    parser.add_argument('--train-img', required=True,
                        help='folder their file_name entries are in')
    parser.add_argument('--val-ann', required=True)
    parser.add_argument('--val-img', required=True)
    parser.add_argument('--out', required=True, help='config file to write')
    parser.add_argument('--pretrained', action='store_true',
                        help='the ImageNet-pretrained twin of the recipe')
    parser.add_argument('--epochs', type=float, default=100,
                        help='passes over the annotated training images '
                        '(default 100)')
    parser.add_argument('--batch-per-gpu', type=int, default=2)
    parser.add_argument('--gpus', type=int, default=1,
                        help='GPUs of the run (total batch = GPUs x batch '
                        'per GPU)')
    parser.add_argument('--force', action='store_true',
                        help='overwrite --out if it exists')
    args = parser.parse_args()
    if osp.exists(args.out) and not args.force:
        raise UserInputError(f'{args.out} exists; choose another --out or '
                             'pass --force to overwrite it')
    text = new_config(args.train_ann, args.train_img, args.val_ann,
                      args.val_img, args.pretrained, args.epochs,
                      args.batch_per_gpu, args.gpus,
                      name=osp.splitext(osp.basename(args.out))[0])
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        f.write(text)
    print(f'wrote {args.out}; check it with: {tool_command("train")} '
          f'{args.out} --check-only')


if __name__ == '__main__':
    run_tool(main)
