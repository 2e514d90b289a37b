"""The pre-flight data checks, in-process: one clear message each.

(tests/test_tools/test_bad_input.py runs the tools themselves for the
exit-status and one-line contract.)"""
import json
import os
import shutil

import pytest

from conftest import DEMO_CONFIG, copy_data, data_options, edit_ann
from mmscratch.cli.config import load_config
from mmscratch.cli.data_check import check_data
from mmscratch.utils.errors import UserInputError


def demo_config(root, **options):
    """The demo config on ``root``, with ``options`` applied after."""
    merged = dict(o.split('=', 1) for o in data_options(root))
    merged.update(options)
    return load_config(DEMO_CONFIG, merged)


def preflight_error(root, cfg=None, **kwargs):
    """The message check_data gives for the demo config on ``root``."""
    cfg = cfg or demo_config(root)
    with pytest.raises(UserInputError) as err:
        check_data(cfg, ['train_dataloader', 'val_dataloader'], **kwargs)
    message = str(err.value)
    assert '\n' not in message
    return message


@pytest.mark.parametrize('content,expected', [
    ('not json at all', 'is not COCO JSON'),
    ('{"images": [], "annotations": [', 'is not valid JSON'),
    ('{"images": [], "annotations": []}', 'lacks the COCO keys categories'),
])
def test_broken_annotation_files(synthetic_data, tmp_path, content,
                                 expected):
    root = copy_data(synthetic_data, tmp_path / 'data')
    with open(os.path.join(root, 'annotations', 'instances_train.json'),
              'w') as f:
        f.write(content)
    assert expected in preflight_error(root)


@pytest.mark.parametrize('field,expected', [
    ('image_id', 'refers to image id 99999'),
    ('category_id', 'refers to category id 99999'),
])
def test_unknown_ids(synthetic_data, tmp_path, field, expected):
    root = copy_data(synthetic_data, tmp_path / 'data')
    edit_ann(root, lambda d: d['annotations'][0].update({field: 99999}))
    assert expected in preflight_error(root)


def test_missing_image(synthetic_data, tmp_path):
    root = copy_data(synthetic_data, tmp_path / 'data')
    os.remove(os.path.join(root, 'train', '000003.png'))
    message = preflight_error(root)
    assert '1 image(s) listed' in message and '000003.png' in message


def edit_val(root, fn):
    path = os.path.join(root, 'annotations', 'instances_val.json')
    data = json.load(open(path))
    fn(data)
    json.dump(data, open(path, 'w'))


@pytest.mark.parametrize('spoil,expected', [
    (lambda d: d['annotations'][3].update(bbox=None),
     '"bbox": None; a COCO box is [x, y, width, height]'),
    (lambda d: d['annotations'][0].update(bbox=['1', '2', '3', '4']),
     "\"bbox\": ['1', '2', '3', '4']"),
    (lambda d: d['annotations'][0].pop('bbox'), '"bbox": None'),
    (lambda d: d.update(images={'1': d['images'][0]}),
     '"images" is a dict, not a list of records'),
    (lambda d: d['images'][2].pop('file_name'),
     "image record #2 ({'id': 3"),
    (lambda d: d['annotations'][0].update(segmentation='polygon'),
     '"segmentation": \'polygon\'; it must be a list of polygons'),
    (lambda d: d['categories'].append(None), 'category record #6'),
])
def test_malformed_fields(synthetic_data, tmp_path, spoil, expected):
    root = copy_data(synthetic_data, tmp_path / 'data')
    edit_ann(root, spoil)
    message = preflight_error(root)
    assert expected in message and 'instances_train.json' in message


def test_duplicate_image_ids_name_both_files(synthetic_data, tmp_path):
    root = copy_data(synthetic_data, tmp_path / 'data')
    edit_ann(root, lambda d: d['images'][1].update(id=1))
    assert 'image id 1 occurs twice in' in preflight_error(root)
    assert '(000001.png and 000002.png)' in preflight_error(root)


def test_mostly_degenerate_boxes_stop(synthetic_data, tmp_path):
    """Boxes in relative coordinates (all under a pixel) stop the run."""
    root = copy_data(synthetic_data, tmp_path / 'data')

    def relative(d):
        for a in d['annotations']:
            a['bbox'] = [v / 96 for v in a['bbox']]
    edit_ann(root, relative)
    message = preflight_error(root)
    assert 'boxes in' in message and 'are under 1 pixel' in message
    assert 'not relative to the image size' in message


