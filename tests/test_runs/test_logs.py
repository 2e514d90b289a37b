"""Reading mmengine work dirs: resumed, cut short, empty (exact format)."""
import json

import pytest

from mmscratch.runs import images_at, lr_drops, read_run
from mmscratch.utils.errors import UserInputError


def write_launch(work_dir, stamp, records, tail=''):
    folder = work_dir / stamp / 'vis_data'
    folder.mkdir(parents=True)
    text = ''.join(json.dumps(r) + '\n' for r in records) + tail
    (folder / 'scalars.json').write_text(text)


def train(step, lr, **extra):
    return dict(lr=lr, loss=1.0 / step, iter=step, step=step, **extra)


def val(step, box):
    return {'coco/bbox_mAP': box, 'coco/segm_mAP': box / 2,
            'data_time': 0.01, 'time': 0.1, 'step': step}


def test_resumed_and_cut_short(tmp_path):
    # first launch crashed after step 30 (its val at 30 is superseded by the
    # resumed launch); the second launch is still being written
    write_launch(tmp_path, '20260101_000000', [
        train(10, 0.02), train(20, 0.02), val(20, 0.1), train(30, 0.02),
        val(30, 0.15)])
    write_launch(tmp_path, '20260101_010000', [
        train(30, 0.02), val(30, 0.2), train(40, 0.002), val(40, 0.3)],
        tail='{"lr": 0.002, "st')
    run = read_run(str(tmp_path))
    assert [r['step'] for r in run.train] == [10, 20, 30, 40]
    assert run.metric('coco/bbox_mAP') == [(20, 0.1), (30, 0.2), (40, 0.3)]
    assert run.final('coco/segm_mAP') == 0.15
    assert lr_drops(run) == [40]


def test_budget_records_merge_with_train_records(tmp_path):
    write_launch(tmp_path, '20260101_000000', [
        train(10, 0.02), {'budget/images': 40.0, 'step': 10},
        train(20, 0.02), {'budget/images': 80.0, 'step': 20}, val(20, 0.1)])
    run = read_run(str(tmp_path))
    assert run.train[0]['loss'] == 0.1 and run.train[0]['budget/images'] == 40
    assert images_at(run, [15, 20, 30]) == [60.0, 80.0, 120.0]


def test_clear_errors(tmp_path):
    with pytest.raises(UserInputError, match='is not a folder'):
        read_run(str(tmp_path / 'missing'))
    with pytest.raises(UserInputError, match='holds no mmengine logs'):
        read_run(str(tmp_path))
    write_launch(tmp_path, '20260101_000000', [train(10, 0.02)])
    run = read_run(str(tmp_path))
    assert run.val == [] and run.final('coco/bbox_mAP') is None
    with pytest.raises(UserInputError, match='no budget/images'):
        images_at(run, [10])
