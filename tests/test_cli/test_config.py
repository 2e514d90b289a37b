"""Config loading and the pre-flight data checks give one clear message."""
import json

import pytest

from conftest import FLAGSHIP, data_options
from mmscratch.cli.config import load_config
from mmscratch.cli.data_check import check_data
from mmscratch.utils.errors import UserInputError


def test_missing_config_suggests_the_near_name():
    with pytest.raises(UserInputError, match='did you mean .*gn_6x.py'):
        load_config(FLAGSHIP.replace('6x', '6'))


@pytest.mark.parametrize('key,match', [
    ('train_dataloadr.batch_size', 'did you mean train_dataloader'),
    ('train_dataloader.batch_sise', 'did you mean .*batch_size'),
    ('train_dataloader.dataset.pipeline.9.scale', 'list of 5 items'),
])
def test_cfg_option_typos_are_refused(key, match):
    with pytest.raises(UserInputError, match=match):
        load_config(FLAGSHIP, {key: 1})


def test_new_cfg_option_keys_are_allowed():
    cfg = load_config(FLAGSHIP, {'train_dataloader.dataset.indices': 5})
    assert cfg.train_dataloader.dataset.indices == 5


def test_missing_coco_names_the_file_and_the_fix():
    cfg = load_config(FLAGSHIP, {
        'train_dataloader.dataset.data_root': '/nonexistent/coco/'})
    with pytest.raises(UserInputError) as err:
        check_data(cfg, ['train_dataloader'])
    msg = str(err.value)
    assert '/nonexistent/coco/annotations/instances_train2017.json' in msg
    assert '--cfg-options train_dataloader.dataset.data_root=' in msg
    assert '\n' not in msg


def test_synthetic_data_passes(synthetic_data):
    cfg = load_config(FLAGSHIP, dict(
        o.split('=', 1) for o in data_options(synthetic_data)))
    cfg.merge_from_dict({
        f'{s}_dataloader.dataset.metainfo': dict(classes=('circle', 'star'))
        for s in ('train', 'val', 'test')})
    check_data(cfg, ['train_dataloader', 'val_dataloader', 'test_dataloader'])


def test_class_mismatch_and_bad_json(synthetic_data, tmp_path):
    opts = dict(o.split('=', 1) for o in data_options(synthetic_data))
    cfg = load_config(FLAGSHIP, opts)
    with pytest.raises(UserInputError, match='none of the categories'):
        check_data(cfg, ['train_dataloader'])
    bad = tmp_path / 'bad.json'
    bad.write_text('{"images": [')
    cfg.train_dataloader.dataset.ann_file = str(bad)
    with pytest.raises(UserInputError, match='not valid JSON'):
        check_data(cfg, ['train_dataloader'])
    bad.write_text(json.dumps(dict(images=[], annotations=[])))
    with pytest.raises(UserInputError, match='lacks the COCO keys categ'):
        check_data(cfg, ['train_dataloader'])
