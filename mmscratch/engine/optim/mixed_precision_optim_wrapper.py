import torch
from mmengine.optim import AmpOptimWrapper, OptimWrapper

from mmdet.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class MixedPrecisionOptimWrapper(AmpOptimWrapper):
    """mmengine's AmpOptimWrapper that also runs on the CPU.

    On CUDA (and NPU/MLU) it is AmpOptimWrapper. Without an accelerator,
    AmpOptimWrapper refuses to start; here it trains under CPU autocast in
    bfloat16 (the only dtype CPU autocast supports), where no loss scaling
    is needed.

    Args:
        loss_scale (str | float | dict): as AmpOptimWrapper (ignored on the
            CPU). Defaults to 'dynamic'.
        dtype (str | torch.dtype, optional): 'float16' or 'bfloat16'; on
            the CPU only bfloat16. Defaults to None.
    """

    def __init__(self, loss_scale='dynamic', dtype=None, **kwargs):
        if torch.cuda.is_available():
            super().__init__(loss_scale=loss_scale, dtype=dtype, **kwargs)
            return
        if dtype not in (None, 'bfloat16', torch.bfloat16):
            raise ValueError(
                f'dtype={dtype!r}: CPU autocast supports bfloat16 only; use '
                '--amp bf16 (or dtype="bfloat16")')
        OptimWrapper.__init__(self, **kwargs)
        self._scale_update_param = None
        self.cast_dtype = torch.bfloat16
        # bfloat16 has float32's range: no scaling, a disabled scaler
        self.loss_scaler = torch.amp.GradScaler('cpu', enabled=False)