@pytest.mark.parametrize('split,spoil,expected', [
    ('train', lambda d: d.update(annotations=[]), 'has no annotations'),
    ('val', lambda d: d.update(images=[], annotations=[]),
     'instances_val.json lists no images'),
])
def test_empty_datasets(synthetic_data, tmp_path, split, spoil, expected):
    root = copy_data(synthetic_data, tmp_path / 'data')
    (edit_ann if split == 'train' else edit_val)(root, spoil)
    assert expected in preflight_error(root)


def test_num_classes_smaller_than_the_dataset(synthetic_data, tmp_path):
    cfg = demo_config(synthetic_data, **{
        'model.roi_head.bbox_head.num_classes': 4})
    message = preflight_error(synthetic_data, cfg)
    assert 'the dataset labels 6 classes' in message
    assert 'num_classes=4' in message


def test_image_size_differs_from_the_file(synthetic_data, tmp_path):
    root = copy_data(synthetic_data, tmp_path / 'data')
    edit_ann(root, lambda d: d['images'][4].update(width=128))
    message = preflight_error(root)
    assert '1 of all images of' in message
    assert '000005.png is 96x96 on disk, 128x96 in the file' in message


@pytest.mark.parametrize('spoil,expected', [
    (lambda path: open(path, 'w').write('<html>not found</html>'),
     '000003.png (not an image file)'),
    (lambda path: open(path, 'r+b').truncate(300), '000003.png ('),
])
def test_unreadable_images_at_start(synthetic_data, tmp_path, spoil,
                                    expected):
    """Text named .png and a truncated PNG stop before the first step."""
    root = copy_data(synthetic_data, tmp_path / 'data')
    spoil(os.path.join(root, 'train', '000003.png'))
    message = preflight_error(root)
    assert 'cannot be read as images' in message and expected in message


def test_headers_are_sampled_unless_all_images(synthetic_data, tmp_path,
                                               monkeypatch, capsys):
    from mmscratch.cli import data_check
    root = copy_data(synthetic_data, tmp_path / 'data')
    edit_ann(root, lambda d: [img.update(width=95) for img in d['images']])
    monkeypatch.setattr(data_check, 'SAMPLED_IMAGES', 5)
    assert '5 of 5 sampled images' in preflight_error(root)
    assert '48 of all images' in preflight_error(root, all_images=True)
    edit_ann(root, lambda d: [img.update(width=96) for img in d['images']])
    check_data(demo_config(root), ['train_dataloader'])
    assert 'read the headers of 5 of 48 images (all with ' \
        '--check-all-images)' in capsys.readouterr().err


def test_evaluator_file_must_describe_the_loaders_images(synthetic_data,
                                                         tmp_path):
    """A config that moved the loader and forgot the evaluator: refused.
    The same content under another path passes."""
    root = copy_data(synthetic_data, tmp_path / 'data')
    ann = os.path.join(root, 'annotations')
    cfg = demo_config(root, **{'val_evaluator.ann_file': os.path.join(
        ann, 'instances_train.json')})
    message = preflight_error(root, cfg)
    assert 'val_evaluator.ann_file' in message
    assert 'is not the file its loader reads' in message
    assert 'set --cfg-options val_evaluator.ann_file=' in message
    shutil.copy(os.path.join(ann, 'instances_val.json'),
                str(tmp_path / 'copy.json'))
    cfg = demo_config(root, **{'val_evaluator.ann_file': str(
        tmp_path / 'copy.json')})
    check_data(cfg, ['train_dataloader', 'val_dataloader'])


def test_files_over_50_mb_are_checked_too(synthetic_data, tmp_path):
    """The content checks have no size limit (they once stopped at 50 MB,
    which left COCO itself unchecked)."""
    root = copy_data(synthetic_data, tmp_path / 'data')

    def pad_and_spoil(d):
        d['info'] = dict(padding='x' * (51 * 2**20))
        d['annotations'][5]['image_id'] = 99999
    edit_ann(root, pad_and_spoil)
    path = os.path.join(root, 'annotations', 'instances_train.json')
    assert os.path.getsize(path) > 51 * 2**20
    assert 'refers to image id 99999' in preflight_error(root)
    with open(path, 'r+b') as f:  # a cut-off download
        f.truncate(40 * 2**20)
    assert 'is not valid JSON' in preflight_error(root)
