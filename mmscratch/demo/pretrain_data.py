"""The demo's stand-in for ImageNet: a synthetic classification task.

Other shape families than the detection data, one object per image, the
same kind of textures, so that it teaches edges and textures but not the
categories.
"""
import cv2
import numpy as np

from ..datasets.synthetic import make_texture

PRETRAIN_CLASSES = ('ring', 'ellipse', 'arrow', 'bar', 'crescent', 'lshape',
                    'zigzag', 'dots')


def _pretrain_mask(name: str, size: int, rng: np.random.Generator
                   ) -> np.ndarray:
    mask = np.zeros((size, size), np.uint8)
    c = tuple(int(v) for v in rng.uniform(0.35 * size, 0.65 * size, 2))
    r = int(rng.uniform(0.2, 0.38) * size)
    angle = float(rng.uniform(0, 180))
    thick = max(2, int(rng.uniform(0.06, 0.12) * size))
    if name == 'ring':
        cv2.circle(mask, c, r, 1, thick)
    elif name == 'ellipse':
        cv2.ellipse(mask, (c, (2 * r, int(r * rng.uniform(0.6, 1.2))),
                           angle), 1, -1)
    elif name == 'arrow':
        end = (int(c[0] + r * np.cos(np.radians(angle))),
               int(c[1] + r * np.sin(np.radians(angle))))
        start = (2 * c[0] - end[0], 2 * c[1] - end[1])
        cv2.arrowedLine(mask, start, end, 1, thick, tipLength=0.4)
    elif name == 'bar':
        cv2.ellipse(mask, (c, (2 * r, thick * 2), angle), 1, -1)
    elif name == 'crescent':
        cv2.circle(mask, c, r, 1, -1)
        shift = (int(c[0] + 0.5 * r), c[1])
        cv2.circle(mask, shift, r, 0, -1)
    elif name == 'lshape':
        pts = np.array([[0, 0], [0, 2], [1, 2], [1, 0.6], [2, 0.6], [2, 0]])
        rot = np.radians(angle)
        rmat = np.array([[np.cos(rot), -np.sin(rot)],
                         [np.sin(rot), np.cos(rot)]])
        pts = (pts - 1) * r * 0.8 @ rmat.T + c
        cv2.fillPoly(mask, [np.round(pts).astype(np.int32)], 1)
    elif name == 'zigzag':
        xs = np.linspace(c[0] - r, c[0] + r, 6)
        ys = c[1] + np.where(np.arange(6) % 2 == 0, -r / 2, r / 2)
        pts = np.stack([xs, ys], 1).astype(np.int32)
        cv2.polylines(mask, [pts], False, 1, thick)
    elif name == 'dots':
        for _ in range(int(rng.integers(4, 8))):
            p = tuple(int(v) for v in rng.uniform(0.15 * size, 0.85 * size,
                                                  2))
            cv2.circle(mask, p, max(2, r // 4), 1, -1)
    else:
        raise ValueError(f'unknown class {name!r}')
    return mask.astype(bool)


def make_classification_images(num: int, size: int = 64, seed: int = 0,
                               texture: float = 1.0):
    """Images (N, size, size, 3 uint8 RGB) and labels of the pretraining task.

    Args:
        num (int): number of images.
        size (int): image side. Defaults to 64.
        seed (int): random seed. Defaults to 0.
    """
    rng = np.random.default_rng([seed, 1000])
    images = np.empty((num, size, size, 3), np.uint8)
    labels = rng.integers(len(PRETRAIN_CLASSES), size=num)
    for i, label in enumerate(labels):
        img = make_texture(size, size, rng, texture)
        mask = _pretrain_mask(PRETRAIN_CLASSES[label], size, rng)
        img[mask] = make_texture(size, size, rng, texture)[mask]
        images[i] = np.round(img).astype(np.uint8)
    return images, labels
