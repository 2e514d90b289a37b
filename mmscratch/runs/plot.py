"""Figure-1-style plots: metric vs iterations (or images), LR drops marked.

matplotlib is imported when a figure is drawn, and pyplot not at all, so
that importing mmscratch leaves matplotlib's backend and state alone.
"""
from typing import Dict, Optional, Sequence, Tuple

Points = Sequence[Tuple[float, float]]


def plot_curves(curves: Dict[str, Points],
                out_file: Optional[str] = None,
                lr_drops: Sequence[float] = (),
                xlabel: str = 'iterations',
                ylabel: str = 'AP',
                title: Optional[str] = None,
                reference: Optional[Dict[str, Points]] = None,
                ax=None):
    """Draw one line per curve and save it as PNG.

    Args:
        curves (dict[str, list]): label -> (x, y) points.
        out_file (str, optional): PNG path to write. Defaults to None.
        lr_drops (Sequence[float]): x positions of LR drops (dashed lines).
        xlabel (str): x axis label. Defaults to 'iterations'.
        ylabel (str): y axis label. Defaults to 'AP'.
        title (str, optional): figure title. Defaults to None.
        reference (dict[str, list], optional): label -> points drawn as
            markers only (e.g. the paper's numbers). Defaults to None.
        ax (matplotlib.axes.Axes, optional): draw into these axes (a panel
            of a larger figure) instead of a new figure. Defaults to None.

    Returns:
        matplotlib.figure.Figure: the figure.
    """
    if ax is None:
        ax = new_figure(figsize=(7, 4.5)).subplots()
    fig = ax.figure
    for label, points in curves.items():
        if not points:
            continue
        xs, ys = zip(*points)
        ax.plot(xs, ys, marker='o', markersize=3, label=label)
    for label, points in (reference or {}).items():
        xs, ys = zip(*points)
        ax.plot(xs, ys, linestyle='none', marker='*', markersize=9,
                label=label)
    for i, x in enumerate(sorted(set(lr_drops))):
        ax.axvline(x, color='gray', linestyle='--', linewidth=0.8,
                   label='LR drop' if i == 0 else None)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc='lower right', fontsize=8)
    fig.tight_layout()
    if out_file:
        fig.savefig(out_file, dpi=120)
    return fig


def new_figure(**kwargs):
    """A matplotlib Figure drawn by the Agg canvas, without pyplot.

    pyplot keeps global state (the backend, the open figures); a Figure
    made here is independent of it and is freed like any object.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(**kwargs)
    FigureCanvasAgg(fig)
    return fig
