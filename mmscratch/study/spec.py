"""A study file: the paper's experiment, declared before any run.

A study is an mmengine-style config file (``configs/studies/``) with these
top-level keys (docs/study.md):

- ``arms``: dict, arm name -> training config (any number, at least two);
- ``reference``: the arm the others are compared with (e.g. pretrained);
- ``schedules``: lengths; multiples of each config's ``max_iters``
  (``schedule_unit='x'``, the default) or epochs of the run's training
  images (``schedule_unit='epochs'``);
- ``seeds``: training seeds (``randomness.seed``) of every arm;
- ``fractions``: shares of the training images (1 = all); the smaller
  ones train at ``fraction_schedules`` (default: every schedule);
- ``margin``: the equivalence margin, a share of the reference's AP;
- ``metric``: ``'bbox'`` or ``'segm'``;
- ``launcher``: ``dict(type='local', jobs=N, gpus_per_run=0)`` or
  ``dict(type='slurm', partition=..., gpus_per_run=..., ...)``.

Optional: ``description``, ``data_root``, ``cfg_options`` (for every
run), ``arm_options`` (per arm), ``prepare`` (commands that make the data
or a pretrained backbone), ``curve_points`` (validations of the longest
seed-0 runs), ``samples`` (bootstrap resamples), ``bootstrap_seed``.
Strings in ``prepare``, ``cfg_options`` and ``arm_options`` may name
``{out}`` (the study's output folder) and ``{data_root}``.
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from ..utils.checkout import SCOPE, repo_file
from ..utils.errors import UserInputError

REQUIRED = ('arms', 'reference', 'schedules', 'seeds', 'fractions',
            'margin', 'metric', 'launcher')
OPTIONAL = ('description', 'data_root', 'cfg_options', 'arm_options',
            'prepare', 'curve_points', 'samples', 'bootstrap_seed',
            'schedule_unit', 'fraction_schedules')
LAUNCHERS = dict(
    local=('jobs', 'gpus_per_run'),
    slurm=('partition', 'gpus_per_run', 'gpus_per_node', 'cpus_per_task',
           'time', 'max_parallel', 'sbatch_args', 'report_time'))


@dataclass
class Study:
    """A checked study file (paths as written; see :func:`load_study`)."""
    path: str
    arms: Dict[str, str]
    reference: str
    schedules: List[float]
    seeds: List[int]
    fractions: List[float]
    margin: float
    metric: str
    launcher: dict
    schedule_unit: str = 'x'
    fraction_schedules: List[float] = field(default_factory=list)
    description: str = ''
    data_root: str = ''
    cfg_options: dict = field(default_factory=dict)
    arm_options: Dict[str, dict] = field(default_factory=dict)
    prepare: List[dict] = field(default_factory=list)
    curve_points: int = 4
    samples: int = 1000
    bootstrap_seed: int = 0

    @property
    def name(self) -> str:
        return osp.splitext(osp.basename(self.path))[0]

    @property
    def others(self) -> List[str]:
        """The arms compared with the reference, in the file's order."""
        return [a for a in self.arms if a != self.reference]

    def fill(self, value, out: str):
        """``value`` with ``{out}`` and ``{data_root}`` filled in (strings
        inside lists and dicts too)."""
        if isinstance(value, str):
            try:
                return value.format(out=out, data_root=self.data_root)
            except (KeyError, IndexError, ValueError) as err:
                raise UserInputError(
                    f'study {self.path}: {value!r} names {err} in braces; '
                    'only {out} and {data_root} are filled in (write {{ '
                    'and }} for literal braces)') from None
        if isinstance(value, (list, tuple)):
            return type(value)(self.fill(v, out) for v in value)
        if isinstance(value, dict):
            return {k: self.fill(v, out) for k, v in value.items()}
        return value


def _fail(path: str, msg: str):
    raise UserInputError(f'study {path}: {msg}')


def _numbers(path, key, values, low, high, kind=float) -> list:
    if not isinstance(values, (list, tuple)) or not values:
        _fail(path, f'{key} must be a non-empty list, e.g. {key} = [1, 2]')
    out = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or \
                (kind is int and not float(v).is_integer()) or \
                not low <= v <= high:
            _fail(path, f'{key} holds {v!r}; each must be a '
                  f'{"whole " if kind is int else ""}number in '
                  f'[{low:g}, {high:g}]')
        out.append(kind(v))
    if len(set(out)) != len(out):
        _fail(path, f'{key} lists a value twice: {values}')
    return out


