"""Deterministic subsets of COCO-format annotation files."""
from typing import Optional

import numpy as np

from ..utils.errors import UserInputError


def make_coco_subset(data: dict, num: Optional[int] = None,
                     fraction: Optional[float] = None,
                     seed: int = 0) -> dict:
    """Pick images at random (by ``seed``) and keep their annotations.

    Categories are kept whole, with their ids, so a model trained on the
    subset evaluates on the full validation set unchanged.

    Args:
        data (dict): a COCO instances dict.
        num (int, optional): number of images to keep.
        fraction (float, optional): fraction of images to keep, in (0, 1].
        seed (int): random seed. Defaults to 0.

    Returns:
        dict: the subset, images in their original order.
    """
    total = len(data['images'])
    if (num is None) == (fraction is None):
        raise UserInputError('give exactly one of num and fraction')
    if fraction is not None:
        if not 0 < fraction <= 1:
            raise UserInputError(f'fraction={fraction} must be in (0, 1]')
        num = max(1, round(total * fraction))
    if not 0 < num <= total:
        raise UserInputError(f'num={num} must be between 1 and the '
                             f'{total} images of the file')
    rng = np.random.default_rng(seed)
    keep = set(rng.choice(total, size=num, replace=False).tolist())
    images = [img for i, img in enumerate(data['images']) if i in keep]
    ids = {img['id'] for img in images}
    subset = {k: v for k, v in data.items()
              if k not in ('images', 'annotations')}
    subset['images'] = images
    subset['annotations'] = [a for a in data['annotations']
                             if a['image_id'] in ids]
    return subset
