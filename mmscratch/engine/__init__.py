from .hooks import (ComputeBudgetHook, ConvergenceHook, InvalidLossHook,
                    RNGStateHook, ScratchAuditError, ScratchAuditHook,
                    TrainingDivergedError)

__all__ = [
    'ComputeBudgetHook', 'ConvergenceHook', 'InvalidLossHook',
    'RNGStateHook', 'ScratchAuditError', 'ScratchAuditHook',
    'TrainingDivergedError'
]
