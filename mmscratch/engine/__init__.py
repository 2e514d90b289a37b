from .hooks import (ComputeBudgetHook, ConvergenceHook, ScratchAuditError,
                    ScratchAuditHook)

__all__ = [
    'ComputeBudgetHook', 'ConvergenceHook', 'ScratchAuditError',
    'ScratchAuditHook'
]
