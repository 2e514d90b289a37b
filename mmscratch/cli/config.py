"""Config loading and the path checks shared by the tools."""
import difflib
import os
import os.path as osp
from typing import Optional

from mmengine.config import Config

from ..utils.errors import UserInputError

def load_config(path: str, cfg_options: Optional[dict] = None) -> Config:
    """Load ``path`` (or ``mmdet::<path>`` of the installed mmdet) and
    merge ``--cfg-options``, catching key typos.

    A key that is not in the config but close to one that is (such as
    ``train_dataloadr.batch_size``) is refused with a suggestion; other new
    keys are allowed, since configs may gain keys.
    """
    if path.startswith('mmdet::'):
        from mmengine.utils import get_installed_path
        path = osp.join(get_installed_path('mmdet'), '.mim', 'configs',
                        path[len('mmdet::'):])
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
        for key in cfg_options:
            _check_key_path(cfg, key)
        try:
            cfg.merge_from_dict(cfg_options)
        except (KeyError, TypeError) as err:
            msg = str(err).strip('"\'').split('. You may')[0]
            raise UserInputError(
                f'--cfg-options cannot be applied: {msg}; write a config '
                'that _base_-inherits this one and sets the key there, with '
                '_delete_=True if it replaces a whole dict') from None
    return cfg


def _check_key_path(cfg: Config, key: str) -> None:
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
            return
        if part not in node:
            near = difflib.get_close_matches(part, list(node.keys()), n=1,
                                             cutoff=0.8)
            if near:
                raise UserInputError(
                    f'--cfg-options {key}: the config has no '
                    f'{".".join(parts[:depth + 1])}; did you mean '
                    f'{".".join(parts[:depth] + near)}?')
            return  # a new key: allowed
        node = node[part]


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
