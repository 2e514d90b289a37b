"""tools/train.py, --resume and tools/test.py on the flagship config (CPU)."""
import os.path as osp
import re

import pytest
import torch

from conftest import (FLAGSHIP, coco_stats, data_options, run_tool,
                      small_scale_options, synthetic_class_options)

pytestmark = pytest.mark.slow


def flagship_options(data, max_iters):
    return (data_options(data) + synthetic_class_options() +
            small_scale_options() + [
                f'train_cfg.max_iters={max_iters}',
                'train_cfg.val_begin=1000',  # no validation while training
                'default_hooks.checkpoint.interval=2',
                'default_hooks.logger.interval=1',
                'randomness.seed=0',
            ])


def logged_iters(work_dir):
    """Training iterations logged by every launch of a work dir."""
    from mmscratch.runs import read_run
    return [r['iter'] for r in read_run(work_dir).train]


def test_train_resume_and_test(synthetic_data, tmp_path):
    from mmscratch.datasets import CATEGORIES
    work_dir = str(tmp_path / 'work')
    first = run_tool(['tools/train.py', FLAGSHIP, '--work-dir', work_dir,
                      '--cfg-options'] + flagship_options(synthetic_data, 2))
    assert first.returncode == 0, first.stderr[-3000:]
    assert osp.isfile(osp.join(work_dir, 'iter_2.pth'))
    assert logged_iters(work_dir) == [1, 2]

    resumed = run_tool(['tools/train.py', FLAGSHIP, '--work-dir', work_dir,
                        '--resume', '--cfg-options'] +
                       flagship_options(synthetic_data, 4))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert 'resumed' in (resumed.stdout + resumed.stderr).lower()
    # the resumed launch continued at iteration 3, not from scratch
    assert logged_iters(work_dir) == [1, 2, 3, 4]
    ckpt = torch.load(osp.join(work_dir, 'iter_4.pth'), weights_only=False)
    assert ckpt['meta']['iter'] == 4

    pkl = str(tmp_path / 'pred.pkl')
    test = run_tool(['tools/test.py', FLAGSHIP,
                     osp.join(work_dir, 'iter_4.pth'), '--work-dir',
                     str(tmp_path / 'test'), '--out', pkl, '--cfg-options'] +
                    flagship_options(synthetic_data, 4))
    assert test.returncode == 0, test.stderr[-3000:]
    out = test.stdout + test.stderr
    printed = {k: float(v) for k, v in re.findall(
        r'coco/(bbox_mAP|segm_mAP|bbox_mAP_50|segm_mAP_50): (-?[\d.]+)',
        out)}
    assert set(printed) == {'bbox_mAP', 'segm_mAP', 'bbox_mAP_50',
                            'segm_mAP_50'}
    stats = coco_stats(
        osp.join(synthetic_data, 'annotations/instances_val.json'), pkl,
        CATEGORIES)
    for t in ('bbox', 'segm'):
        assert printed[f'{t}_mAP'] == pytest.approx(stats[t][0], abs=6e-4)
        assert printed[f'{t}_mAP_50'] == pytest.approx(stats[t][1],
                                                       abs=6e-4)


def test_missing_coco_is_one_line(tmp_path):
    proc = run_tool(['tools/train.py', FLAGSHIP, '--work-dir',
                     str(tmp_path / 'w'), '--cfg-options',
                     f'train_dataloader.dataset.data_root={tmp_path}/coco/'])
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert 'annotations/instances_train2017.json not found' in lines[0]
    assert 'Traceback' not in proc.stderr
