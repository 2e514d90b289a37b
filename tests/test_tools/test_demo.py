"""The README's first command (tools/demo.py) in its --quick mode."""
import json
import re

import pytest

from conftest import run_tool

pytestmark = pytest.mark.slow


def test_demo_quick_end_to_end(tmp_path):
    from mmscratch.analysis import read_run
    out, data = tmp_path / 'out', tmp_path / 'data'
    args = ['tools/demo.py', '--quick', '--out', str(out), '--data',
            str(data)]
    proc = run_tool(args)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    # compact console: no mmengine log lines
    assert 'mmengine - INFO' not in proc.stdout
    assert (out / 'curves.png').read_bytes()[:4] == b'\x89PNG'
    assert (out / 'pretrain' / 'backbone.pth').is_file()
    report = (out / 'report.md').read_text()
    runs = {name: read_run(str(out / name))
            for name in ('scratch', 'pretrained')}

    # the final AP table is what the runs logged
    for name, label in (('scratch', 'random init (scratch)'),
                        ('pretrained', 'pretrained')):
        row = re.search(rf'^\| {re.escape(label)} \| (.+) \|$', report,
                        re.M).group(1).split(' | ')
        expected = [runs[name].final(m) for m in (
            'coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/segm_mAP',
            'coco/segm_mAP_50')]
        assert [float(v) for v in row] == pytest.approx(expected, abs=5e-4)

    # the convergence table: scratch vs the pretrained run's logged curve
    conv = json.loads((out / 'scratch' / 'convergence.json').read_text())
    # every validation with results (an untrained model may predict nothing
    # at the first one, and then COCO metrics are empty)
    logged_steps = [s for s, _ in runs['scratch'].metric('coco/bbox_mAP')]
    assert logged_steps and logged_steps[-1] == 24
    assert [r['iter'] for r in conv['history']] == logged_steps
    pre_box = dict(runs['pretrained'].metric('coco/bbox_mAP'))
    for rec in conv['history']:
        box = rec['metrics']['coco/bbox_mAP']
        assert box['baseline'] == pytest.approx(pre_box[rec['iter']])
        assert f'| {rec["iter"]} | {box["value"]:.3f} | ' \
            f'{box["baseline"]:.3f} |' in report

    # compute: 24 iterations x 4 images; the pretrained run adds its
    # pretraining (10 iterations x 32 images)
    assert '| random init (scratch) | 96 / ' in report
    assert re.search(r'\| pretrained \| 96 / [\d,]+ / [\d,]+ \| 320 / ',
                     report)
    assert '**Verdict:**' in report
    assert 'python tools/train.py configs/demo/' in report

    again = run_tool(args)
    assert again.returncode == 0, again.stderr[-2000:]
    assert again.stdout.count('reusing') == 4  # data, backbone, two runs
