"""The one reader of COCO instances files: structure and fields checked.

The pre-flight (``mmscratch.cli.data_check``), the subset maker and the
bootstrap all read annotation files through :func:`read_coco_file`; what
the pre-flight adds (ids, images, classes) is checked on its result.
"""
import math
import os.path as osp
from typing import Dict

from ..utils.errors import UserInputError, read_json

_NUMBER = (int, float)


def _bad(loader: str, path: str, what: str) -> UserInputError:
    return UserInputError(f'{loader}: {path}: {what}; fix the annotation '
                          'file or regenerate it')


def read_coco_file(path: str, where: str = '') -> dict:
    """Parse a COCO instances file and check its structure: the three lists
    and the fields of each record that MMDetection reads.

    Args:
        path (str): the file.
        where (str): what reads it (``train_dataloader``), the start of
            every message.

    Raises:
        UserInputError: one line that says what is wrong and the fix.
    """
    loader = where or 'annotation file'
    if not osp.isfile(path):
        raise UserInputError(f'{loader}: annotation file {path} does not '
                             'exist')
    with open(path, 'rb') as f:
        head = f.read(64)
    # a UTF-8 byte order mark (some labelling tools write one) is allowed
    head = head[3:] if head.startswith(b'\xef\xbb\xbf') else head
    if not head.lstrip().startswith(b'{'):
        raise UserInputError(
            f'{loader}: annotation file {path} is not COCO JSON (it does not '
            'start with a JSON object); regenerate or re-download it')
    data = read_json(path, f'{loader}: annotation file',
                     '; regenerate or re-download it (a cut-off download '
                     'ends like this)')
    missing = [k for k in ('images', 'annotations', 'categories')
               if k not in data]
    if missing:
        raise UserInputError(
            f'{loader}: annotation file {path} lacks the COCO keys '
            f'{", ".join(missing)}; it must be a COCO instances file')
    for k in ('images', 'annotations', 'categories'):
        if not isinstance(data[k], list):
            raise _bad(loader, path, f'"{k}" is a {type(data[k]).__name__}, '
                       'not a list of records')
    for i, img in enumerate(data['images']):
        if type(img) is not dict or type(img.get('id')) is not int or \
                not isinstance(img.get('file_name'), str) or \
                not img['file_name'] or \
                type(img.get('width')) is not int or \
                type(img.get('height')) is not int or \
                img['width'] < 1 or img['height'] < 1:
            raise _bad(loader, path, f'image record #{i} ({_brief(img)}) '
                       'lacks an integer id, a file_name or a positive '
                       'integer width and height')
    named: Dict[str, int] = {}
    for i, cat in enumerate(data['categories']):
        if type(cat) is not dict or type(cat.get('id')) is not int or \
                not isinstance(cat.get('name'), str):
            raise _bad(loader, path, f'category record #{i} ({_brief(cat)}) '
                       'lacks an integer id or a name')
        if cat['name'] in named:
            raise _bad(loader, path, f'category name {cat["name"]!r} is '
                       f'listed twice, under ids {named[cat["name"]]} and '
                       f'{cat["id"]} (classes are looked up by name); '
                       'merge them into one id')
        named[cat['name']] = cat['id']
    for i, ann in enumerate(data['annotations']):
        box = ann.get('bbox') if type(ann) is dict else None
        if type(box) is not list or len(box) != 4 or \
                not all(type(v) in _NUMBER and math.isfinite(v)
                        for v in box):
            raise _bad(loader, path, f'annotation #{i} ({_brief(ann)}) has '
                       f'"bbox": {_brief(box)}; a COCO box is [x, y, width, '
                       'height], four numbers in pixels')
        if type(ann.get('area')) not in _NUMBER or \
                not math.isfinite(ann['area']):
            raise _bad(loader, path, f'annotation #{i} ({_brief(ann)}) has '
                       f'"area": {_brief(ann.get("area"))}; MMDetection '
                       'reads each annotation\'s area (the mask\'s area in '
                       'pixels, or the box\'s width x height): add it')
        seg = ann.get('segmentation')
        if seg is not None and not isinstance(seg, (list, dict)):
            raise _bad(loader, path, f'annotation #{i} ({_brief(ann)}) has '
                       f'"segmentation": {_brief(seg)}; it must be a list '
                       'of polygons or an RLE dict')
    return data


def _brief(value, width: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= width else text[:width - 3] + '...'
