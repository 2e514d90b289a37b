from .baseline import interpolate, load_baseline, paper_reference
from .logs import RunLog, config_name, images_at, lr_drops, read_run
from .plot import plot_curves

__all__ = [
    'RunLog', 'config_name', 'images_at', 'interpolate', 'load_baseline',
    'lr_drops', 'paper_reference', 'plot_curves', 'read_run'
]
