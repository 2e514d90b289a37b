"""The README's first command (tools/demo.py), shortened."""
import os.path as osp
import re

import pytest

from conftest import coco_stats, run_tool

pytestmark = pytest.mark.slow


def test_demo_end_to_end(tmp_path):
    from mmscratch.analysis import read_run
    from mmscratch.datasets import CATEGORIES
    out, data = tmp_path / 'out', tmp_path / 'data'
    proc = run_tool(['tools/demo.py', '--out', str(out), '--data', str(data),
                     '--iters', '60', '--train-images', '64',
                     '--val-images', '16'])
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    work_dir = out / 'scratch'
    assert (work_dir / 'iter_60.pth').is_file()
    assert (data / 'annotations' / 'instances_train.json').is_file()

    # the printed table is what the run logged
    rows = re.findall(r'^\s+(\d+)\s+([\d.]+)\s+([\d.]+)$', proc.stdout,
                      re.M)
    log = read_run(str(work_dir))
    logged = [(it, b, s) for (it, b), (_, s) in zip(
        log.metric('coco/bbox_mAP'), log.metric('coco/segm_mAP'))]
    assert rows and len(rows) == len(logged)
    for (it, b, s), (lit, lb, ls) in zip(rows, logged):
        assert int(it) == lit
        assert float(b) == pytest.approx(lb, abs=5e-4)
        assert float(s) == pytest.approx(ls, abs=5e-4)

    # tools/test.py's AP agrees with pycocotools on the dumped predictions
    pkl = out / 'predictions.pkl'
    assert pkl.is_file()
    test_log = (out / 'test.log').read_text()
    printed = dict(re.findall(r'coco/(bbox_mAP|segm_mAP): ([\d.]+)',
                              test_log))
    stats = coco_stats(osp.join(data, 'annotations/instances_val.json'),
                       str(pkl), CATEGORIES)
    assert stats['bbox'][1] > 0  # a trained model, not an empty result
    assert float(printed['bbox_mAP']) == pytest.approx(stats['bbox'][0],
                                                       abs=6e-4)
    assert float(printed['segm_mAP']) == pytest.approx(stats['segm'][0],
                                                       abs=6e-4)

    # a second run reuses the data and the checkpoint
    again = run_tool(['tools/demo.py', '--out', str(out), '--data',
                      str(data), '--iters', '60'])
    assert again.returncode == 0, again.stderr[-2000:]
    assert 'reusing the dataset' in again.stdout
    assert 'reusing the trained checkpoint' in again.stdout
