"""Float32 inputs for mmcv's CPU kernels under CPU autocast (bfloat16).

mmcv's CPU NMS and RoIAlign kernels take float32 only ("expected scalar
type Float but found BFloat16"), while under CPU autocast the features and
boxes reaching them are bfloat16. These registered subclasses of mmdet's
RPN head and RoI extractor cast just those inputs to float32, and only
when they are low precision on the CPU; everywhere else (CUDA, where mmcv
has half kernels, and float32 runs) they are mmdet's classes unchanged.
``tools/train.py --amp bf16`` names them in the config on CPU-only runs
(:func:`mmscratch.cli.amp.apply_amp`).
"""
from typing import Optional, Tuple

import torch
from torch import Tensor

from mmdet.models.dense_heads import RPNHead
from mmdet.models.roi_heads.roi_extractors import SingleRoIExtractor
from mmdet.registry import MODELS

_LOW = (torch.bfloat16, torch.float16)


def _needs_float(tensor: Tensor) -> bool:
    return tensor.dtype in _LOW and tensor.device.type == 'cpu'


@MODELS.register_module()
class Float32RoIExtractor(SingleRoIExtractor):
    """SingleRoIExtractor whose RoIAlign runs in float32 on low-precision
    CPU features; the output keeps the features' dtype."""

    def forward(self, feats: Tuple[Tensor], rois: Tensor,
                roi_scale_factor: Optional[float] = None) -> Tensor:
        if not _needs_float(feats[0]):
            return super().forward(feats, rois, roi_scale_factor)
        out = super().forward(tuple(f.float() for f in feats), rois.float(),
                              roi_scale_factor)
        return out.to(feats[0].dtype)


@MODELS.register_module()
class Float32NMSRPNHead(RPNHead):
    """RPNHead whose proposal NMS gets float32 boxes and scores on the
    CPU under low precision."""

    def _bbox_post_process(self, results, cfg, *args, **kwargs):
        if _needs_float(results.bboxes) or _needs_float(results.scores):
            results.bboxes = results.bboxes.float()
            results.scores = results.scores.float()
        return super()._bbox_post_process(results, cfg, *args, **kwargs)
