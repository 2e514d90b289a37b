"""The pre-flight data checks, in-process: one clear message each.

(tests/test_tools/test_bad_input.py runs the tools themselves for the
exit-status and one-line contract.)"""
import os

import pytest

from conftest import DEMO_CONFIG, copy_data, data_options, edit_ann
from mmscratch.cli.config import load_config
from mmscratch.cli.data_check import check_data
from mmscratch.utils.errors import UserInputError


def preflight_error(root):
    """The message check_data gives for the demo config on ``root``."""
    options = dict(o.split('=', 1) for o in data_options(root))
    cfg = load_config(DEMO_CONFIG, options)
    with pytest.raises(UserInputError) as err:
        check_data(cfg, ['train_dataloader', 'val_dataloader'])
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
