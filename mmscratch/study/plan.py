"""The runs of a study and the config file each one trains.

Every run is an ordinary tools/train.py run: its config, the arm's config
with the study's options, is written into its work dir
(``OUT/<run>/<run>.py``), so ``python tools/train.py OUT/<run>/<run>.py
--work-dir OUT/<run>`` reruns it by hand.
"""
import json
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Tuple

from ..utils.checkout import enable_config_scope
from ..utils.errors import UserInputError
from .spec import Study


def schedule_label(schedule: float, unit: str) -> str:
    return f'{schedule:g}' + ('x' if unit == 'x' else 'ep')


def fraction_label(fraction: float) -> str:
    return f'{100 * fraction:g}pct'.replace('.', 'p')


@dataclass(frozen=True)
class Run:
    """One training run: an arm at a schedule, a share of the training
    images and a seed."""
    arm: str
    schedule: float
    fraction: float
    seed: int
    unit: str = 'x'

    @property
    def group(self) -> str:
        """The run without its seed (one cell of the study)."""
        data = '' if self.fraction == 1 else \
            f'_{fraction_label(self.fraction)}'
        return f'{self.arm}_{schedule_label(self.schedule, self.unit)}{data}'

    @property
    def name(self) -> str:
        return f'{self.group}_s{self.seed}'


def plan_runs(study: Study) -> List[Run]:
    """Every run of ``study``, longest first (so that the runs trained
    side by side finish together)."""
    runs = []
    for arm in study.arms:
        for fraction in study.fractions:
            at = study.schedules if fraction == 1 else \
                study.fraction_schedules
            for schedule in at:
                runs += [Run(arm, schedule, fraction, seed,
                             study.schedule_unit) for seed in study.seeds]
    runs.sort(key=lambda r: (-r.schedule, -r.fraction))
    return runs


def curve_run(study: Study, run: Run) -> bool:
    """Whether ``run`` validates along the way (the AP curves): the first
    seed of the longest schedule on all images."""
    return run.schedule == max(study.schedules) and run.fraction == 1 and \
        run.seed == study.seeds[0]


def subset_path(out: str, arm: str, fraction: float) -> str:
    return osp.join(out, 'subsets', f'{arm}_{fraction_label(fraction)}.json')


def train_ann_file(cfg) -> str:
    """The training annotation file of a config (its first leaf dataset,
    data_root joined, as the pre-flight resolves it)."""
    from ..cli.data_check import resolve_data_path
    from ..utils.cfg_tree import loader_datasets
    _, dataset = loader_datasets(cfg, ['train_dataloader'])[0]
    return resolve_data_path(dataset.get('data_root'),
                             dataset.get('ann_file', ''))


def _scaled_schedulers(schedulers, factor: float):
    """Iteration milestones of MultiStepLR scaled with the run's length
    (RelativeMultiStepLR and warm-ups need nothing)."""
    if not isinstance(schedulers, (list, tuple)):
        return schedulers
    out = []
    for s in schedulers:
        s = dict(s)
        if s.get('type') == 'MultiStepLR' and not s.get('by_epoch', True):
            s['milestones'] = [round(m * factor) for m in s['milestones']]
        out.append(s)
    return out


