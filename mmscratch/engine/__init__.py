from .hooks import (CheckpointWriteError, ComputeBudgetHook, ConvergenceHook,
                    DurableCheckpointHook, InvalidLossHook,
                    KeepPathsDetVisualizationHook, PlainCheckpointHook,
                    PreemptionHook, ResumeConfigHook,
                    RNGStateHook, ScratchAuditError, ScratchAuditHook,
                    TrainingDivergedError, TrainingStopped,
                    UnreadableImagesHook)
from .runner import PositionedIterBasedTrainLoop
from .schedulers import RelativeMultiStepLR

__all__ = [
    'CheckpointWriteError', 'ComputeBudgetHook', 'ConvergenceHook',
    'DurableCheckpointHook', 'InvalidLossHook',
    'KeepPathsDetVisualizationHook', 'PlainCheckpointHook',
    'PositionedIterBasedTrainLoop', 'PreemptionHook', 'RelativeMultiStepLR',
    'ResumeConfigHook', 'RNGStateHook', 'ScratchAuditError',
    'ScratchAuditHook', 'TrainingDivergedError', 'TrainingStopped',
    'UnreadableImagesHook'
]
