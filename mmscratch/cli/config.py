"""Config loading and the path checks shared by the tools."""
import difflib
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config, DictAction

from ..utils.checkout import enable_config_scope, repo_file
from ..utils.errors import UserInputError

# keys whose value counts something, and the least value that makes sense
_COUNTS = {'batch_size': 1, 'max_iters': 1, 'max_epochs': 1,
           'val_interval': 1, 'interval': 1, 'num_workers': 0}


class CfgOptionsAction(DictAction):
    """mmengine's ``--cfg-options`` parsing (``KEY=VALUE``, lists and
    tuples in brackets) with a one-line error for an option that cannot be
    parsed."""

    def __call__(self, parser, namespace, values, option_string=None):
        options = dict(getattr(namespace, self.dest, None) or {})
        for item in values:
            key, sep, value = item.partition('=')
            if not sep or not key:
                raise UserInputError(
                    f'--cfg-options {item!r} is not KEY=VALUE; write it '
                    'without spaces around "=", e.g. --cfg-options '
                    'train_cfg.max_iters=2000 train_dataloader.batch_size=2')
            try:
                options[key] = self._parse_iterable(value)
            except (AssertionError, ValueError, RecursionError) as err:
                why = 'nested too deeply' if isinstance(
                    err, RecursionError) else str(err) or 'bad brackets'
                raise UserInputError(
                    f'--cfg-options {key}: the value cannot be parsed '
                    f'({why[:80]}); lists are [a,b], tuples (a,b), without '
                    'spaces; set anything more complex in a config that '
                    '_base_-inherits this one') from None
        setattr(namespace, self.dest, options)


