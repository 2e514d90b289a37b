from .schedule import lr_steps, run_config, run_lr_steps

__all__ = ['lr_steps', 'run_config', 'run_lr_steps']
