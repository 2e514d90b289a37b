#!/usr/bin/env python3
"""Write a synthetic COCO-format instance segmentation dataset.

Example:
    python tools/dataset/make_synthetic_coco.py data/synthetic \
        --train 400 --val 60 --size 128 128 --seed 0
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

from mmscratch.datasets.synthetic import (CATEGORIES,  # noqa: E402
                                          make_synthetic_coco)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('out_dir', help='folder to write the dataset into')
    parser.add_argument('--train', type=int, default=200,
                        help='training images (default 200)')
    parser.add_argument('--val', type=int, default=50,
                        help='validation images (default 50)')
    parser.add_argument('--size', type=int, nargs=2, default=[128, 128],
                        metavar=('H', 'W'), help='image size (default 128)')
    parser.add_argument('--max-objects', type=int, default=6,
                        help='most shapes per image (default 6)')
    parser.add_argument('--size-range', type=float, nargs=2,
                        default=[0.15, 0.5], metavar=('MIN', 'MAX'),
                        help='shape size as a fraction of the shorter image '
                        'side (default 0.15 0.5)')
    parser.add_argument('--texture', type=float, default=1.0,
                        help='texture strength, 0 = flat colours (default 1)')
    parser.add_argument('--classes', nargs='+', default=list(CATEGORIES),
                        help='shapes to draw (default: all of '
                        + ', '.join(CATEGORIES) + ')')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    return parser.parse_args()


def main():
    args = parse_args()
    if args.train < 0 or args.val < 0:
        sys.exit('error: --train and --val must be >= 0')
    try:
        written = make_synthetic_coco(
            args.out_dir, dict(train=args.train, val=args.val),
            image_size=args.size, max_objects=args.max_objects,
            size_range=tuple(args.size_range), seed=args.seed,
            texture=args.texture, classes=args.classes)
    except ValueError as err:
        sys.exit(f'error: {err}')
    for split, ann_file in written.items():
        with open(ann_file) as f:
            data = json.load(f)
        print(f'{split}: {len(data["images"])} images, '
              f'{len(data["annotations"])} instances -> {ann_file}')


if __name__ == '__main__':
    main()
