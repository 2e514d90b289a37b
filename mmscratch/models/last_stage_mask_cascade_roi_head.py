from typing import List, Tuple

import torch.nn as nn
from torch import Tensor

from mmdet.models.roi_heads import CascadeRoIHead
from mmdet.models.task_modules.samplers import SamplingResult
from mmdet.models.utils import empty_instances
from mmdet.registry import MODELS
from mmdet.structures.bbox import bbox2roi
from mmdet.utils import InstanceList


@MODELS.register_module()
class LastStageMaskCascadeRoIHead(CascadeRoIHead):
    """Cascade RoI head with one mask head, on the last stage only.

    MMDetection's CascadeRoIHead trains a mask head at every stage and
    averages them at test time; the paper's 50.9 AP system (as Detectron's
    Cascade R-CNN) has the mask branch on the last stage alone. ``mask_head``
    and ``mask_roi_extractor`` are single configs.
    """

    def init_mask_head(self, mask_roi_extractor, mask_head) -> None:
        if isinstance(mask_head, list) or isinstance(mask_roi_extractor,
                                                     list):
            raise ValueError('LastStageMaskCascadeRoIHead takes one '
                             'mask_head (and mask_roi_extractor) config, '
                             'not a list per stage')
        self.mask_head = nn.ModuleList([MODELS.build(mask_head)])
        self.share_roi_extractor = mask_roi_extractor is None
        self.mask_roi_extractor = self.bbox_roi_extractor \
            if self.share_roi_extractor else nn.ModuleList(
                [MODELS.build(mask_roi_extractor)])

    def _mask_forward(self, stage: int, x: Tuple[Tensor],
                      rois: Tensor) -> dict:
        """Mask predictions of the last stage (``stage`` is ignored)."""
        extractor = self.mask_roi_extractor[-1]
        mask_feats = extractor(x[:extractor.num_inputs], rois)
        return dict(mask_preds=self.mask_head[0](mask_feats))

    def mask_loss(self, stage: int, x: Tuple[Tensor],
                  sampling_results: List[SamplingResult],
                  batch_gt_instances: InstanceList) -> dict:
        """The mask loss of the last stage; nothing for earlier stages."""
        if stage < self.num_stages - 1:
            return dict(loss_mask={})
        pos_rois = bbox2roi([res.pos_priors for res in sampling_results])
        results = self._mask_forward(stage, x, pos_rois)
        results.update(self.mask_head[0].loss_and_target(
            mask_preds=results['mask_preds'],
            sampling_results=sampling_results,
            batch_gt_instances=batch_gt_instances,
            rcnn_train_cfg=self.train_cfg[stage]))
        return results

    def predict_mask(self, x: Tuple[Tensor], batch_img_metas: List[dict],
                     results_list: InstanceList,
                     rescale: bool = False) -> InstanceList:
        """Masks for the final boxes from the last stage's mask head."""
        mask_rois = bbox2roi([res.bboxes for res in results_list])
        if mask_rois.shape[0] == 0:
            return empty_instances(
                batch_img_metas, mask_rois.device, task_type='mask',
                instance_results=results_list,
                mask_thr_binary=self.test_cfg.mask_thr_binary)
        mask_preds = self._mask_forward(self.num_stages - 1, x,
                                        mask_rois)['mask_preds']
        mask_preds = mask_preds.split([len(r) for r in results_list], 0)
        return self.mask_head[0].predict_by_feat(
            mask_preds=mask_preds, results_list=results_list,
            batch_img_metas=batch_img_metas, rcnn_test_cfg=self.test_cfg,
            rescale=rescale)
