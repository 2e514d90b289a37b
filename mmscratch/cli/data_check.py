"""Pre-flight checks of a run's data: annotation files, images, classes.

Every check runs on files of any size (COCO train2017 included; figures in
docs/performance.md). Image headers are read for a sample of each dataset
(``SAMPLED_IMAGES``) unless ``all_images`` is set.
"""
import hashlib
import json
import os.path as osp
import random
import sys
from typing import Dict, Iterable, Optional

from mmengine.config import Config

from ..utils.cfg_tree import loader_datasets, num_classes_in
from ..datasets.coco_file import read_coco_file
from ..utils.errors import UserInputError

SAMPLED_IMAGES = 1000
# stop when more than this share of the boxes is under one pixel
MAX_DEGENERATE_SHARE = 0.5


def check_data(cfg: Config, loaders: Iterable[str],
               all_images: bool = False) -> None:
    """Check the datasets of ``loaders`` and the evaluators that go with
    them, before anything is built.

    Args:
        cfg (Config): the run's config.
        loaders (Iterable[str]): e.g. ``['train_dataloader',
            'val_dataloader']``.
        all_images (bool): read the header of every image instead of a
            sample of ``SAMPLED_IMAGES`` per dataset.

    Raises:
        UserInputError: naming what is wrong, where, and how to fix it.
    """
    loaders = list(loaders)
    if 'train_dataloader' in loaders:
        check_model_config(cfg)
    read: Dict[str, dict] = {}  # evaluated loader -> {its file: data}
    num_classes = head_num_classes(cfg.get('model'))
    for loader, ds in loader_datasets(cfg, loaders):
        data_root = ds.get('data_root')
        ann_file = ds.get('ann_file')
        key = f'{loader}.dataset'
        img_dir = (ds.get('data_prefix') or {}).get('img')
        img_dir = None if img_dir is None else \
            resolve_data_path(data_root, img_dir)
        path = resolve_data_path(data_root, ann_file) if ann_file else None
        if path and '://' not in path and not osp.isfile(path):
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
        if not path or '://' in path or not path.endswith('.json'):
            continue
        data = read_coco_file(path, where=loader)
        check_coco_content(loader, path, data, training=loader.startswith(
            'train'))
        check_classes(loader, key, path, data, ds, num_classes)
        if img_dir is not None and '://' not in img_dir:
            check_images(loader, path, data, img_dir, all_images,
                         ignores_orientation(ds), key,
                         skips_undecodable(ds))
        if not loader.startswith('train'):  # kept for check_evaluators
            read.setdefault(loader, {})[osp.realpath(path)] = data
    for name in ('val_evaluator', 'test_evaluator'):
        loader = name.split('_')[0] + '_dataloader'
        if loader in loaders:
            check_evaluators(cfg, name, read.get(loader, {}))


# widths a GN layer normalises, by the key that sets them in mmdet configs
_GN_WIDTH_KEYS = ('base_channels', 'stem_channels', 'out_channels',
                  'conv_out_channels', 'feat_channels')
# a warm-up longer than this share of the run gets a warning
MAX_WARMUP_SHARE = 0.2


def check_model_config(cfg: Config) -> None:
    """Config mistakes the build would report as a raw error, or not at
    all: GN widths not divisible by the group count stop; a warm-up that
    takes a large share of the run warns."""
    def walk(node, where):
        if isinstance(node, dict):
            norm = node.get('norm_cfg')
            groups = norm.get('num_groups') if isinstance(norm, dict) and \
                norm.get('type') == 'GN' else None
            for key in _GN_WIDTH_KEYS if isinstance(groups, int) and \
                    groups > 0 else ():
                width = node.get(key)
                if isinstance(width, int) and width % groups:
                    raise UserInputError(
                        f'{where}.{key}={width} is not divisible by its GN '
                        f'num_groups={groups}, so the model cannot be built; '
                        f'use a multiple of {groups} (or set '
                        f'{where}.norm_cfg.num_groups to a divisor of '
                        f'{width})')
            for k, v in node.items():
                walk(v, f'{where}.{k}')
        elif isinstance(node, (list, tuple)):
            for i, v in enumerate(node):
                walk(v, f'{where}.{i}')
    walk(cfg.get('model'), 'model')
    max_iters = (cfg.get('train_cfg') or {}).get('max_iters')
    schedulers = cfg.get('param_scheduler') or []
    for i, sched in enumerate(schedulers if isinstance(schedulers, list)
                              else [schedulers]):
        if isinstance(sched, dict) and sched.get('type') == 'LinearLR' and \
                not sched.get('by_epoch', True) and \
                isinstance(max_iters, int) and \
                isinstance(sched.get('end'), int) and \
                sched['end'] > MAX_WARMUP_SHARE * max_iters:
            print(f'warning: the warm-up (param_scheduler.{i}, '
                  f'{sched["end"]} iterations) is '
                  f'{min(sched["end"] / max_iters, 1):.0%} of the run\'s '
                  f'{max_iters} iterations; shorten it with --cfg-options '
                  f'param_scheduler.{i}.end=N', file=sys.stderr)


