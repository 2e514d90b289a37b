"""Baseline curves for the convergence hook and the analysis tools.

A baseline maps a metric name (``coco/bbox_mAP``) to points (x, value). It
is read from an mmengine work dir or ``scalars.json`` of a pretrained run,
from a JSON table ``{"x": "iter", "metrics": {name: [[x, v], ...]}}``, from
an inline dict of the same ``metrics`` shape, or from the paper's numbers
shipped with the package (``paper:r50_pretrained`` and the other Table 1
rows: the final bbox AP of each schedule, x in iterations at batch 16).
"""
import bisect
import json
import os.path as osp
from typing import Dict, List, Tuple, Union

from ..utils.errors import UserInputError, read_json
from .logs import images_at, read_run

Points = List[Tuple[float, float]]
PAPER_FILE = osp.join(osp.dirname(osp.dirname(__file__)), 'data',
                      'paper_reference.json')


def paper_reference() -> dict:
    """The paper's reference numbers shipped as package data."""
    with open(PAPER_FILE) as f:
        return json.load(f)


def _paper_baseline(name: str) -> Dict[str, Points]:
    table = paper_reference()['table1_bbox']
    if name not in table['rows']:
        raise UserInputError(
            f'baseline paper:{name} is unknown; use one of '
            + ', '.join(f'paper:{r}' for r in table['rows']))
    row = table['rows'][name]
    points = sorted((table['schedules'][s], v) for s, v in row.items())
    return {'coco/bbox_mAP': points}


def _from_run(path: str, x: str) -> Dict[str, Points]:
    work_dir = path
    if osp.isfile(path):  # .../<stamp>/vis_data/scalars.json
        work_dir = osp.dirname(osp.dirname(osp.dirname(path)))
    run = read_run(work_dir)
    if not run.val:
        raise UserInputError(f'baseline run {path} has no validation '
                             'results yet')
    if x not in ('iter', 'images'):
        raise UserInputError(f'x={x!r} is not supported for a run baseline; '
                             'use "iter" or "images"')
    out = {}
    for name in run.metric_names():
        steps, values = zip(*run.metric(name))
        xs = images_at(run, list(steps)) if x == 'images' else steps
        out[name] = list(zip(xs, values))
    return out


def load_baseline(spec: Union[str, dict], x: str = 'iter'
                  ) -> Dict[str, Points]:
    """Read a baseline given as a path, a ``paper:`` name or a dict.

    Raises:
        UserInputError: the file is missing or malformed, or has no points.
    """
    if isinstance(spec, dict):
        metrics = spec.get('metrics', spec)
    elif isinstance(spec, str) and spec.startswith('paper:'):
        if x != 'iter':
            raise UserInputError(f'baseline {spec} is in iterations; use '
                                 'x="iter"')
        return _paper_baseline(spec[len('paper:'):])
    elif isinstance(spec, str):
        if not osp.exists(spec):
            raise UserInputError(
                f'baseline {spec} does not exist; give the work dir or '
                'scalars.json of a pretrained run, a JSON table, or '
                'paper:r50_pretrained')
        if osp.isdir(spec) or spec.endswith('scalars.json'):
            return _from_run(spec, x)
        table = read_json(spec, 'baseline')
        if not isinstance(table, dict) or 'metrics' not in table:
            raise UserInputError(
                f'baseline {spec} must be a JSON object with "metrics": '
                '{name: [[x, value], ...]}')
        if table.get('x', x) != x:
            raise UserInputError(f'baseline {spec} is in x={table["x"]!r} '
                                 f'but the hook uses x={x!r}')
        metrics = table['metrics']
    else:
        raise UserInputError(f'baseline={spec!r}: give a path, a paper: '
                             'name or a dict')
    out = {}
    for name, points in metrics.items():
        try:
            pts = sorted((float(a), float(b)) for a, b in points)
        except (TypeError, ValueError):
            raise UserInputError(
                f'baseline metric {name}: points must be [[x, value], ...]'
            ) from None
        if not pts:
            raise UserInputError(f'baseline metric {name} has no points')
        out[name] = pts
    return out


def interpolate(points: Points, x: float) -> Tuple[float, bool]:
    """Linear interpolation; flat beyond the ends.

    Returns:
        tuple[float, bool]: the value, and whether ``x`` lies outside the
        baseline's range (extrapolated flat).
    """
    xs = [p[0] for p in points]
    if x <= xs[0]:
        return points[0][1], x < xs[0]
    if x >= xs[-1]:
        return points[-1][1], x > xs[-1]
    i = bisect.bisect_right(xs, x)
    (x0, y0), (x1, y1) = points[i - 1], points[i]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0), False
