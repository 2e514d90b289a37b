"""--amp on the CPU: bfloat16 autocast trains and evaluates end to end."""
import math

import pytest
import torch

from conftest import DEMO_CONFIG, data_options, run_tool
from mmscratch.analysis import read_run
from mmscratch.ops import _float_nms, _float_roi_align

pytestmark = pytest.mark.slow


def test_amp_bf16_trains_and_evaluates(synthetic_data, tmp_path):
    work = tmp_path / 'work'
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--amp', 'bf16',
                     '--work-dir', str(work), '--cfg-options',
                     'train_cfg.max_iters=4', 'train_cfg.val_interval=4',
                     'default_hooks.logger.interval=1',
                     'model.test_cfg.rcnn.score_thr=0.0'] +
                    data_options(synthetic_data))
    assert proc.returncode == 0, proc.stderr[-3000:]
    run = read_run(str(work))
    assert len(run.train) >= 4
    assert all(math.isfinite(r['loss']) for r in run.train if 'loss' in r)
    assert run.final('coco/bbox_mAP') is not None
    assert run.final('coco/segm_mAP') is not None
    assert "type='MixedPrecisionOptimWrapper'" in open(
        next(work.glob('*.py'))).read()


def test_amp_fp16_on_cpu_is_refused(tmp_path):
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--amp', 'fp16',
                     '--work-dir', str(tmp_path)])
    assert proc.returncode == 2
    assert 'use --amp bf16' in proc.stderr and 'Traceback' not in \
        proc.stderr


def test_kernels_get_float32():
    boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]],
                         dtype=torch.bfloat16)
    scores = torch.tensor([0.9, 0.8, 0.7], dtype=torch.bfloat16)
    dets, keep = _float_nms(boxes, scores, 0.5)
    assert keep.tolist() == [0, 2]
    feats = torch.randn(1, 4, 8, 8, dtype=torch.bfloat16)
    rois = torch.tensor([[0, 0, 0, 4, 4]], dtype=torch.bfloat16)
    out = _float_roi_align(feats, rois, (2, 2), 1.0, 0, 'avg', True)
    assert out.dtype == torch.bfloat16 and out.shape == (1, 4, 2, 2)
