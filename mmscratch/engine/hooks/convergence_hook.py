import json
import math
import os.path as osp
from typing import Dict, Optional, Sequence, Union

from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.optim import MultiStepLR
from mmengine.runner import IterBasedTrainLoop

from mmdet.registry import HOOKS
from ...runs.baseline import interpolate, load_baseline
from ...runs.plot import plot_curves
from ...fileio import atomic_write
from ...checkpoint.plain_reader import MalformedCheckpoint
from ...checkpoint.schema import check_convergence_state
from ...utils.errors import UserInputError, printable_line
from ...utils.cfg_tree import leaf_datasets
from .compute_budget_hook import ComputeBudgetHook

X_UNITS = ('iter', 'epoch', 'images')
STATE_FILE = 'convergence_state.json'
MAX_STATE_BYTES = 64 << 20  # a longer state file is damaged
TABLE1_TRAIN = 'instances_train2017.json'


def paper_row(cfg) -> tuple:
    """(``paper:r<depth>_pretrained``, None) for a run that Table 1 covers.

    Table 1 is Mask R-CNN with GN and a ResNet-50/101 backbone trained on
    all of COCO train2017; any other run gives (None, the reason).
    """
    model = cfg.get('model', {})
    backbone = model.get('backbone', {})
    norm = (backbone.get('norm_cfg') or {}).get('type')
    depth = backbone.get('depth')
    datasets = [ds.get('ann_file', '') for ds in
                leaf_datasets((cfg.get('train_dataloader') or {})
                              .get('dataset'))]
    found = (f'{model.get("type")}, {backbone.get("type")}-{depth}, {norm}, '
             f'trained on {", ".join(map(str, datasets)) or "?"}')
    if model.get('type') != 'MaskRCNN' or norm != 'GN' or \
            backbone.get('type') != 'ResNet' or depth not in (50, 101) or \
            not datasets or not all(str(a).endswith(TABLE1_TRAIN)
                                    for a in datasets):
        return None, (f'{found}; Table 1 is MaskRCNN, ResNet-50/101, GN, '
                      f'trained on {TABLE1_TRAIN}')
    return f'paper:r{depth}_pretrained', None


