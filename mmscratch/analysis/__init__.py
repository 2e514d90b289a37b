from .baseline import interpolate, load_baseline, paper_reference
from .logs import RunLog, config_name, images_at, lr_drops, read_run
from .plot import plot_curves
from .schedule import lr_steps, run_config, run_lr_steps

__all__ = [
    'RunLog', 'config_name', 'images_at', 'interpolate', 'load_baseline',
    'lr_drops', 'lr_steps', 'paper_reference', 'plot_curves', 'read_run',
    'run_config', 'run_lr_steps'
]
