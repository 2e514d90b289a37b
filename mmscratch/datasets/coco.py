import mmcv
import numpy as np
from mmengine import fileio
from mmengine.logging import print_log

from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS
from .positioned_sampling import SeededSamplesMixin


@DATASETS.register_module()
class SeededSkippingCocoDataset(SeededSamplesMixin, CocoDataset):
    """CocoDataset with seeded samples that skips what mmdet cannot use:
    annotations with an empty segmentation and undecodable images.

    MMDetection 3.3 keeps such an instance without a ``mask`` and then
    fails in ``LoadAnnotations`` with ``KeyError: 'mask'``. Here they are
    dropped while the file is parsed and counted in ``num_empty_masks``
    (reported once as a warning). Annotations without a ``segmentation``
    key at all (box-only data) are kept; ``skip_empty_masks=False`` (the
    detection configs) keeps every annotation.

    A :class:`~mmscratch.datasets.positioned_sampling.SeededIndex` prepares
    that sample with the RNGs seeded by its seed, so its augmentation does
    not depend on the loader worker it runs in.

    In evaluation, such an image is left out of the metric and counted
    (see ``_prepare_test_data``). In training, a sample whose image cannot
    be decoded (a truncated file,
    text named ``.png``) is replaced by the next image of the dataset, and
    the skipped path rides along in the replacement's metainfo
    (``unreadable_images``) to the main process, where
    :class:`~mmscratch.engine.hooks.UnreadableImagesHook` counts it, names
    it in the log and stops the run when too many are unreadable. Other
    errors of the pipeline are raised as they are.
    """

    def __init__(self, *args, skip_empty_masks: bool = True, **kwargs):
        self.skip_empty_masks = skip_empty_masks
        super().__init__(*args, **kwargs)

    def prepare_data(self, idx):
        if self.test_mode:
            return self._prepare_test_data(idx)
        skipped = []
        for step in range(len(self)):
            index = (idx + step) % len(self)
            try:
                data = super().prepare_data(index)
            except Exception:
                path = self.get_data_info(index)['img_path']
                if decodable(path, self.backend_args):
                    raise
                skipped.append(path)
                continue
            if skipped and data is not None:
                data['data_samples'].set_metainfo(
                    dict(unreadable_images=skipped))
            return data
        raise RuntimeError(f'no image of {self.ann_file} can be decoded')

    def _prepare_test_data(self, idx):
        """In evaluation, an image that cannot be decoded is not replaced:
        the sample goes on as a blank image of the stated size, flagged
        ``unreadable_image`` in its metainfo, so the metric
        (:class:`~mmscratch.evaluation.FastCocoMetric`) leaves the image
        out and reports how many it left out."""
        try:
            return super().prepare_data(idx)
        except Exception:
            info = self.get_data_info(idx)
            transforms = getattr(self.pipeline, 'transforms', [])
            if decodable(info['img_path'], self.backend_args) or \
                    not transforms or \
                    'LoadImage' not in type(transforms[0]).__name__:
                raise
        shape = (info['height'], info['width'])
        data = dict(info, img=np.zeros(shape + (3, ), np.uint8),
                    img_shape=shape, ori_shape=shape)
        for transform in transforms[1:]:
            data = transform(data)
        data['data_samples'].set_metainfo(
            dict(unreadable_image=info['img_path']))
        return data

    def load_data_list(self):
        self.num_empty_masks = 0
        data_list = super().load_data_list()
        if self.num_empty_masks:
            print_log(
                f'{self.ann_file}: skipped {self.num_empty_masks} '
                'annotation(s) with an empty mask', logger='current',
                level=30)
        return data_list

    def parse_data_info(self, raw_data_info: dict):
        anns = raw_data_info['raw_ann_info']
        kept = [a for a in anns if not self.skip_empty_masks or
                not ('segmentation' in a and not a['segmentation'])]
        self.num_empty_masks += len(anns) - len(kept)
        return super().parse_data_info(dict(raw_data_info, raw_ann_info=kept))


# the earlier name, kept for configs that still use it
DATASETS.register_module(name='SkipEmptyMaskCocoDataset',
                         module=SeededSkippingCocoDataset)


def decodable(path: str, backend_args=None) -> bool:
    """Whether the image file at ``path`` can be read and decoded."""
    try:
        return mmcv.imfrombytes(fileio.get(path, backend_args=backend_args)) \
            is not None
    except Exception:
        return False