def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Load ``path`` (``mmdet::<path>`` of the installed mmdet,
    ``mmscratch::<path>`` or ``configs/<path>`` of mmscratch's configs
    from any folder) and merge ``--cfg-options``, catching key typos.
    Configs may inherit ``_base_ = 'mmscratch::scratch/...py'``.

    A key that is not in the config but close to one that is (such as
    ``train_dataloadr.batch_size``) is refused with a suggestion; other new
    keys are allowed, since configs may gain keys.
    """
    if path.startswith('mmdet::'):
        from mmengine.utils import get_installed_path
        path = osp.join(get_installed_path('mmdet'), '.mim', 'configs',
                        path[len('mmdet::'):])
    path = repo_file(path)  # mmscratch::, or configs/ away from a checkout
    enable_config_scope()
    if not osp.isfile(path):
        folder = osp.dirname(path) or '.'
        near = difflib.get_close_matches(
            osp.basename(path), os.listdir(folder), n=1) \
            if osp.isdir(folder) else []
        hint = f' (did you mean {osp.join(osp.dirname(path), near[0])}?)' \
            if near else ''
        raise UserInputError(f'config file {path} does not exist{hint}; '
                             'pass a path to a .py config under configs/')
    try:
        cfg = Config.fromfile(path)
    except Exception as err:  # syntax errors, missing _base_ files
        raise UserInputError(f'config {path} cannot be read: '
                             f'{type(err).__name__}: {err}') from None
    if cfg_options:
        for key, value in cfg_options.items():
            _check_value(key, _check_key_path(cfg, key), value)
        try:
            cfg.merge_from_dict(cfg_options)
        except (KeyError, TypeError) as err:
            msg = str(err).strip('"\'').split('. You may')[0]
            raise UserInputError(
                f'--cfg-options cannot be applied: {msg}; write a config '
                'that _base_-inherits this one and sets the key there, with '
                '_delete_=True if it replaces a whole dict') from None
    return cfg


def _check_value(key: str, old, value) -> None:
    """A number in the config (``old``) stays a number; counts stay
    positive."""
    number = (int, float)
    if isinstance(old, number) and not isinstance(old, bool) and \
            not (isinstance(value, number) and not isinstance(value, bool)):
        raise UserInputError(
            f'--cfg-options {key}={value}: the config holds a number there '
            f'({old}); give a number, e.g. {key}={old}')
    last = key.split('.')[-1]
    if last in _COUNTS and (type(value) is not int or
                            value < _COUNTS[last]):
        raise UserInputError(
            f'--cfg-options {key}={value}: {last} must be a whole number, '
            f'at least {_COUNTS[last]}')


def _check_key_path(cfg: Config, key: str):
    """Refuse a typo or a bad list index in ``key``; return the config's
    value there, or None for a new key."""
    node = cfg._cfg_dict
    parts = key.split('.')
    for depth, part in enumerate(parts):
        if isinstance(node, (list, tuple)):
            if not part.isdigit() or int(part) >= len(node):
                raise UserInputError(
                    f'--cfg-options {key}: {".".join(parts[:depth])} is a '
                    f'list of {len(node)} items; index it with 0 to '
                    f'{len(node) - 1}')
            node = node[int(part)]
            continue
        if not isinstance(node, dict):
            return None
        if part not in node:
            near = difflib.get_close_matches(part, list(node.keys()), n=1,
                                             cutoff=0.8)
            if near:
                raise UserInputError(
                    f'--cfg-options {key}: the config has no '
                    f'{".".join(parts[:depth + 1])}; did you mean '
                    f'{".".join(parts[:depth] + near)}?')
            return None  # a new key: allowed
        node = node[part]
    return node


def set_work_dir(cfg: Config, work_dir: Optional[str],
                 config_path: str) -> None:
    """``--work-dir`` if given, else the config's, else
    ``work_dirs/<config name>``; checked to be a folder that can be
    written."""
    if work_dir is not None:
        if not work_dir.strip():
            raise UserInputError(
                '--work-dir is empty; pass a folder, or leave the option out '
                'to use work_dirs/<config name>')
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join(
            './work_dirs', osp.splitext(osp.basename(config_path))[0])
    check_writable(cfg.work_dir, 'work dir', folder=True)
    check_room(cfg.work_dir)


# what a run writes before its first checkpoint: the dumped config, the
# first log lines, scalars (a few hundred KB at most)
START_ROOM = 1 << 20


def check_room(folder: str, size: int = START_ROOM) -> None:
    """Refuse a work dir without room for a run's first files: ``size``
    bytes are written there (fsynced) and removed, in the folder or the
    nearest existing parent."""
    probe = osp.abspath(folder)
    while not osp.isdir(probe):
        probe = osp.dirname(probe)
    path = osp.join(probe, f'.mmscratch-room-{os.getpid()}')
    try:
        with open(path, 'wb') as f:
            f.write(b'\0' * size)
            f.flush()
            os.fsync(f.fileno())
    except OSError as err:
        raise UserInputError(
            f'cannot write to the work dir {folder} '
            f'({err.strerror or err}); free space or choose another '
            '--work-dir; nothing was started') from None
    finally:
        if osp.exists(path):
            os.remove(path)


def check_writable(path: str, what: str, folder: bool = False) -> None:
    """Refuse, before anything starts, a path that cannot be written.

    Args:
        path (str): a file to write, or a folder when ``folder``.
        what (str): how the message names it ('work dir', '--out').
        folder (bool): ``path`` is a folder to create or write into.
    """
    target = osp.abspath(path)
    if folder and osp.exists(target) and not osp.isdir(target):
        raise UserInputError(f'{what} {path} is a file, not a folder; pass '
                             'a folder you can write to')
    probe = target if folder else osp.dirname(target)
    while not osp.exists(probe):
        probe = osp.dirname(probe)
    if not osp.isdir(probe) or not os.access(probe, os.W_OK):
        raise UserInputError(f'{what} {path} cannot be written; pass a path '
                             'in a folder you can write to')


def check_load_from(cfg: Config, configs_root: str) -> None:
    """A missing ``load_from`` stops in one line, naming the config whose
    run writes it when the path is ``work_dirs/<config name>/...``."""
    path = cfg.get('load_from')
    if not path or cfg.get('resume') or '://' in str(path) or \
            osp.exists(path):
        return
    parts = osp.normpath(path).split(os.sep)
    hint = ''
    if 'work_dirs' in parts and parts.index('work_dirs') + 1 < len(parts):
        name = parts[parts.index('work_dirs') + 1]
        found = sorted(
            osp.relpath(osp.join(folder, f), osp.dirname(configs_root))
            for folder, _, files in os.walk(configs_root)
            for f in files if f == name + '.py')
        if found:
            hint = (f'; it is written by the run of {found[0]}: train that '
                    f'first (tools/dist_train.sh {found[0]} 8)')
    raise UserInputError(f'load_from={path} does not exist{hint}, or set '
                         '--cfg-options load_from=/path/to/checkpoint.pth')
