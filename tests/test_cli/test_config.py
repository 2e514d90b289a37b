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


@pytest.mark.parametrize('argv,expected', [
    (['train_cfg.max_iters', '2000'], "'train_cfg.max_iters' is not "
     'KEY=VALUE; write it without spaces around "="'),
    (['=3'], "'=3' is not KEY=VALUE"),
    (['a=[(1,2'], '--cfg-options a: the value cannot be parsed'),
    (['a=' + '[' * 5000 + ']' * 5000], 'cannot be parsed (nested too '
     'deeply)'),
])
def test_malformed_cfg_options_parse_to_one_line(argv, expected):
    import argparse

    from mmscratch.cli.config import CfgOptionsAction
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction)
    with pytest.raises(UserInputError) as err:
        parser.parse_args(['--cfg-options'] + argv)
    assert expected in str(err.value) and '\n' not in str(err.value)


@pytest.mark.parametrize('options,expected', [
    ({'train_cfg.max_iters': '2k'}, 'train_cfg.max_iters=2k: the config '
     'holds a number there (540000); give a number'),
    ({'train_dataloader.batch_size': 0}, 'batch_size must be a whole '
     'number, at least 1'),
    ({'train_cfg.max_iters': 2.5}, 'max_iters must be a whole number'),
    ({'train_dataloader.num_workers': -1}, 'num_workers must be a whole '
     'number, at least 0'),
])
def test_cfg_option_values_keep_their_kind(options, expected):
    with pytest.raises(UserInputError) as err:
        load_config(FLAGSHIP, options)
    assert expected in str(err.value)
