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


def check_only(root, tmp_path, *options):
    """tools/train.py --check-only on ``root``: (exit status, stderr lines
    that are not the sampling note)."""
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--check-only',
                     '--work-dir', str(tmp_path / 'w'), '--cfg-options'] +
                    data_options(root) + list(options))
    assert 'Traceback' not in proc.stderr, proc.stderr[-2000:]
    return proc.returncode, [
        ln for ln in proc.stderr.strip().splitlines()
        if not ln.startswith(('train_dataloader: read',
                              'val_dataloader: read'))]


@pytest.mark.slow
def test_a_few_dropped_instances_warn(synthetic_data, tmp_path):
    """Under half of the annotations with area 0: a warning with the
    count, and the checks pass."""
    root = copy_data(synthetic_data, tmp_path / 'data')
    edit_ann(root, lambda d: d['annotations'][0].update(area=0))
    status, lines = check_only(root, tmp_path)
    assert status == 0, lines
    assert any(ln.startswith('warning: train_dataloader: 1 of the') and
               '"area" 0 or less' in ln for ln in lines), lines


@pytest.mark.slow
def test_byte_order_mark_is_read(synthetic_data, tmp_path):
    root = copy_data(synthetic_data, tmp_path / 'data')
    path = os.path.join(root, 'annotations', 'instances_train.json')
    with open(path) as f:
        text = f.read()
    with open(path, 'w', encoding='utf-8-sig') as f:
        f.write(text)
    assert open(path, 'rb').read(3) == b'\xef\xbb\xbf'
    status, lines = check_only(root, tmp_path)
    assert status == 0 and lines[-1].startswith('checks passed'), lines
    json.loads(text)


@pytest.mark.slow
@pytest.mark.parametrize('change', [dict(iscrowd=1),
                                    dict(segmentation=[[0, 0, 5, 0, 5, 5]])])
def test_evaluator_file_differing_in_crowd_flags_or_masks(
        synthetic_data, tmp_path, change):
    """A copy of the val file with one iscrowd flag (or one mask) changed,
    given to the evaluator: refused in one line, as its AP would be
    wrong."""
    root = copy_data(synthetic_data, tmp_path / 'data')
    with open(os.path.join(root, 'annotations', 'instances_val.json')) as f:
        data = json.load(f)
    data['annotations'][0].update(change)
    path = str(tmp_path / 'other.json')
    with open(path, 'w') as f:
        json.dump(data, f)
    status, lines = check_only(root, tmp_path,
                               f'val_evaluator.ann_file={path}')
    assert status == 2 and len(lines) == 1, lines
    assert 'crowd flags, masks' in lines[0] and path in lines[0]


@pytest.mark.slow
def test_gn_widths_and_long_warmup(synthetic_data, tmp_path):
    """GN over a width its group count does not divide stops in one line
    naming the key; a warm-up of most of the run warns."""
    status, lines = check_only(
        synthetic_data, tmp_path,
        'model.roi_head.mask_head.conv_out_channels=100')
    assert status == 2 and len(lines) == 1, lines
    assert 'model.roi_head.mask_head.conv_out_channels=100 is not ' \
        'divisible by its GN num_groups=32' in lines[0]
    status, lines = check_only(synthetic_data, tmp_path,
                               'train_cfg.max_iters=30')
    assert status == 0, lines
    assert 'warning: the warm-up (param_scheduler.0, 20 iterations) is ' \
        "67% of the run's 30 iterations" in '\n'.join(lines)


@pytest.mark.slow
def test_far_more_head_classes_than_data_warns(synthetic_data, tmp_path):
    status, lines = check_only(
        synthetic_data, tmp_path, 'model.roi_head.bbox_head.num_classes=80',
        'model.roi_head.mask_head.num_classes=80')
    assert status == 0, lines
    assert "the model's heads have num_classes=80 but the dataset labels " \
        '6 classes' in '\n'.join(lines)


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


@pytest.mark.slow
def test_check_only_reports_images_without_annotations(synthetic_data,
                                                       tmp_path):
    """The count training uses (empty images filtered) is what
    tools/analysis/schedule.py needs as --images."""
    root = copy_data(synthetic_data, tmp_path / 'data')

    def drop_first_five(d):
        empty = {img['id'] for img in d['images'][:5]}
        d['annotations'] = [a for a in d['annotations']
                            if a['image_id'] not in empty]
    edit_ann(root, drop_first_five)
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--check-only',
                     '--cfg-options'] + data_options(root))
    assert proc.returncode == 0, proc.stderr[-2000:]
    total = len(json.load(open(os.path.join(
        root, 'annotations', 'instances_train.json')))['images'])
    assert f'train_dataloader: 5 of the {total} images of' in proc.stderr
    assert f'training uses the other {total - 5} (give --images ' \
        f'{total - 5} to tools/analysis/schedule.py)' in proc.stderr