def _check_launcher(path: str, launcher) -> dict:
    if not isinstance(launcher, dict) or launcher.get('type') not in \
            LAUNCHERS:
        _fail(path, "launcher must be dict(type='local', jobs=N) or "
              "dict(type='slurm', partition=..., gpus_per_run=...)")
    known = LAUNCHERS[launcher['type']]
    extra = sorted(set(launcher) - set(known) - {'type'})
    if extra:
        _fail(path, f'launcher {launcher["type"]} has no key(s) '
              f'{", ".join(extra)}; it knows {", ".join(known)}')
    for key in ('jobs', 'gpus_per_run', 'gpus_per_node', 'cpus_per_task',
                'max_parallel'):
        value = launcher.get(key)
        least = 0 if key == 'gpus_per_run' else 1
        if value is not None and (isinstance(value, bool) or
                                  not isinstance(value, int) or
                                  value < least):
            _fail(path, f'launcher.{key}={value!r} must be a whole number '
                  f'>= {least}')
    if launcher['type'] == 'slurm' and not launcher.get('partition'):
        _fail(path, "a slurm launcher needs partition='NAME'")
    return dict(launcher)


def check_study(path: str, raw: dict) -> Study:
    """The study of the keys ``raw`` holds, or a one-line UserInputError
    saying which key is wrong and how to write it."""
    missing = [k for k in REQUIRED if k not in raw]
    if missing:
        _fail(path, f'missing key(s) {", ".join(missing)} (a study file '
              'declares ' + ', '.join(REQUIRED) + '; docs/study.md)')
    unknown = sorted(k for k in raw if k not in REQUIRED + OPTIONAL
                     and not k.startswith('_'))
    arms = raw['arms']
    if not isinstance(arms, dict) or len(arms) < 2 or not all(
            isinstance(k, str) and k.isidentifier() and isinstance(v, str)
            for k, v in arms.items()):
        _fail(path, "arms must map at least two names (letters, digits, "
              "_) to config files, e.g. arms = dict(scratch='a.py', "
              "pretrained='b.py')")
    if raw['reference'] not in arms:
        _fail(path, f'reference={raw["reference"]!r} is not an arm; use '
              f'one of {", ".join(arms)}')
    unit = raw.get('schedule_unit', 'x')
    if unit not in ('x', 'epochs'):
        _fail(path, f"schedule_unit={unit!r}: use 'x' (multiples of the "
              "config's max_iters) or 'epochs'")
    schedules = sorted(_numbers(path, 'schedules', raw['schedules'],
                                1e-3, 1e4))
    fractions = sorted(_numbers(path, 'fractions', raw['fractions'],
                                1e-6, 1), reverse=True)
    if fractions[0] != 1:
        _fail(path, 'fractions must include 1 (all the training images): '
              'the comparisons with less data are made against it')
    at = raw.get('fraction_schedules', schedules)
    at = sorted(_numbers(path, 'fraction_schedules', at, 1e-3, 1e4))
    if not set(at) <= set(schedules):
        _fail(path, f'fraction_schedules {at} must be among the schedules '
              f'{schedules}')
    margin = raw['margin']
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) \
            or not 0 < margin < 1:
        _fail(path, f'margin={margin!r} must be a share of the reference '
              "arm's AP in (0, 1), e.g. 0.05")
    if raw['metric'] not in ('bbox', 'segm'):
        _fail(path, f"metric={raw['metric']!r}: use 'bbox' or 'segm'")
    arm_options = raw.get('arm_options') or {}
    if not isinstance(arm_options, dict) or \
            not set(arm_options) <= set(arms) or \
            not all(isinstance(v, dict) for v in arm_options.values()):
        _fail(path, 'arm_options must map arm names to dicts of config '
              'keys, e.g. arm_options = dict(pretrained={...})')
    prepare = raw.get('prepare') or []
    if not isinstance(prepare, (list, tuple)) or not all(
            isinstance(p, dict) and isinstance(p.get('name'), str) and
            isinstance(p.get('command'), str) and
            isinstance(p.get('creates'), str) for p in prepare):
        _fail(path, "prepare must be a list of dict(name='data', "
              "command='python ...', creates='path it writes')")
    cfg_options = raw.get('cfg_options') or {}
    if not isinstance(cfg_options, dict):
        _fail(path, "cfg_options must be a dict of config keys, e.g. "
              "dict(train_dataloader=dict(batch_size=2))")
    for key, least, default in (('curve_points', 1, 4),
                                ('samples', 100, 1000),
                                ('bootstrap_seed', 0, 0)):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or \
                value < least:
            _fail(path, f'{key}={value!r} must be a whole number >= {least}')
    if unknown:
        _fail(path, f'unknown key(s) {", ".join(unknown)}; a study file '
              'knows ' + ', '.join(REQUIRED + OPTIONAL))
    return Study(
        path=path, arms=dict(arms), reference=raw['reference'],
        schedules=schedules,
        seeds=_numbers(path, 'seeds', raw['seeds'], 0, 2 ** 31 - 1, int),
        fractions=fractions, margin=float(margin), metric=raw['metric'],
        launcher=_check_launcher(path, raw['launcher']), schedule_unit=unit,
        fraction_schedules=at, description=str(raw.get('description', '')),
        data_root=str(raw.get('data_root', '')), cfg_options=cfg_options,
        arm_options=arm_options, prepare=[dict(p) for p in prepare],
        curve_points=raw.get('curve_points', 4),
        samples=raw.get('samples', 1000),
        bootstrap_seed=int(raw.get('bootstrap_seed', 0)))


