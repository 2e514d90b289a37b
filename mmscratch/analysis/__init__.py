from .schedule import (Schedule, lr_steps, paper_schedule, run_config,
                       run_lr_steps)

__all__ = ['Schedule', 'lr_steps', 'paper_schedule', 'run_config',
           'run_lr_steps']
