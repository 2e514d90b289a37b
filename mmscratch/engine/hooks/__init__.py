from .compute_budget_hook import ComputeBudgetHook
from .convergence_hook import ConvergenceHook
from .scratch_audit_hook import ScratchAuditError, ScratchAuditHook

__all__ = [
    'ComputeBudgetHook', 'ConvergenceHook', 'ScratchAuditError',
    'ScratchAuditHook'
]
