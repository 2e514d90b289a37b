"""A short digest of which images a training set holds."""
import hashlib
import os.path as osp

from mmengine.dataset import ConcatDataset


def _leaves(dataset):
    """The datasets under the wrappers (concatenation, repetition,
    balancing), each once."""
    if isinstance(dataset, ConcatDataset):
        for part in dataset.datasets:
            yield from _leaves(part)
    elif hasattr(dataset, 'dataset'):
        yield from _leaves(dataset.dataset)
    else:
        yield dataset


def image_set_digest(dataset) -> str:
    """12 hex digits of the sorted image paths of ``dataset`` relative to
    their common folder: equal for the same images moved or copied
    elsewhere, different when any image is another. ``''`` when the
    dataset does not say its images (no ``get_data_info``/``img_path``)."""
    paths = []
    for leaf in _leaves(dataset):
        if not hasattr(leaf, 'get_data_info'):
            return ''
        for i in range(len(leaf)):
            path = leaf.get_data_info(i).get('img_path')
            if not isinstance(path, str):
                return ''
            paths.append(path)
    if not paths:
        return ''
    root = osp.commonpath(paths) if len(paths) > 1 else osp.dirname(paths[0])
    digest = hashlib.sha256()
    for path in sorted(osp.relpath(p, root) for p in paths):
        digest.update(path.encode('utf-8', 'surrogateescape') + b'\0')
    return digest.hexdigest()[:12]