def resolve_data_path(data_root: Optional[str], path: str) -> str:
    """``path`` of a dataset config as its dataset reads it: joined to
    ``data_root`` unless absolute or a URL."""
    if data_root and not osp.isabs(path) and '://' not in path:
        return osp.join(data_root, path)
    return path


def check_coco_content(loader: str, path: str, data: dict,
                       training: bool) -> None:
    """Ids that point nowhere or repeat, empty datasets and missing images
    stop; a few degenerate boxes warn, mostly degenerate ones stop."""
    images: Dict[int, str] = {}
    sizes: Dict[int, tuple] = {}
    files: Dict[str, int] = {}
    for img in data['images']:
        if img['id'] in images:
            raise UserInputError(
                f'{loader}: image id {img["id"]} occurs twice in {path} '
                f'({images[img["id"]]} and {img["file_name"]}), so one image '
                'would take the other\'s boxes; give every image its own id '
                '(merged files need their ids renumbered)')
        if img['file_name'] in files:
            raise UserInputError(
                f'{loader}: image file {img["file_name"]} is listed twice in '
                f'{path}, as image ids {files[img["file_name"]]} and '
                f'{img["id"]}, so it would be trained on twice with half of '
                'its boxes each time; merge the two records and their '
                'annotations under one id')
        images[img['id']] = img['file_name']
        sizes[img['id']] = (img['width'], img['height'])
        files[img['file_name']] = img['id']
    cat_ids = {cat['id'] for cat in data['categories']}
    degenerate = empty_masks = no_area = outside = 0
    for ann in data['annotations']:
        if ann.get('image_id') not in images:
            raise UserInputError(
                f'{loader}: annotation {ann.get("id")} in {path} refers to '
                f'image id {ann.get("image_id")}, which is not in "images"; '
                'fix or regenerate the annotation file')
        if ann.get('category_id') not in cat_ids:
            raise UserInputError(
                f'{loader}: annotation {ann.get("id")} in {path} refers to '
                f'category id {ann.get("category_id")}, which is not in '
                '"categories"; fix or regenerate the annotation file')
        box = ann['bbox']
        if box[2] < 1 or box[3] < 1:
            degenerate += 1
        elif ann['area'] <= 0:
            no_area += 1  # MMDetection drops instances of area <= 0
        else:
            w, h = sizes[ann['image_id']]
            if min(box[0] + box[2], w) <= max(box[0], 0) or \
                    min(box[1] + box[3], h) <= max(box[1], 0):
                outside += 1  # no overlap with the image: dropped too
        if 'segmentation' in ann and not ann['segmentation']:
            empty_masks += 1
    if not images:
        raise UserInputError(f'{loader}: {path} lists no images; point the '
                             'config at a file with images')
    if training and not data['annotations']:
        raise UserInputError(
            f'{loader}: {path} has no annotations, so there is nothing to '
            'train on; point the config at an annotated file')
    total = len(data['annotations'])
    if training and total and degenerate > MAX_DEGENERATE_SHARE * total:
        raise UserInputError(
            f'{loader}: {degenerate} of the {total} boxes in {path} are under '
            '1 pixel wide or high, so training would see almost no targets; '
            'COCO boxes are [x, y, width, height] in pixels (not x1, y1, x2, '
            'y2 and not relative to the image size); convert the file')
    for count, what in (
            (no_area, '"area" 0 or less (MMDetection drops those '
             'instances; set each area to the mask\'s pixel count or the '
             'box\'s width x height)'),
            (outside, 'boxes entirely outside their image (dropped; the '
             'boxes may be in another image\'s coordinates or swapped '
             'x/y)')):
        if training and total and count > MAX_DEGENERATE_SHARE * total:
            raise UserInputError(
                f'{loader}: {count} of the {total} annotations in {path} '
                f'have {what}, so training would see few of its targets; '
                'fix the annotation file')
        if count:
            print(f'warning: {loader}: {count} of the {total} annotations '
                  f'in {path} have {what}', file=sys.stderr)
    if degenerate or empty_masks:
        print(f'warning: {loader}: {path} has {degenerate} annotation(s) '
              'with a box under 1 pixel (the dataset skips them) and '
              f'{empty_masks} with an empty mask (skipped)', file=sys.stderr)
    annotated = {ann['image_id'] for ann in data['annotations']
                 if not ann.get('iscrowd')}
    if training and len(annotated) < len(images):
        print(f'{loader}: {len(images) - len(annotated)} of the '
              f'{len(images)} images of {path} have no (non-crowd) '
              f'annotation; with filter_cfg.filter_empty_gt=True (the '
              f'configs\' default) training uses the other {len(annotated)}'
              f' (give --images {len(annotated)} to '
              'tools/analysis/schedule.py)', file=sys.stderr)


