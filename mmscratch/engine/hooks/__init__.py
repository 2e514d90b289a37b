from .compute_budget_hook import ComputeBudgetHook
from .convergence_hook import ConvergenceHook
from .durable_checkpoint_hook import (CheckpointWriteError,
                                      DurableCheckpointHook)
from .invalid_loss_hook import InvalidLossHook, TrainingDivergedError
from .plain_checkpoint_hook import PlainCheckpointHook
from .preemption_hook import (PreemptionHook, StopRequested,
                              TrainingStopped)
from .resume_config_hook import ResumeConfigHook
from .rng_state_hook import RNGStateHook
from .scratch_audit_hook import ScratchAuditError, ScratchAuditHook
from .test_drawing_hook import KeepPathsDetVisualizationHook
from .unreadable_images_hook import (TooManyUnreadableImagesError,
                                     UnreadableImagesHook)

__all__ = [
    'CheckpointWriteError', 'ComputeBudgetHook', 'ConvergenceHook',
    'DurableCheckpointHook', 'InvalidLossHook',
    'KeepPathsDetVisualizationHook', 'PlainCheckpointHook',
    'PreemptionHook', 'ResumeConfigHook', 'RNGStateHook', 'StopRequested',
    'TrainingStopped', 'ScratchAuditError', 'ScratchAuditHook',
    'TooManyUnreadableImagesError', 'TrainingDivergedError',
    'UnreadableImagesHook'
]