class RunConfigs:
    """The config of every run, from the arms' configs and the study."""

    def __init__(self, study: Study, out: str, arm_files: Dict[str, str]):
        from mmengine.config import Config
        self.study, self.out = study, out
        self.base = {}
        enable_config_scope()  # arms inheriting mmscratch:: configs
        for arm, path in arm_files.items():
            cfg = Config.fromfile(path)
            options = study.fill(dict(study.cfg_options), out)
            options.update(study.fill(study.arm_options.get(arm, {}), out))
            cfg.merge_from_dict(options)
            loop = cfg.get('train_cfg', {})
            if 'max_iters' not in loop:
                raise UserInputError(
                    f'arm {arm} ({study.arms[arm]}) trains by epochs '
                    f'({loop.get("type", "no train_cfg")}); a study needs '
                    'an iteration-based config (train_cfg=dict(type='
                    "'IterBasedTrainLoop', max_iters=N)): write one with "
                    'tools/dataset/new_config.py')
            self.base[arm] = cfg
        self._images: Dict[Tuple[str, float], int] = {}

    def subset(self, run: Run) -> str:
        return subset_path(self.out, run.arm, run.fraction)

    def train_images(self, arm: str, fraction: float = 1.0) -> int:
        """Training images of ``arm`` (those with an annotation when the
        config filters empty ones) at ``fraction``."""
        key = (arm, fraction)
        if key not in self._images:
            from ..datasets import read_coco_file
            path = train_ann_file(self.base[arm]) if fraction == 1 else \
                subset_path(self.out, arm, fraction)
            data = read_coco_file(path, f'arm {arm}: training')
            with_boxes = {a['image_id'] for a in data['annotations']}
            images = [i for i in data['images'] if i['id'] in with_boxes]
            self._images[key] = len(images)
        return self._images[key]

    def batch(self, arm: str) -> int:
        gpus = max(self.study.launcher.get('gpus_per_run', 0) or 1, 1)
        return self.base[arm].train_dataloader.batch_size * gpus

    def iterations(self, run: Run) -> int:
        cfg = self.base[run.arm]
        if self.study.schedule_unit == 'x':
            return max(round(run.schedule * cfg.train_cfg.max_iters), 1)
        images = self.train_images(run.arm, run.fraction)
        return max(round(run.schedule * images / self.batch(run.arm)), 1)

    def config(self, run: Run):
        """The Config of ``run``."""
        import copy
        cfg = copy.deepcopy(self.base[run.arm])
        iters = self.iterations(run)
        factor = iters / cfg.train_cfg.max_iters
        every = max(iters // self.study.curve_points, 1) \
            if curve_run(self.study, run) else iters
        checkpoint = cfg.default_hooks.get('checkpoint', {})
        keep = checkpoint.get('interval', iters)
        work = osp.join(self.out, run.name)
        options = {
            'randomness.seed': run.seed,
            'train_cfg.max_iters': iters,
            'train_cfg.val_interval': every,
            # a checkpoint at each validation of a curve run, otherwise
            # the config's interval (a stopped run continues from there)
            'default_hooks.checkpoint.interval': min(every, keep, iters),
            'val_evaluator.outfile_prefix': osp.join(work, 'val_preds'),
            'param_scheduler': _scaled_schedulers(
                cfg.get('param_scheduler'), factor),
        }
        cfg.merge_from_dict(options)
        if run.fraction != 1:  # the leaf dataset, through wrappers
            from ..utils.cfg_tree import loader_datasets
            for _, dataset in loader_datasets(cfg, ['train_dataloader']):
                dataset['ann_file'] = self.subset(run)
        return cfg

    def text(self, run: Run) -> str:
        """The config file of ``run``, as written into its work dir."""
        return self.config(run).pretty_text


def write_subsets(configs: RunConfigs, runs: List[Run],
                  seed: int = 0) -> List[str]:
    """The training subsets of the runs with less data (the sampling of
    tools/dataset/make_coco_subset.py with ``seed``); returns the files
    written now."""
    from ..datasets import make_coco_subset, read_coco_file
    written = []
    for arm, fraction in sorted({(r.arm, r.fraction) for r in runs
                                 if r.fraction != 1}):
        path = subset_path(configs.out, arm, fraction)
        source = train_ann_file(configs.base[arm])
        stamp = path + '.source'
        origin = f'{osp.abspath(source)} {fraction!r} {seed}'
        if osp.isfile(path) and osp.isfile(stamp) and \
                open(stamp).read() == origin:
            continue
        os.makedirs(osp.dirname(path), exist_ok=True)
        subset = make_coco_subset(read_coco_file(source), fraction=fraction,
                                  seed=seed)
        with open(path + '.tmp', 'w') as f:
            json.dump(subset, f)
        os.replace(path + '.tmp', path)
        with open(stamp, 'w') as f:
            f.write(origin)
        written.append(path)
    return written
