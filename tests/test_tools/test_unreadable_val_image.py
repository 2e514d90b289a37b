"""A truncated JPEG in the validation set: the pre-flight names it, and
validation and testing leave it out and log the count instead of dying."""
import io
import json
import os

import numpy as np
import pytest
from PIL import Image

from conftest import (DEMO_CONFIG, copy_data, data_options, run_tool,
                      tiny_train_options, val_steps)

pytestmark = pytest.mark.slow


def truncate_val_image(root):
    """Validation image record 0 becomes a JPEG cut in half (its header,
    with the right size, is intact)."""
    rng = np.random.RandomState(0)
    im = Image.fromarray((rng.rand(96, 96, 3) * 255).astype('uint8'))
    buffer = io.BytesIO()
    im.save(buffer, 'JPEG')
    data = buffer.getvalue()
    with open(os.path.join(root, 'val', 'cut.jpg'), 'wb') as f:
        f.write(data[:len(data) // 2])
    path = os.path.join(root, 'annotations', 'instances_val.json')
    with open(path) as f:
        ann = json.load(f)
    ann['images'][0].update(file_name='cut.jpg', width=96, height=96)
    with open(path, 'w') as f:
        json.dump(ann, f)


def test_validation_and_test_leave_it_out(synthetic_data, trained_run,
                                          tmp_path):
    root = copy_data(synthetic_data, tmp_path / 'data')
    truncate_val_image(root)
    work = tmp_path / 'work'
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(work),
                     '--cfg-options'] + tiny_train_options(root))
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    assert 'warning: val_dataloader: 1 of all images of' in out
    assert 'cannot be decoded (e.g. cut.jpg)' in out
    assert 'evaluation left out 1 image(s) that cannot be decoded' in out
    assert 'coco/unreadable_images: 1' in out  # in the metrics' line
    assert val_steps(work) == [2]
    proc = run_tool(['tools/test.py', DEMO_CONFIG,
                     os.path.join(trained_run, 'iter_2.pth'), '--work-dir',
                     str(tmp_path / 'test'), '--cfg-options'] +
                    data_options(root))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'coco/unreadable_images: 1' in proc.stdout + proc.stderr


def test_mmdet_coco_dataset_is_refused_before_training(synthetic_data,
                                                       tmp_path):
    """MMDetection's own CocoDataset (what a config inheriting mmdet's
    bases uses) stops on such an image: the pre-flight refuses it in one
    line, naming the dataset type that would leave it out (before: a
    warning, then a traceback at the first validation)."""
    root = copy_data(synthetic_data, tmp_path / 'data')
    truncate_val_image(root)
    work = tmp_path / 'work'
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(work),
                     '--cfg-options'] + tiny_train_options(root) +
                    ['val_dataloader.dataset.type=CocoDataset'])
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('error: val_dataloader: 1 of all images of ')
    assert 'cannot be decoded (e.g. cut.jpg)' in last
    assert "val_dataloader.dataset.type='SeededSkippingCocoDataset'" in last
    assert not list(work.glob('iter_*.pth'))
