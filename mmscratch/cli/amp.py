"""``--amp``: mixed-precision training named in the config."""
import sys

import torch
from mmengine.config import Config

from ..utils.cfg_tree import replace_types
from ..utils.errors import UserInputError

# mmdet classes whose mmcv CPU kernels need float32 inputs under autocast,
# and their mmscratch subclasses that cast them (mmscratch/models)
FLOAT32_KERNEL_TYPES = {
    'SingleRoIExtractor': 'Float32RoIExtractor',
    'RPNHead': 'Float32NMSRPNHead',
}


def apply_amp(cfg: Config, amp: str, cuda: bool = None) -> None:
    """Train under autocast: ``amp`` is 'auto', 'fp16' or 'bf16'.

    The optimizer wrapper becomes ``MixedPrecisionOptimWrapper``. Without
    CUDA, autocast is bfloat16 and mmcv's CPU NMS/RoIAlign need float32
    inputs, so the RPN head and RoI extractors become their float32-kernel
    subclasses (a printed line says so); with CUDA the model is unchanged.
    """
    cuda = torch.cuda.is_available() if cuda is None else cuda
    if amp == 'auto':
        amp = 'fp16' if cuda else 'bf16'
    if not cuda and amp == 'fp16':
        raise UserInputError('--amp fp16: CPU autocast supports bf16 only; '
                             'use --amp bf16')
    cfg.optim_wrapper.type = 'MixedPrecisionOptimWrapper'
    cfg.optim_wrapper.dtype = 'float16' if amp == 'fp16' else 'bfloat16'
    if amp == 'fp16':
        cfg.optim_wrapper.loss_scale = 'dynamic'
    if not cuda:
        swapped = replace_types(cfg.model, FLOAT32_KERNEL_TYPES)
        if swapped:
            print(f'--amp {amp} on CPU: {swapped} RPN head/RoI extractor(s) '
                  'switched to their float32-kernel subclasses '
                  '(Float32NMSRPNHead, Float32RoIExtractor)', file=sys.stderr)
