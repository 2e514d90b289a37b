"""tools/test.py --show-dir draws the predictions, as MMDetection's does."""
import os

import numpy as np
import pytest
from PIL import Image

from conftest import DEMO_CONFIG, data_options, run_tool

pytestmark = pytest.mark.slow


def test_show_dir_writes_drawn_images(trained_run, synthetic_data,
                                      tmp_path):
    out = tmp_path / 'drawn'
    proc = run_tool(['tools/test.py', DEMO_CONFIG,
                     os.path.join(trained_run, 'iter_2.pth'), '--work-dir',
                     str(tmp_path / 'w'), '--show-dir', str(out),
                     '--cfg-options'] + data_options(synthetic_data) +
                    ['model.test_cfg.rcnn.score_thr=0.0'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    drawn = sorted(os.listdir(out))
    inputs = sorted(os.listdir(os.path.join(synthetic_data, 'val')))
    assert drawn == inputs  # one drawn image per validation image
    for name in drawn[:3]:
        a = np.asarray(Image.open(out / name).convert('RGB'))
        b = np.asarray(Image.open(os.path.join(synthetic_data, 'val',
                                               name)).convert('RGB'))
        # ground truth and prediction side by side, over the input
        assert a.shape != b.shape or not np.array_equal(a, b)
