from .hooks import (CheckpointWriteError, ComputeBudgetHook, ConvergenceHook,
                    DurableCheckpointHook, InvalidLossHook,
                    PlainCheckpointHook, RNGStateHook, ScratchAuditError,
                    ScratchAuditHook, TrainingDivergedError)
from .runner import PositionedIterBasedTrainLoop
from .schedulers import RelativeMultiStepLR

__all__ = [
    'CheckpointWriteError', 'ComputeBudgetHook', 'ConvergenceHook',
    'DurableCheckpointHook', 'InvalidLossHook', 'PlainCheckpointHook',
    'PositionedIterBasedTrainLoop', 'RelativeMultiStepLR', 'RNGStateHook',
    'ScratchAuditError', 'ScratchAuditHook', 'TrainingDivergedError'
]
