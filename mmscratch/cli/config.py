"""Config loading and pre-flight checks shared by the tools."""
import difflib
import os
import os.path as osp
import sys
from typing import Iterable, List, Optional

from mmengine.config import Config

from ..utils.errors import UserInputError, read_json

WRAPPER_KEYS = ('dataset', 'datasets')


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


def dataset_configs(cfg: Config, loaders: Iterable[str]) -> List[tuple]:
    """(loader name, dataset cfg) for each leaf dataset of the loaders."""
    found = []

    def walk(name, ds):
        if isinstance(ds, (list, tuple)):
            for d in ds:
                walk(name, d)
            return
        if not isinstance(ds, dict):
            return
        inner = [ds[k] for k in WRAPPER_KEYS if k in ds]
        if inner and 'ann_file' not in ds:
            for d in inner:
                walk(name, d)
        else:
            found.append((name, ds))

    for loader in loaders:
        if cfg.get(loader) is not None:
            walk(loader, cfg[loader].get('dataset'))
    return found


def _resolve(data_root: Optional[str], path: str) -> str:
    if data_root and not osp.isabs(path) and '://' not in path:
        return osp.join(data_root, path)
    return path


def check_data(cfg: Config, loaders: Iterable[str]) -> None:
    """Check that the datasets a run needs exist before anything is built.

    Raises:
        UserInputError: naming the missing path, the config key that sets it
            and how to change it.
    """
    for loader, ds in dataset_configs(cfg, loaders):
        data_root = ds.get('data_root')
        ann_file = ds.get('ann_file')
        key = f'{loader}.dataset'
        img_dir = (ds.get('data_prefix') or {}).get('img')
        img_dir = None if img_dir is None else _resolve(data_root, img_dir)
        if ann_file:
            path = _resolve(data_root, ann_file)
            if '://' not in path and not osp.isfile(path):
                where = f' (data root {data_root} does not exist)' if \
                    data_root and not osp.isdir(data_root) else ''
                raise UserInputError(
                    f'{loader}: annotation file {path} not found{where}; put '
                    'the dataset there (docs/data.md) or point the config '
                    f'elsewhere with --cfg-options {key}.data_root=/path/to/'
                    f'data/ (and {key}.ann_file=... if it is named otherwise)')
        if img_dir is not None and '://' not in img_dir and \
                not osp.isdir(img_dir):
            raise UserInputError(
                f'{loader}: image folder {img_dir} not found; fix '
                f'{key}.data_prefix.img or {key}.data_root')
        if ann_file and '://' not in path and path.endswith('.json'):
            _check_coco_json(loader, key, ds, path, img_dir)
    for name in ('val_evaluator', 'test_evaluator'):
        ev = cfg.get(name)
        evs = ev if isinstance(ev, (list, tuple)) else [ev]
        for e in evs:
            if isinstance(e, dict) and 'backend' in e and \
                    e.get('type') == 'FastCocoMetric':
                from ..evaluation.fast_coco_metric import BACKENDS
                if e['backend'] not in BACKENDS:
                    raise UserInputError(
                        f'{name}.backend={e["backend"]!r} is not one of '
                        f'{", ".join(BACKENDS)}; fix it with --cfg-options '
                        f'{name}.backend=auto')
            if isinstance(e, dict) and e.get('ann_file') and \
                    name.split('_')[0] + '_dataloader' in loaders and \
                    not osp.isfile(e['ann_file']):
                raise UserInputError(
                    f'{name}: annotation file {e["ann_file"]} not found; '
                    f'set --cfg-options {name}.ann_file=/path/to/'
                    'instances.json')


def _config_classes(ds: dict) -> Optional[tuple]:
    classes = (ds.get('metainfo') or {}).get('classes')
    if classes is None:
        from mmdet.registry import DATASETS
        ds_cls = DATASETS.get(ds.get('type', ''))
        classes = getattr(ds_cls, 'METAINFO', {}).get('classes')
    return tuple(classes) if classes else None


def _check_coco_content(loader: str, path: str, data: dict,
                        img_dir: Optional[str]) -> None:
    """Ids that point nowhere and missing images stop; empty boxes warn."""
    image_ids = {img.get('id') for img in data['images']}
    cat_ids = {cat.get('id') for cat in data['categories']}
    for ann in data['annotations']:
        if ann.get('image_id') not in image_ids:
            raise UserInputError(
                f'{loader}: annotation {ann.get("id")} in {path} refers to '
                f'image id {ann.get("image_id")}, which is not in "images"; '
                'fix or regenerate the annotation file')
        if ann.get('category_id') not in cat_ids:
            raise UserInputError(
                f'{loader}: annotation {ann.get("id")} in {path} refers to '
                f'category id {ann.get("category_id")}, which is not in '
                '"categories"; fix or regenerate the annotation file')
    if img_dir is not None and '://' not in img_dir:
        missing = [img['file_name'] for img in data['images']
                   if not osp.isfile(osp.join(img_dir, img['file_name']))]
        if missing:
            raise UserInputError(
                f'{loader}: {len(missing)} image(s) listed in {path} are '
                f'missing from {img_dir} (e.g. {missing[0]}); copy them '
                'there or remove them from the annotation file')
    degenerate = sum(1 for a in data['annotations']
                     if len(a.get('bbox', [])) != 4 or a['bbox'][2] < 1
                     or a['bbox'][3] < 1)
    empty_masks = sum(1 for a in data['annotations']
                      if 'segmentation' in a and not a['segmentation'])
    if degenerate or empty_masks:
        print(f'warning: {loader}: {path} has {degenerate} annotation(s) '
              'with a box under 1 pixel (the dataset skips them) and '
              f'{empty_masks} with an empty mask (skipped)', file=sys.stderr)


def _check_coco_json(loader: str, key: str, ds: dict, path: str,
                     img_dir: Optional[str] = None) -> None:
    """Check a COCO file: keys, classes, ids, image files, empty boxes.

    Files over 50 MB (full COCO) are only checked to start like JSON.
    """
    with open(path, 'rb') as f:
        head = f.read(64).lstrip()
    if not head.startswith(b'{'):
        raise UserInputError(
            f'{loader}: annotation file {path} is not COCO JSON (it does not '
            'start with a JSON object); regenerate or re-download it')
    if osp.getsize(path) < 50 * 1024 * 1024:
        data = read_json(path, f'{loader}: annotation file',
                         '; regenerate or re-download it')
        missing = [k for k in ('images', 'annotations', 'categories')
                   if k not in data]
        if missing:
            raise UserInputError(
                f'{loader}: annotation file {path} lacks the COCO keys '
                f'{", ".join(missing)}; it must be a COCO instances file')
        _check_coco_content(loader, path, data, img_dir)
        names = [c.get('name') for c in data['categories']]
        classes = _config_classes(ds)
        if classes and names and not set(names) & set(classes):
            raise UserInputError(
                f'{loader}: none of the categories in {path} '
                f'({", ".join(map(str, names[:6]))}...) is among the '
                f'config\'s classes ({", ".join(classes[:6])}...), so no '
                f'image would be used; set {key}.metainfo.classes and the '
                'heads\' num_classes to the categories of your data')


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