def config_classes(ds: dict) -> Optional[tuple]:
    """The class names a dataset config selects (its type's default when
    the config names none)."""
    classes = (ds.get('metainfo') or {}).get('classes')
    if classes is None:
        from mmdet.registry import DATASETS
        ds_cls = DATASETS.get(ds.get('type', ''))
        classes = getattr(ds_cls, 'METAINFO', {}).get('classes')
    return tuple(classes) if classes else None


def head_num_classes(model) -> Optional[int]:
    """The smallest ``num_classes`` of the model's heads (the RPN, which
    tells objects from background, aside), or None if none is set."""
    found = num_classes_in(model, skip=('rpn_head', ))
    return found[0] if found else None


def check_classes(loader: str, key: str, path: str, data: dict, ds: dict,
                  num_classes: Optional[int]) -> None:
    """The config's classes must occur in the file, and the heads must have
    an output for each class the dataset will label."""
    names = [c['name'] for c in data['categories']]
    classes = config_classes(ds)
    if not classes or not names:
        return
    used = [c for c in classes if c in set(names)]
    if not used:
        raise UserInputError(
            f'{loader}: none of the categories in {path} '
            f'({", ".join(map(str, names[:6]))}...) is among the '
            f'config\'s classes ({", ".join(classes[:6])}...), so no '
            f'image would be used; set {key}.metainfo.classes and the '
            'heads\' num_classes to the categories of your data')
    if num_classes is not None and num_classes > 2 * len(used) and \
            loader.startswith('train'):
        print(f'warning: {loader}: the model\'s heads have num_classes='
              f'{num_classes} but the dataset labels {len(used)} classes of '
              f'{path}; the extra outputs are never trained as positives '
              f'(set num_classes={len(used)} in the heads unless this is '
              'meant)', file=sys.stderr)
    if num_classes is not None and num_classes < len(used):
        raise UserInputError(
            f'{loader}: the dataset labels {len(used)} classes of {path}, '
            f'but the model\'s heads have num_classes={num_classes}; set '
            f'num_classes={len(used)} in the heads (model.roi_head.'
            'bbox_head and mask_head) or select fewer classes with '
            f'{key}.metainfo.classes')


def ignores_orientation(ds: dict) -> bool:
    """Whether the dataset's pipeline loads images as stored, ignoring an
    EXIF orientation tag (``color_type='color_ignore_orientation'``)."""
    for step in ds.get('pipeline') or []:
        if isinstance(step, dict) and step.get('type') in (
                'LoadImageFromFile', 'mmdet.LoadImageFromFile'):
            return 'ignore_orientation' in str(step.get('color_type', ''))
    return False


# EXIF orientations that turn the picture by 90 or 270 degrees (the
# decoded image is height x width of the stored one)
_QUARTER_TURNS = (5, 6, 7, 8)


