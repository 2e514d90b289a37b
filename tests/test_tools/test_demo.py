"""The README's first command (tools/demo.py) in its --quick mode: every
number of the report comes from the runs' logs and per-image results."""
import json
import re

import pytest

from conftest import run_tool

pytestmark = pytest.mark.slow

RUNS = ('pretrained_1x', 'scratch_1x', 'pretrained_2x', 'scratch_2x',
        'pretrained_4x', 'scratch_4x', 'pretrained_4x_10pct',
        'scratch_4x_10pct')


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('demo')
    out, data = tmp / 'out', tmp / 'data'
    args = ['tools/demo.py', '--quick', '--out', str(out), '--data',
            str(data), '--samples', '200']
    proc = run_tool(args)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return dict(out=out, data=data, args=args, proc=proc)


def test_report_numbers_are_the_logged_ones(demo):
    from mmscratch.runs import read_run
    out, proc = demo['out'], demo['proc']
    assert 'mmengine - INFO' not in proc.stdout  # a compact console
    for name in ('figure1', 'table1', 'less_data'):
        assert (out / f'{name}.png').read_bytes()[:4] == b'\x89PNG'
    report = (out / 'report.md').read_text()
    logs = {name: read_run(str(out / name)) for name in RUNS}
    for s in (1, 2, 4):
        row = re.search(rf'^\| {s}x \| {s * 4} \| (.+) \|$', report,
                        re.M).group(1).split(' | ')
        p, c = logs[f'pretrained_{s}x'], logs[f'scratch_{s}x']
        assert float(row[0]) == pytest.approx(
            p.final('coco/bbox_mAP'), abs=5e-4)
        assert float(row[1]) == pytest.approx(
            c.final('coco/bbox_mAP'), abs=5e-4)
        assert float(row[3]) == pytest.approx(
            p.final('coco/segm_mAP'), abs=5e-4)
        assert float(row[4]) == pytest.approx(
            c.final('coco/segm_mAP'), abs=5e-4)
    row = re.search(r'^\| 10% of the images \| (.+) \|$', report,
                    re.M).group(1).split(' | ')
    assert float(row[1]) == pytest.approx(
        logs['scratch_4x_10pct'].final('coco/bbox_mAP'), abs=5e-4)
    # Figure 1's table: the longest runs' validations
    for step, value in logs['scratch_4x'].metric('coco/bbox_mAP'):
        assert re.search(rf'^\| {step} \| [-\d.]+ \| {value:.3f} \|$',
                         report, re.M)
    # compute: 16 iterations x 4 images; pretraining 4 x 32 images
    assert 'scratch saw 64 images; the pretrained run 64 plus 128' in report
    assert report.count('(holds)') + report.count('(does not hold)') + \
        report.count('(partly holds)') == 5
    timings = json.loads((out / 'timings.json').read_text())
    assert set(RUNS) | {'pretrain', 'data', 'report', 'wall'} == \
        set(timings)
    assert 'python tools/train.py configs/demo/' in report
    assert 'python tools/analysis/compare_runs.py' in report


def test_intervals_come_from_per_image_results(demo):
    """The report's interval is what compare_runs computes from the runs'
    result files; a run against itself gives 0; detections missing on half
    the images are detected."""
    out, data = demo['out'], demo['data']
    ann = str(data / 'annotations' / 'instances_val.json')
    report = (out / 'report.md').read_text()
    a = str(out / 'pretrained_4x' / 'val_preds.bbox.json')
    b = str(out / 'scratch_4x' / 'val_preds.bbox.json')

    def compare(x, y):
        proc = run_tool(['tools/analysis/compare_runs.py', '--ann-file', ann,
                         x, y, '--samples', '200'])
        assert proc.returncode == 0, proc.stderr
        return re.search(r'B - A ([-+]\d\.\d+), 95% interval \[([-+]\d\.\d+)'
                         r', ([-+]\d\.\d+)\]', proc.stdout).groups()

    diff, low, high = compare(a, b)
    assert '| 4x | 16 | ' in report
    row = re.search(r'^\| 4x \| 16 \| (.+) \|$', report, re.M).group(1)
    # the report rounds to 3 decimals, compare_runs prints 4: equal within
    # the rounding of both (rounding the 4-decimal text again can move the
    # last digit, so the strings are not compared)
    cells = re.findall(r'([-+]\d\.\d{3}) \[([-+]\d\.\d{3}), '
                       r'([-+]\d\.\d{3})\]', row)
    expected = [float(diff), float(low), float(high)]
    assert any(all(abs(float(v) - e) <= 0.00056
                   for v, e in zip(cell, expected)) for cell in cells), \
        (row, expected)
    assert compare(b, b) == ('+0.0000', '+0.0000', '+0.0000')
    # plant a difference: detections equal to the ground truth on every
    # image, against the same with the odd images' detections removed
    gt = json.loads(open(ann).read())
    perfect = [dict(image_id=g['image_id'], category_id=g['category_id'],
                    bbox=g['bbox'], score=1.0) for g in gt['annotations']]
    full, half = out / 'all.bbox.json', out / 'half.bbox.json'
    full.write_text(json.dumps(perfect))
    half.write_text(json.dumps([r for r in perfect if r['image_id'] % 2]))
    diff, low, high = compare(str(full), str(half))
    assert float(low) <= float(diff) <= float(high) < 0
    assert compare(str(full), str(full)) == ('+0.0000', '+0.0000',
                                             '+0.0000')


def test_rerun_reuses_finished_parts_and_continues_stopped_runs(demo):
    """A rerun reuses the data, the backbone and every finished run; a run
    that was stopped (no completion marker) continues with --resume."""
    (demo['out'] / 'scratch_4x' / 'demo_run.json').unlink()
    again = run_tool(demo['args'])
    assert again.returncode == 0, again.stderr[-2000:]
    # data, backbone, and seven of the eight runs
    assert again.stdout.count('reusing') == 2 + len(RUNS) - 1
    assert 'training scratch_4x: 16 iterations (continuing)' in again.stdout
    assert 'training is complete, nothing to do' in (
        demo['out'] / 'scratch_4x' / 'demo.log').read_text()
