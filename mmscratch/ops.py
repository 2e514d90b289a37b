"""Float32 inputs for mmcv's CPU kernels under mixed precision.

mmcv's CPU NMS and RoIAlign kernels accept float32 only ("expected scalar
type Float but found BFloat16", "ROIAlign_forward not implemented for
BFloat16"), and under CPU autocast their inputs are bfloat16. The wrappers
cast those inputs to float32 for the kernel (RoIAlign's output back to the
features' dtype); float32 inputs pass unchanged.
"""
import importlib

import torch

# the modules, not the functions mmcv.ops re-exports under the same names
_nms_module = importlib.import_module('mmcv.ops.nms')
_roi_align_module = importlib.import_module('mmcv.ops.roi_align')
_mmcv_nms = _nms_module.nms
_mmcv_roi_align = _roi_align_module.roi_align
_LOW = (torch.bfloat16, torch.float16)


def _float_nms(boxes, scores, iou_threshold, *args, **kwargs):
    if boxes.dtype in _LOW or scores.dtype in _LOW:
        boxes, scores = boxes.float(), scores.float()
    return _mmcv_nms(boxes, scores, iou_threshold, *args, **kwargs)


def _float_roi_align(input, rois, *args, **kwargs):
    if input.dtype in _LOW or rois.dtype in _LOW:
        # back to the feature dtype: callers fill tensors of that dtype
        return _mmcv_roi_align(input.float(), rois.float(), *args,
                               **kwargs).to(input.dtype)
    return _mmcv_roi_align(input, rois, *args, **kwargs)


def install_float_kernels() -> None:
    """Route mmcv's nms (also batched_nms) and roi_align through the casts."""
    _nms_module.nms = _float_nms
    _roi_align_module.roi_align = _float_roi_align