def skips_undecodable(ds: dict) -> bool:
    """Whether the dataset type leaves undecodable images out
    (:class:`SeededSkippingCocoDataset` and its subclasses); MMDetection's
    own ``CocoDataset`` stops on them."""
    from mmdet.registry import DATASETS

    from ..datasets import SeededSkippingCocoDataset
    kind = ds.get('type')
    cls = DATASETS.get(kind) if isinstance(kind, str) else kind
    return isinstance(cls, type) and issubclass(cls,
                                                SeededSkippingCocoDataset)


def check_images(loader: str, path: str, data: dict, img_dir: str,
                 all_images: bool, as_stored: bool = False,
                 key: str = '', skipping: bool = True) -> None:
    """Every image file exists; the headers of a sample (or of all) can be
    read and give the size the annotation file states, as the loader will
    decode them: an EXIF orientation tag turns the decoded picture unless
    the pipeline loads images as stored (``as_stored``). The sampled
    images of an evaluated (val/test) dataset are decoded too: those that
    fail are named in a warning when the dataset type leaves them out of
    the evaluation (``skipping``), else refused."""
    records = data['images']
    missing = [img['file_name'] for img in records
               if not osp.isfile(osp.join(img_dir, img['file_name']))]
    if missing:
        raise UserInputError(
            f'{loader}: {len(missing)} image(s) listed in {path} are '
            f'missing from {img_dir} (e.g. {missing[0]}); copy them '
            'there or remove them from the annotation file')
    sample = records if all_images or len(records) <= SAMPLED_IMAGES else \
        random.Random(0).sample(records, SAMPLED_IMAGES)
    evaluated = not loader.startswith('train')
    unreadable, wrong_size, turned, flipped, undecodable = [], [], [], [], []
    for img in sample:
        file = osp.join(img_dir, img['file_name'])
        header = read_image_header(file, decode=evaluated)
        if isinstance(header, str) and evaluated and \
                not isinstance(read_image_header(file), str):
            undecodable.append(img['file_name'])  # the header reads
            continue
        if isinstance(header, str):
            unreadable.append(f'{img["file_name"]} ({header})')
            continue
        (w, h), orientation = header
        stated = (img['width'], img['height'])
        turns = orientation in _QUARTER_TURNS and not as_stored
        decoded = (h, w) if turns else (w, h)
        if turns and stated == (w, h) and w != h:
            turned.append(img['file_name'])  # annotated as stored
        elif decoded != stated:
            rotated = f' ({h}x{w} once its EXIF rotation applies)' \
                if turns else ''
            wrong_size.append(
                f'{img["file_name"]} is {w}x{h} on disk{rotated}, '
                f'{img["width"]}x{img["height"]} in the file')
        elif orientation not in (None, 1) and not as_stored and \
                orientation not in _QUARTER_TURNS:
            flipped.append(img['file_name'])
    checked = 'all' if len(sample) == len(records) else \
        f'{len(sample)} sampled'
    if unreadable:
        raise UserInputError(
            f'{loader}: {len(unreadable)} of {checked} images of {path} '
            f'cannot be read as images (e.g. {unreadable[0]}); replace them '
            'or remove them from the annotation file')
    option = f'{key}.pipeline.0.color_type=color_ignore_orientation'
    if turned:
        raise UserInputError(
            f'{loader}: {len(turned)} of {checked} images of {path} carry an '
            f'EXIF rotation (e.g. {turned[0]}) while the file states their '
            'stored size, so the boxes follow the stored pixels but the '
            'loader would turn the pictures; load them as stored with '
            f'--cfg-options {option} (the same for the val/test pipelines)')
    if wrong_size:
        raise UserInputError(
            f'{loader}: {len(wrong_size)} of {checked} images of {path} '
            f'differ in size from the file (e.g. {wrong_size[0]}), so boxes '
            'would not match the pictures; fix width/height in the file or '
            'use the images it was made for')
    if flipped:
        print(f'warning: {loader}: {len(flipped)} of {checked} images of '
              f'{path} carry an EXIF flip or half turn (e.g. {flipped[0]}); '
              'the loader applies it, so the boxes must follow the turned '
              f'picture (if they follow the stored pixels: {option})',
              file=sys.stderr)
    if undecodable and not skipping:
        raise UserInputError(
            f'{loader}: {len(undecodable)} of {checked} images of {path} '
            f'cannot be decoded (e.g. {undecodable[0]}), and the dataset '
            'type stops on them; replace them, remove them from the '
            f"annotation file, or set {key}.type='SeededSkippingCocoDataset'"
            ' (mmscratch: evaluates without them and counts them)')
    if undecodable:
        print(f'warning: {loader}: {len(undecodable)} of {checked} images of '
              f'{path} cannot be decoded (e.g. {undecodable[0]}); evaluation '
              'leaves them out and logs their count as unreadable_images '
              'with the metrics; replace them to evaluate on the full set',
              file=sys.stderr)
    if len(sample) < len(records):
        print(f'{loader}: read the headers of {len(sample)} of '
              f'{len(records)} images (all with --check-all-images)',
              file=sys.stderr)


