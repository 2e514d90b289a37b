from .instance_seg_tta import InstanceSegTTAModel
from .last_stage_mask_cascade_roi_head import LastStageMaskCascadeRoIHead

__all__ = ['InstanceSegTTAModel', 'LastStageMaskCascadeRoIHead']
