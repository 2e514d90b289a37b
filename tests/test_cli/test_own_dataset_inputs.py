"""Inputs of a user's own COCO file that passed the pre-flight and then
crashed or trained on wrong targets: caught before step one, one line each,
through tools/train.py --check-only (exit 2) and in-process."""
import json
import os

import pytest

from conftest import (DEMO_CONFIG, copy_data, data_options, edit_ann,
                      run_tool)


def duplicate_category_name(d):
    d['categories'].append(dict(id=99, name=d['categories'][0]['name']))


def no_area(d):
    del d['annotations'][3]['area']


def area_zero(d):
    for ann in d['annotations'][:int(len(d['annotations']) * 0.6)]:
        ann['area'] = 0


def same_file_twice(d):
    img = dict(d['images'][0], id=99999)
    d['images'].append(img)


def boxes_outside(d):
    sizes = {i['id']: i['width'] for i in d['images']}
    for ann in d['annotations'][:int(len(d['annotations']) * 0.6)]:
        ann['bbox'][0] += sizes[ann['image_id']] + 10


CASES = {
    'duplicate_category_name': (
        duplicate_category_name, 'is listed twice, under ids 1 and 99'),
    'no_area': (no_area, 'annotation #3'),
    'area_zero': (area_zero, 'have "area" 0 or less'),
    'same_file_twice': (same_file_twice, 'is listed twice in'),
    'boxes_outside': (boxes_outside, 'boxes entirely outside their image'),
}


@pytest.mark.slow
@pytest.mark.parametrize('name', sorted(CASES))
def test_caught_by_check_only(synthetic_data, tmp_path, name):
    edit, expected = CASES[name]
    root = copy_data(synthetic_data, tmp_path / 'data')
    edit_ann(root, edit)
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--check-only',
                     '--work-dir', str(tmp_path / 'w'), '--cfg-options'] +
                    data_options(root))
    lines = [ln for ln in proc.stderr.strip().splitlines()
             if not ln.startswith(('warning:', 'train_dataloader: read',
                                   'val_dataloader: read'))]
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'Traceback' not in proc.stderr
    assert len(lines) == 1 and expected in lines[0], proc.stderr[-2000:]
    assert 'instances_train.json' in lines[0]


def test_a_few_dropped_instances_warn(synthetic_data, tmp_path):
    """Under half of the annotations with area 0: a warning with the
    count, and training goes on."""
    from mmscratch.cli.config import load_config
    from mmscratch.cli.data_check import check_data
    root = copy_data(synthetic_data, tmp_path / 'data')
    edit_ann(root, lambda d: d['annotations'][0].update(area=0))
    cfg = load_config(DEMO_CONFIG, dict(o.split('=', 1)
                                        for o in data_options(root)))
    import io
    import contextlib
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        check_data(cfg, ['train_dataloader'])
    assert 'warning: train_dataloader: 1 of the' in err.getvalue()
    assert '"area" 0 or less' in err.getvalue()


def test_byte_order_mark_is_read(synthetic_data, tmp_path):
    from mmscratch.cli.config import load_config
    from mmscratch.cli.data_check import check_data
    root = copy_data(synthetic_data, tmp_path / 'data')
    path = os.path.join(root, 'annotations', 'instances_train.json')
    with open(path) as f:
        text = f.read()
    with open(path, 'w', encoding='utf-8-sig') as f:
        f.write(text)
    assert open(path, 'rb').read(3) == b'\xef\xbb\xbf'
    cfg = load_config(DEMO_CONFIG, dict(o.split('=', 1)
                                        for o in data_options(root)))
    check_data(cfg, ['train_dataloader'])  # no error
    json.loads(text)


def test_evaluator_file_differing_in_crowd_flags_or_masks(synthetic_data,
                                                          tmp_path):
    """A copy of the val file with one iscrowd flag (or one mask) changed,
    given to the evaluator: refused, as its AP would be wrong."""
    from mmscratch.cli.config import load_config
    from mmscratch.cli.data_check import check_data
    from mmscratch.utils.errors import UserInputError
    root = copy_data(synthetic_data, tmp_path / 'data')
    val = os.path.join(root, 'annotations', 'instances_val.json')
    with open(val) as f:
        data = json.load(f)
    for i, change in enumerate((dict(iscrowd=1),
                                dict(segmentation=[[0, 0, 5, 0, 5, 5]]))):
        other = dict(data, annotations=[dict(a) for a in data['annotations']])
        other['annotations'][0].update(change)
        path = str(tmp_path / f'other{i}.json')
        with open(path, 'w') as f:
            json.dump(other, f)
        options = dict(o.split('=', 1) for o in data_options(root))
        options['val_evaluator.ann_file'] = path
        cfg = load_config(DEMO_CONFIG, options)
        with pytest.raises(UserInputError, match='crowd flags, masks'):
            check_data(cfg, ['train_dataloader', 'val_dataloader'])