def read_image_header(file: str, decode: bool = False):
    """((width, height), EXIF orientation or None) from the image header,
    or why it cannot be read.

    Only the header is parsed, unless ``decode``; PNG files are also
    checked for truncation (their chunk checksums), which costs reading the
    file but no decoding.
    """
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(file) as im:
            size, orientation = im.size, None
            if im.format == 'PNG':
                im.verify()  # before anything else reads the file
            else:
                orientation = im.getexif().get(0x0112)
                if decode:
                    im.load()  # a truncated JPEG fails here
    except UnidentifiedImageError:
        return 'not an image file'
    except (OSError, SyntaxError, ValueError) as err:
        return str(err) or type(err).__name__
    return size, orientation


def read_image_size(file: str):
    """(width, height) from the image header, or why it cannot be read."""
    header = read_image_header(file)
    return header if isinstance(header, str) else header[0]


def _fingerprints(data: dict) -> Dict[int, tuple]:
    """Per image id: file name, size and sorted (category, box, crowd flag,
    mask) tuples."""
    boxes: Dict[int, list] = {}
    for ann in data['annotations']:
        seg = json.dumps(ann.get('segmentation'), sort_keys=True)
        boxes.setdefault(ann['image_id'], []).append(
            (ann['category_id'], *(round(v, 1) for v in ann['bbox']),
             bool(ann.get('iscrowd', 0)),
             hashlib.sha1(seg.encode()).hexdigest()))
    return {img['id']: (img['file_name'], img['width'], img['height'],
                        tuple(sorted(boxes.get(img['id'], ()))))
            for img in data['images']}


def check_evaluators(cfg: Config, name: str, read: Dict[str, dict]) -> None:
    """An evaluator's backend is known and its annotation file describes
    the images (and boxes) its loader reads."""
    ev = cfg.get(name)
    for e in ev if isinstance(ev, (list, tuple)) else [ev]:
        if not isinstance(e, dict):
            continue
        if 'backend' in e and e.get('type') == 'FastCocoMetric':
            from ..evaluation.fast_coco_metric import BACKENDS
            if e['backend'] not in BACKENDS:
                raise UserInputError(
                    f'{name}.backend={e["backend"]!r} is not one of '
                    f'{", ".join(BACKENDS)}; fix it with --cfg-options '
                    f'{name}.backend=auto')
        path = e.get('ann_file')
        if not path or '://' in path:
            continue
        if not osp.isfile(path):
            raise UserInputError(
                f'{name}: annotation file {path} not found; set '
                f'--cfg-options {name}.ann_file=/path/to/instances.json')
        if len(read) != 1 or osp.realpath(path) in read:
            continue
        (loader_path, loader_data), = read.items()
        own = read_coco_file(path, where=name)
        theirs, ours = _fingerprints(own), _fingerprints(loader_data)
        differ = [i for i, fp in ours.items() if theirs.get(i) != fp]
        if differ:
            first = differ[0]
            found = 'is not in it' if first not in theirs else \
                f'is {theirs[first][0]} there with other boxes, crowd ' \
                'flags, masks or size'
            raise UserInputError(
                f'{name}.ann_file {path} is not the file its loader reads '
                f'({loader_path}) and describes {len(differ)} of its '
                f'{len(ours)} images otherwise (image id {first}, '
                f'{ours[first][0]} in the loader\'s file, {found}), so the '
                f'AP would be wrong; set --cfg-options {name}.ann_file='
                f'{loader_path}')
