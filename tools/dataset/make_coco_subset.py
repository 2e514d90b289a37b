#!/usr/bin/env python3
"""Write a random subset of a COCO annotation file (the paper's 1k-35k runs).

Examples:
    python tools/dataset/make_coco_subset.py \
        data/coco/annotations/instances_train2017.json \
        data/coco/annotations/instances_train2017_10k.json --num 10000
    python tools/dataset/make_coco_subset.py IN.json OUT.json --fraction 0.1
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

from mmscratch.datasets import make_coco_subset, read_coco_file
from mmscratch.utils.errors import UserInputError


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('ann_file', help='COCO instances JSON to sample')
    parser.add_argument('out_file', help='where to write the subset')
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument('--num', type=int, help='number of images')
    group.add_argument('--fraction', type=float, help='fraction of images')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    try:
        if osp.abspath(args.ann_file) == osp.abspath(args.out_file):
            raise UserInputError('out_file would overwrite ann_file; choose '
                                 'another name')
        data = read_coco_file(args.ann_file)
        subset = make_coco_subset(data, args.num, args.fraction, args.seed)
    except UserInputError as err:
        sys.exit(f'error: {err}')
    with open(args.out_file, 'w') as f:
        json.dump(subset, f)
    print(f'{len(subset["images"])} of {len(data["images"])} images, '
          f'{len(subset["annotations"])} of {len(data["annotations"])} '
          f'instances, {len(subset["categories"])} categories (seed '
          f'{args.seed}) -> {args.out_file}')


if __name__ == '__main__':
    main()