@HOOKS.register_module()
class ConvergenceHook(Hook):
    """Compare every validation with a pretrained baseline at the same x.

    Logs per metric the baseline value at the current x (linear
    interpolation, flat beyond the baseline's ends), the gap (run minus
    baseline) and the ratio as ``convergence/<metric>_{baseline,gap,ratio}``
    next to the validation metrics, and once per metric the point where the
    run first comes within ``tolerance`` of the baseline. At the end, rank 0
    writes ``convergence.json`` and ``convergence.png`` into the work dir.
    The history is kept in checkpoints and in ``convergence_state.json`` of
    the work dir, so it survives ``--resume``.

    Args:
        baseline (str | dict): work dir or ``scalars.json`` of a pretrained
            run, a JSON table ``{"x": ..., "metrics": {name: [[x, v]]}}``,
            such a dict, ``paper:<row>`` for the paper's Table 1 (e.g.
            ``paper:r50_pretrained``), or ``paper:auto`` for the pretrained
            row that matches the run (Mask R-CNN, GN, ResNet-50/101; other
            runs are not compared, and the log says so). None switches the
            comparison off (mmengine does not let a config set a default
            hook of its own key to None).
        metrics (Sequence[str]): metrics to track. Defaults to
            ('coco/bbox_mAP', 'coco/segm_mAP'); metrics the baseline lacks
            are refused at start-up.
        x (str): 'iter', 'epoch' or 'images' (needs ComputeBudgetHook).
            Defaults to 'iter'.
        tolerance (float): the run has caught up once
            ``value >= baseline - tolerance``. Defaults to 0.
        plot (bool): write convergence.png at the end. Defaults to True.
    """
    priority = 'ABOVE_NORMAL'  # before LoggerHook writes the val record

    def __init__(self,
                 baseline: Union[str, dict, None],
                 metrics: Sequence[str] = ('coco/bbox_mAP', 'coco/segm_mAP'),
                 x: str = 'iter',
                 tolerance: float = 0.0,
                 plot: bool = True) -> None:
        if x not in X_UNITS:
            raise ValueError(f'x={x!r}: use one of {X_UNITS}')
        if tolerance < 0:
            raise ValueError(f'tolerance={tolerance} must be >= 0')
        if isinstance(metrics, str):
            metrics = [metrics]
        if not metrics:
            raise ValueError('metrics is empty; name at least one, e.g. '
                             "'coco/bbox_mAP'")
        self.baseline_spec = baseline
        self.metrics = list(metrics)
        self.x = x
        self.tolerance = tolerance
        self.plot = plot
        self.baseline: Dict[str, list] = {}
        self.history = []
        self.caught_up: Dict[str, dict] = {}
        self._extrapolated_noted = set()
        self.baseline_used = None

    def before_run(self, runner) -> None:
        """Read and check the baseline now, not at the first validation."""
        spec = self.baseline_spec
        if spec is None:
            runner.logger.info('ConvergenceHook: baseline=None, nothing to '
                               'compare with')
            return
        if spec == 'paper:auto':
            spec, reason = paper_row(runner.cfg)
            if spec is None:
                runner.logger.info(
                    f'ConvergenceHook: no row of the paper\'s Table 1 '
                    f'matches this run ({reason}); nothing to compare with. '
                    'Set baseline= to a pretrained run\'s work dir to '
                    'compare with it.')
                return
            runner.logger.info(f'ConvergenceHook: comparing with {spec} '
                               '(the paper\'s Table 1, Mask R-CNN GN)')
        self.baseline_used = spec if isinstance(spec, str) else \
            'inline table'
        try:
            baseline = load_baseline(spec, self.x)
        except UserInputError as err:
            raise UserInputError(f'ConvergenceHook: {err}') from None
        missing = [m for m in self.metrics if m not in baseline]
        if missing:
            raise UserInputError(
                f'ConvergenceHook: the baseline has no {", ".join(missing)} '
                f'(it has {", ".join(sorted(baseline)) or "nothing"}); set '
                'metrics= to those it has')
        self.baseline = {m: baseline[m] for m in self.metrics}
        if self.x == 'images' and not any(
                isinstance(h, ComputeBudgetHook) for h in runner.hooks):
            raise UserInputError(
                'ConvergenceHook: x="images" needs ComputeBudgetHook in '
                'default_hooks')

    def _current_x(self, runner) -> float:
        if self.x == 'iter':
            return float(runner.iter)
        if self.x == 'epoch':
            if isinstance(runner.train_loop, IterBasedTrainLoop):
                return runner.iter / max(len(runner.train_dataloader), 1)
            return float(runner.epoch)
        return float(runner.message_hub.get_scalar('budget/images').current())

    def after_val_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        if not metrics or not self.baseline:
            return
        x = self._current_x(runner)
        record = dict(x=x, iter=runner.iter, metrics={})
        for name in self.metrics:
            if name not in metrics:
                runner.logger.warning(
                    f'ConvergenceHook: {name} is not among this '
                    f'validation\'s metrics ({", ".join(metrics)})')
                continue
            value = float(metrics[name])
            base, outside = interpolate(self.baseline[name], x)
            if outside and name not in self._extrapolated_noted:
                self._extrapolated_noted.add(name)
                runner.logger.info(
                    f'ConvergenceHook: x={x:g} lies outside the baseline of '
                    f'{name} (x {self.baseline[name][0][0]:g} to '
                    f'{self.baseline[name][-1][0]:g}); its nearest value is '
                    'used (flat extrapolation)')
            gap = value - base
            ratio = value / base if base else math.nan
            record['metrics'][name] = dict(value=value, baseline=base,
                                           gap=gap, ratio=ratio,
                                           extrapolated=outside)
            short = name.split('/')[-1]
            for key, val in (('baseline', base), ('gap', gap),
                             ('ratio', ratio)):
                runner.message_hub.update_scalar(
                    f'val/convergence/{short}_{key}', val)
            if name not in self.caught_up and gap >= -self.tolerance:
                images = runner.message_hub.get_scalar('budget/images')
                self.caught_up[name] = dict(
                    x=x, iter=runner.iter,
                    images=images.current() if images else None)
                seen = f' after {images.current():,.0f} images' if images \
                    else ''
                runner.logger.info(
                    f'ConvergenceHook: {name} caught up with the baseline at '
                    f'iteration {runner.iter}{seen} ({value:.4f} vs '
                    f'{base:.4f})')
        self.history.append(record)
        if is_main_process():
            # the checkpoint of this iteration was written before this
            # validation ran, so a resume reads the result back from here
            atomic_write(json.dumps(dict(history=self.history,
                                         caught_up=self.caught_up)),
                         osp.join(runner.work_dir, STATE_FILE))

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})['convergence'] = dict(
            history=self.history, caught_up=self.caught_up)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not runner.cfg.get('resume'):
            return
        meta = checkpoint.get('meta', {})
        state = dict(meta.get('convergence') or {})  # checked by the loader
        saved = osp.join(runner.work_dir, STATE_FILE)
        if osp.isfile(saved):
            try:
                with open(saved, 'rb') as f:
                    state = check_convergence_state(json.loads(f.read(
                        MAX_STATE_BYTES + 1).decode('utf-8')))
            except (ValueError, RecursionError, MalformedCheckpoint) as err:
                # ValueError: bad JSON, UTF-8 or digits; damaged file
                runner.logger.warning(
                    f'ConvergenceHook: {saved} is damaged '
                    f'({printable_line(str(err), 100)}); using the history '
                    'saved in the checkpoint')
        # keep what was validated up to the resumed iteration (validation
        # of iteration n runs after its checkpoint is written)
        last = meta.get('iter', float('inf'))
        self.history = [r for r in state.get('history', [])
                        if r['iter'] <= last]
        self.caught_up = {k: v for k, v in state.get('caught_up', {}).items()
                          if v['iter'] <= last}

    def summary(self) -> dict:
        """What convergence.json holds."""
        last = self.history[-1]['metrics'] if self.history else {}
        return dict(
            baseline=self.baseline_used,
            x=self.x, tolerance=self.tolerance, metrics=self.metrics,
            history=self.history, caught_up=self.caught_up,
            final_gap={m: v['gap'] for m, v in last.items()},
            not_caught_up=[m for m in self.metrics
                           if m not in self.caught_up])

    def after_run(self, runner) -> None:
        if not is_main_process() or not self.history:
            return
        summary = self.summary()
        with open(osp.join(runner.work_dir, 'convergence.json'), 'w') as f:
            json.dump(summary, f, indent=2)
        for name in self.metrics:
            if name in self.caught_up:
                runner.logger.info(
                    f'ConvergenceHook: {name} caught up at iteration '
                    f'{self.caught_up[name]["iter"]}')
            elif name in summary['final_gap']:
                runner.logger.info(
                    f'ConvergenceHook: {name} did not catch up; final gap '
                    f'{summary["final_gap"][name]:+.4f}')
        if self.plot:
            self._plot(runner)

    def _plot(self, runner) -> None:
        curves = {}
        for name in self.metrics:
            run_pts = [(r['x'], r['metrics'][name]['value'])
                       for r in self.history if name in r['metrics']]
            short = name.split('/')[-1]
            curves[f'{short} (this run)'] = run_pts
            curves[f'{short} (baseline)'] = self.baseline[name]
        drops = []
        if self.x == 'iter':
            drops = [s for sched in runner.param_schedulers or []
                     if isinstance(sched, MultiStepLR)
                     for s in sched.milestones]
        plot_curves(
            curves, osp.join(runner.work_dir, 'convergence.png'),
            lr_drops=drops, xlabel={'iter': 'iterations', 'epoch': 'epochs',
                                    'images': 'images seen'}[self.x],
            ylabel='AP', title='convergence against the baseline')
