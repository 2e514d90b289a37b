import os.path as osp
from typing import Sequence

import mmcv
from mmengine.fileio import get
from mmengine.utils import mkdir_or_exist

from mmdet.engine.hooks import DetVisualizationHook
from mmdet.registry import HOOKS


@HOOKS.register_module()
class KeepPathsDetVisualizationHook(DetVisualizationHook):
    """MMDetection's ``DetVisualizationHook`` whose test drawings keep each
    image's path below the dataset's image folder.

    mmdet 3.3 names a drawing by the image's file name alone, so
    ``cam_a/0001.jpg`` and ``cam_b/0001.jpg`` overwrite each other in
    ``test_out_dir``; here they are ``cam_a/0001.jpg`` and
    ``cam_b/0001.jpg`` there. An image outside the image folder keeps its
    file name. Everything else (``score_thr``, ``show``, validation
    drawings) is mmdet's.
    """

    def after_test_iter(self, runner, batch_idx: int, data_batch: dict,
                        outputs: Sequence) -> None:
        if self.draw is False:
            return
        out_dir = None
        if self.test_out_dir is not None:
            out_dir = osp.join(runner.work_dir, runner.timestamp,
                               self.test_out_dir)
        root = image_root(runner.test_dataloader.dataset)
        for sample in outputs:
            self._test_index += 1
            path = sample.img_path
            image = mmcv.imfrombytes(get(path, backend_args=self.backend_args),
                                     channel_order='rgb')
            out_file = None
            if out_dir is not None:
                out_file = osp.join(out_dir, relative_name(path, root))
                mkdir_or_exist(osp.dirname(out_file))
            self._visualizer.add_datasample(
                osp.basename(path) if self.show else 'test_img', image,
                data_sample=sample, show=self.show, wait_time=self.wait_time,
                pred_score_thr=self.score_thr, out_file=out_file,
                step=self._test_index)


def image_root(dataset) -> str:
    """The image folder of a dataset (through dataset wrappers), or ''."""
    while hasattr(dataset, 'dataset') and not hasattr(dataset,
                                                      'data_prefix'):
        dataset = dataset.dataset
    prefix = getattr(dataset, 'data_prefix', None) or {}
    return prefix.get('img', '') or ''


def relative_name(path: str, root: str) -> str:
    """``path`` below ``root`` (never leaving it), else its file name."""
    if root and '://' not in path:
        rel = osp.relpath(osp.abspath(path), osp.abspath(root))
        if not rel.startswith(('..', osp.sep)):
            return rel
    return osp.basename(path)