def load_study(path: str, options: Optional[dict] = None,
               launcher: Optional[str] = None,
               jobs: Optional[int] = None) -> Study:
    """Read and check a study file; ``options`` (``--cfg-options``) set
    any key, ``launcher`` and ``jobs`` the launcher's type and jobs."""
    from ..cli.config import load_config
    path = repo_file(path)  # configs/studies/... from any folder
    if not osp.isfile(path):
        raise UserInputError(f'study file {path} does not exist; see '
                             'configs/studies/ for examples')
    options = dict(options or {})
    launcher_options = {k: options.pop(k) for k in list(options)
                        if k == 'launcher' or k.startswith('launcher.')}
    cfg = load_config(path, options or None)
    raw = cfg.to_dict()
    file_launcher = raw.get('launcher')
    if 'launcher' in launcher_options:  # a whole dict replaces the file's
        raw['launcher'] = launcher_options.pop('launcher')
    kind = launcher or launcher_options.pop('launcher.type', None)
    current = raw.get('launcher') if isinstance(raw.get('launcher'),
                                                dict) else {}
    if kind is not None and kind != current.get('type'):
        # another launcher: none of the file's launcher settings apply
        raw['launcher'] = current = dict(type=kind)
    for key, value in launcher_options.items():
        current[key[len('launcher.'):]] = value
    if current.get('type') == 'slurm' and 'partition' not in current:
        raise UserInputError(
            f'study {path} declares no slurm launcher'
            + (f' (it has {file_launcher})' if file_launcher else '')
            + "; add launcher = dict(type='slurm', partition='NAME', "
            'gpus_per_run=8) to the study file, or pass --cfg-options '
            'launcher.partition=NAME')
    if jobs is not None:
        if current.get('type') == 'slurm':
            raise UserInputError('--jobs is for the local launcher; on '
                                 'SLURM set launcher.max_parallel')
        current['jobs'] = jobs
    return check_study(path, raw)


def arm_config_path(study: Study, arm: str, roots: Sequence[str]) -> str:
    """The arm's config file: as written, else below one of ``roots``."""
    config = study.arms[arm]
    if config.startswith(SCOPE):
        config = repo_file(config)
    for root in [''] + list(roots):
        candidate = osp.join(root, config) if root else config
        if osp.isfile(candidate):
            return osp.abspath(candidate)
    raise UserInputError(f'study {study.path}: arm {arm} config {config} '
                         'does not exist; give a path from where you run '
                         'tools/study.py')
