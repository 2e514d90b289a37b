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


def test_same_named_images_in_two_folders_are_all_drawn(
        trained_run, synthetic_data, tmp_path):
    """cam_a/0.png and cam_b/0.png ... (the validation images split over
    two folders with the same names): one drawing per image, at the same
    relative path (before: half of them overwritten); --score-thr 1 draws
    no prediction where 0 draws them; a score outside [0, 1] is one
    line."""
    import json
    import shutil
    root = tmp_path / 'data'
    shutil.copytree(synthetic_data, root)
    path = root / 'annotations' / 'instances_val.json'
    ann = json.loads(path.read_text())
    expected = []
    for i, img in enumerate(ann['images']):
        ext = os.path.splitext(img['file_name'])[1]
        name = f'cam_{"ab"[i % 2]}/{i // 2}{ext}'
        (root / 'val' / name).parent.mkdir(exist_ok=True)
        shutil.move(root / 'val' / img['file_name'], root / 'val' / name)
        img['file_name'] = name
        expected.append(name)
    path.write_text(json.dumps(ann))
    drawn = {}
    for thr in ('0', '1'):
        out = tmp_path / f'drawn_{thr}'
        proc = run_tool(['tools/test.py', DEMO_CONFIG,
                         os.path.join(trained_run, 'iter_2.pth'),
                         '--work-dir', str(tmp_path / 'w'), '--show-dir',
                         str(out), '--score-thr', thr, '--cfg-options'] +
                        data_options(str(root)) +
                        ['model.test_cfg.rcnn.score_thr=0.0'])
        assert proc.returncode == 0, proc.stderr[-3000:]
        files = sorted(str(p.relative_to(out)) for p in out.rglob('*.*'))
        assert files == sorted(expected)
        drawn[thr] = (out / expected[0]).read_bytes()
    assert drawn['0'] != drawn['1']
    proc = run_tool(['tools/test.py', DEMO_CONFIG,
                     os.path.join(trained_run, 'iter_2.pth'), '--show-dir',
                     str(tmp_path / 'x'), '--score-thr', '2',
                     '--cfg-options'] + data_options(str(root)))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].startswith(
        'error: --score-thr 2.0: give a score between 0 and 1')
