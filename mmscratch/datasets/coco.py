from mmengine.logging import print_log

from mmdet.datasets import CocoDataset
from mmdet.registry import DATASETS
from .positioned_sampling import SeededSamplesMixin


@DATASETS.register_module()
class SkipEmptyMaskCocoDataset(SeededSamplesMixin, CocoDataset):
    """CocoDataset that skips annotations whose segmentation is empty.

    MMDetection 3.3 keeps such an instance without a ``mask`` and then
    fails in ``LoadAnnotations`` with ``KeyError: 'mask'``. Here they are
    dropped while the file is parsed and counted in ``num_empty_masks``
    (reported once as a warning). Annotations without a ``segmentation``
    key at all (box-only data) are kept.

    A :class:`~mmscratch.datasets.positioned_sampling.SeededIndex` prepares
    that sample with the RNGs seeded by its seed, so its augmentation does
    not depend on the loader worker it runs in.
    """

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
        kept = [a for a in anns
                if not ('segmentation' in a and not a['segmentation'])]
        self.num_empty_masks += len(anns) - len(kept)
        return super().parse_data_info(dict(raw_data_info, raw_ann_info=kept))
