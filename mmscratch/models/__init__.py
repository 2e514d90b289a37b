from .float32_kernels import Float32NMSRPNHead, Float32RoIExtractor
from .instance_seg_tta import InstanceSegTTAModel
from .last_stage_mask_cascade_roi_head import LastStageMaskCascadeRoIHead

__all__ = [
    'Float32NMSRPNHead', 'Float32RoIExtractor', 'InstanceSegTTAModel',
    'LastStageMaskCascadeRoIHead'
]
