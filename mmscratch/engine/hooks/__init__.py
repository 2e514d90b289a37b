from .compute_budget_hook import ComputeBudgetHook
from .convergence_hook import ConvergenceHook
from .invalid_loss_hook import InvalidLossHook, TrainingDivergedError
from .rng_state_hook import RNGStateHook
from .scratch_audit_hook import ScratchAuditError, ScratchAuditHook

__all__ = [
    'ComputeBudgetHook', 'ConvergenceHook', 'InvalidLossHook',
    'RNGStateHook', 'ScratchAuditError', 'ScratchAuditHook',
    'TrainingDivergedError'
]
