from .relative_multi_step_lr import RelativeMultiStepLR

__all__ = ['RelativeMultiStepLR']
