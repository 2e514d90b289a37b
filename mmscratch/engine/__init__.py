from .hooks import (CheckpointWriteError, ComputeBudgetHook, ConvergenceHook,
                    DurableCheckpointHook, InvalidLossHook,
                    PlainCheckpointHook, RNGStateHook, ScratchAuditError,
                    ScratchAuditHook, TrainingDivergedError)
from .schedulers import RelativeMultiStepLR

__all__ = [
    'CheckpointWriteError', 'ComputeBudgetHook', 'ConvergenceHook',
    'DurableCheckpointHook', 'InvalidLossHook', 'PlainCheckpointHook',
    'RelativeMultiStepLR', 'RNGStateHook', 'ScratchAuditError',
    'ScratchAuditHook', 'TrainingDivergedError'
]
