from typing import List

import torch
from mmcv.ops import batched_nms
from mmengine.structures import InstanceData

from mmdet.models.test_time_augs import DetTTAModel
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample

_FLIP_DIMS = {'horizontal': (-1, ), 'vertical': (-2, ),
              'diagonal': (-2, -1)}


@MODELS.register_module()
class InstanceSegTTAModel(DetTTAModel):
    """Test-time augmentation for detectors that also predict masks.

    MMDetection 3.3's DetTTAModel merges boxes only and refuses masks. Here
    the views' boxes are flipped back and merged by class-wise NMS as there,
    and each kept detection keeps the mask of the view it came from (masks
    are predicted at the original image size, so views differ only by
    flips, undone here).
    """

    def _merge_single_sample(
            self, data_samples: List[DetDataSample]) -> DetDataSample:
        if data_samples[0].pred_instances.get('masks', None) is None:
            return super()._merge_single_sample(data_samples)
        metas = [s.metainfo for s in data_samples]
        preds = [s.pred_instances for s in data_samples]
        bboxes, scores = self.merge_aug_bboxes(
            [p.bboxes for p in preds], [p.scores for p in preds], metas)
        labels = torch.cat([p.labels for p in preds])
        masks = torch.cat([
            torch.flip(p.masks, _FLIP_DIMS[m['flip_direction']])
            if m.get('flip', False) else p.masks
            for p, m in zip(preds, metas)
        ])
        if bboxes.numel() == 0:
            return data_samples[0]
        dets, keep = batched_nms(bboxes, scores, labels, self.tta_cfg.nms)
        keep = keep[:self.tta_cfg.max_per_img]
        dets = dets[:self.tta_cfg.max_per_img]
        merged = InstanceData()
        merged.bboxes = dets[:, :-1].clone()
        merged.scores = dets[:, -1].clone()
        merged.labels = labels[keep]
        merged.masks = masks[keep]
        result = data_samples[0]
        result.pred_instances = merged
        return result