def test_gn_widths_and_long_warmup(synthetic_data, capsys):
    """GN over a width its group count does not divide stops in one line
    naming the key; a warm-up of most of the run warns."""
    from mmscratch.cli.config import load_config
    from mmscratch.cli.data_check import check_data
    from mmscratch.utils.errors import UserInputError
    options = dict(o.split('=', 1) for o in data_options(synthetic_data))
    cfg = load_config(DEMO_CONFIG, dict(
        options, **{'model.roi_head.mask_head.conv_out_channels': 100}))
    with pytest.raises(UserInputError, match=r'model\.roi_head\.mask_head\.'
                       r'conv_out_channels=100 is not divisible by its GN '
                       r'num_groups=32'):
        check_data(cfg, ['train_dataloader'])
    cfg = load_config(DEMO_CONFIG, dict(
        options, **{'train_cfg.max_iters': 30}))
    check_data(cfg, ['train_dataloader'])
    assert 'warning: the warm-up (param_scheduler.0, 20 iterations) is 67% ' \
        "of the run's 30 iterations" in capsys.readouterr().err


def test_far_more_head_classes_than_data_warns(synthetic_data, capsys):
    from mmscratch.cli.config import load_config
    from mmscratch.cli.data_check import check_data
    options = dict(o.split('=', 1) for o in data_options(synthetic_data))
    options.update({'model.roi_head.bbox_head.num_classes': 80,
                    'model.roi_head.mask_head.num_classes': 80})
    check_data(load_config(DEMO_CONFIG, options), ['train_dataloader'])
    assert "the model's heads have num_classes=80 but the dataset labels 6 " \
        'classes' in capsys.readouterr().err


def rotated_jpeg(root, stated):
    """Image record 0 becomes a 96x64 JPEG stored with EXIF orientation 6
    (a phone photo taken upright), stated as ``stated`` in the file."""
    from PIL import Image
    im = Image.new('RGB', (96, 64), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6
    im.save(os.path.join(root, 'train', 'rot.jpg'), exif=exif)
    edit_ann(root, lambda d: d['images'][0].update(
        file_name='rot.jpg', width=stated[0], height=stated[1]))


@pytest.mark.slow
def test_exif_rotation_against_the_annotations(synthetic_data, tmp_path):
    """Annotations of the stored pixels (96x64) with a loader that turns
    the picture to 64x96: one line naming the option; with the option, or
    with annotations of the turned picture, the pre-flight passes."""
    import mmcv
    from mmscratch.cli.config import load_config
    from mmscratch.cli.data_check import check_data
    root = copy_data(synthetic_data, tmp_path / 'data')
    rotated_jpeg(root, (96, 64))
    with open(os.path.join(root, 'train', 'rot.jpg'), 'rb') as f:
        assert mmcv.imfrombytes(f.read()).shape[:2] == (96, 64)  # turned
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--check-only',
                     '--work-dir', str(tmp_path / 'w'), '--cfg-options'] +
                    data_options(root))
    assert proc.returncode == 2, proc.stderr[-2000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert 'carry an EXIF rotation (e.g. rot.jpg)' in last
    option = 'train_dataloader.dataset.pipeline.0.color_type=' \
        'color_ignore_orientation'
    assert option in last
    options = dict(o.split('=', 1) for o in data_options(root))
    cfg = load_config(DEMO_CONFIG, dict(options, **{
        'train_dataloader.dataset.pipeline.0.color_type':
        'color_ignore_orientation'}))
    check_data(cfg, ['train_dataloader'])  # loaded as stored: consistent
    root2 = copy_data(synthetic_data, tmp_path / 'data2')
    rotated_jpeg(root2, (64, 96))  # annotated on the turned picture
    check_data(load_config(DEMO_CONFIG, dict(
        o.split('=', 1) for o in data_options(root2))), ['train_dataloader'])
