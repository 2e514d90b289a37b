"""What the benchmarks share: the timed demo run, A/B figures, output."""
import json
import os.path as osp
import statistics
import time
from typing import Callable, Dict, List

from mmengine.hooks import Hook

from ..cli.config import load_config
from ..datasets import make_synthetic_coco, synthetic_data_options
from ..utils.checkout import REPO

DEMO_CONFIG = osp.join(REPO, 'configs/demo/mask_rcnn_r18_gn_synthetic.py')


def add_common_arguments(parser) -> None:
    parser.add_argument('--json', action='store_true',
                        help='print the figures as one JSON line')


def add_ab_arguments(parser, rounds: int) -> None:
    """Options of the A/B runs of the demo config (hooks, preemption)."""
    parser.add_argument('--iters', type=int, default=30,
                        help='timed iterations per run')
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--rounds', type=int, default=rounds,
                        help='alternating (without, with) pairs')


def emit(args, result, lines: List[str]) -> None:
    """The figures: one JSON line with --json, else the text lines."""
    print(json.dumps(result) if args.json else '\n'.join(lines),
          flush=True)


def demo_data(folder: str) -> str:
    """A small synthetic COCO set for the timed demo runs."""
    data = osp.join(folder, 'data')
    make_synthetic_coco(data, dict(train=64, val=4), seed=0)
    return data


def demo_config(data: str, work_dir: str, options: Dict):
    """The demo config on ``data``: quiet, no validation, no checkpoints
    unless ``options`` say so; one visualizer per run of a process."""
    cfg = load_config(DEMO_CONFIG)
    cfg.merge_from_dict(synthetic_data_options(data))
    cfg.merge_from_dict({
        'train_cfg.val_begin': 10 ** 9,
        'default_hooks.checkpoint.interval': 10 ** 9,
        'default_hooks.logger.interval': 10,
        'log_level': 'WARNING',
        'randomness.seed': 0,
    })
    cfg.merge_from_dict(options)
    cfg.work_dir = work_dir
    cfg.visualizer.name = f'visualizer_{osp.basename(work_dir)}'
    return cfg


class StepTimer(Hook):
    """Wall time of every training iteration after ``warmup``: from the
    end of one to the end of the next, data and every hook included."""
    priority = 'LOWEST'

    def __init__(self, warmup: int):
        self.warmup = warmup
        self.times: List[float] = []
        self._last = None

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        now = time.perf_counter()
        if self._last is not None and runner.iter >= self.warmup:
            self.times.append(now - self._last)
        self._last = now


def time_calls(obj, name: str, spent: List[float]) -> None:
    """Wrap ``obj.name`` so that its wall time adds to ``spent[0]``."""
    method: Callable = getattr(obj, name)

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - t
    setattr(obj, name, timed)


def timed_training(cfg, warmup: int, methods: Dict[type, tuple]):
    """Train ``cfg``: (step times after ``warmup``, seconds spent inside
    ``methods[type]`` of the runner's hooks of those types)."""
    from mmengine.runner import Runner
    runner = Runner.from_cfg(cfg)
    timer = StepTimer(warmup)
    runner.register_hook(timer)
    spent = [0.0]
    for hook in runner.hooks:
        for name in methods.get(type(hook), ()):
            if hasattr(hook, name):
                time_calls(hook, name, spent)
    runner.train()
    return timer.times, spent[0]


def ab_figures(off: List[float], on: List[float], inside: float) -> Dict:
    """Median s/iter of each arm, their ratio, and the share of the
    ``on`` arm's step time spent ``inside`` what is measured."""
    med_off, med_on = statistics.median(off), statistics.median(on)
    return dict(s_per_iter_without=med_off, s_per_iter_with=med_on,
                ratio_with_over_without=med_on / med_off,
                inside_share=inside / sum(on),
                inside_ms_per_iter=1000 * inside / len(on), iters=len(on))


def ab_lines(result: Dict, without: str, with_: str, inside: str) -> list:
    return [
        f'{without}: {result["s_per_iter_without"]:.4f} s/iter (median)',
        f'{with_}: {result["s_per_iter_with"]:.4f} s/iter (median)',
        f'ratio with/without: {result["ratio_with_over_without"]:.4f}',
        f'time inside {inside}: {result["inside_ms_per_iter"]:.3f} '
        f'ms/iter, {100 * result["inside_share"]:.3f}% of the step time',
    ]


def peak_gib() -> float:
    """This process's peak resident memory in GiB (ru_maxrss is KiB)."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
