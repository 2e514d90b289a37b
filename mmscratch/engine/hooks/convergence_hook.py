import json
import math
import os.path as osp
from typing import Dict, Optional, Sequence, Union

from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from mmdet.registry import HOOKS
from ...analysis.baseline import interpolate, load_baseline
from ...analysis.plot import lr_drop_iters, plot_curves
from ...utils.errors import UserInputError

X_UNITS = ('iter', 'epoch', 'images')
STATE_FILE = 'convergence_state.json'


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
            row of the config's ResNet depth.
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
                 baseline: Union[str, dict],
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

    def before_run(self, runner) -> None:
        """Read and check the baseline now, not at the first validation."""
        spec = self.baseline_spec
        if spec == 'paper:auto':
            spec = self._paper_row(runner.cfg)
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
                type(h).__name__ == 'ComputeBudgetHook' for h in runner.hooks):
            raise UserInputError(
                'ConvergenceHook: x="images" needs ComputeBudgetHook in '
                'custom_hooks')

    @staticmethod
    def _paper_row(cfg) -> str:
        """paper:r50_pretrained or paper:r101_pretrained from the backbone."""
        backbone = cfg.get('model', {}).get('backbone', {})
        depth = backbone.get('depth')
        if backbone.get('type') != 'ResNet' or depth not in (50, 101):
            raise UserInputError(
                'ConvergenceHook: baseline="paper:auto" needs a ResNet-50 or '
                f'-101 backbone (the paper\'s Table 1), not '
                f'{backbone.get("type")}-{depth}; set baseline= to a '
                'pretrained run\'s work dir or a table')
        return f'paper:r{depth}_pretrained'

    def _current_x(self, runner) -> float:
        if self.x == 'iter':
            return float(runner.iter)
        if self.x == 'epoch':
            if runner.train_loop.__class__.__name__ == 'IterBasedTrainLoop':
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
            with open(osp.join(runner.work_dir, STATE_FILE), 'w') as f:
                json.dump(dict(history=self.history,
                               caught_up=self.caught_up), f)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})['convergence'] = dict(
            history=self.history, caught_up=self.caught_up)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if not runner.cfg.get('resume'):
            return
        meta = checkpoint.get('meta', {})
        state = dict(meta.get('convergence') or {})
        saved = osp.join(runner.work_dir, STATE_FILE)
        if osp.isfile(saved):
            with open(saved) as f:
                state = json.load(f)
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
            baseline=self.baseline_spec if isinstance(
                self.baseline_spec, str) else 'inline table',
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
        import matplotlib.pyplot as plt
        curves = {}
        for name in self.metrics:
            run_pts = [(r['x'], r['metrics'][name]['value'])
                       for r in self.history if name in r['metrics']]
            short = name.split('/')[-1]
            curves[f'{short} (this run)'] = run_pts
            curves[f'{short} (baseline)'] = self.baseline[name]
        drops = []
        if self.x == 'iter':
            drops = lr_drop_iters(runner.cfg)
        fig = plot_curves(
            curves, osp.join(runner.work_dir, 'convergence.png'),
            lr_drops=drops, xlabel={'iter': 'iterations', 'epoch': 'epochs',
                                    'images': 'images seen'}[self.x],
            ylabel='AP', title='convergence against the baseline')
        plt.close(fig)
