"""Runs as data: their logs, baseline curves and curve figures.

Below the hooks and the analysis tools: both read runs through here.
"""
from .baseline import interpolate, load_baseline, paper_reference
from .logs import RunLog, config_name, images_at, lr_drops, read_run
from .plot import new_figure, plot_curves

__all__ = [
    'RunLog', 'config_name', 'images_at', 'interpolate', 'load_baseline',
    'lr_drops', 'new_figure', 'paper_reference', 'plot_curves', 'read_run'
]
