"""The README's first command (tools/demo.py) in its --quick mode: every
number of the report comes from the runs' logs and per-image results."""
import json
import re

import numpy as np
import pytest

from conftest import run_tool
from mmscratch.demo.plan import plan

pytestmark = pytest.mark.slow

RUNS, PAIRS = plan()
NAMES = [run.name for run in RUNS]


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
    finals = {name: read_run(str(out / name)).final('coco/bbox_mAP')
              for name in NAMES}
    # every run's AP in the per-seed table (mmdet logs 3 decimals; the
    # report's AP is computed from the per-image matches: equal within
    # the log's rounding)
    for pair in PAIRS:
        for init in ('pretrained', 'scratch'):
            runs = pair.arm(init)
            row = re.search(rf'^\| {runs[0].arm} \| \d+ \| (.+) \|$',
                            report, re.M).group(1).split(' | ')
            for run in runs:
                assert float(row[run.seed]) == pytest.approx(
                    finals[run.name], abs=6e-4)
            assert float(row[3]) == pytest.approx(
                np.mean([finals[r.name] for r in runs]), abs=6e-4)
            assert row[4] == '-' if len(runs) == 1 else float(row[4]) >= 0
    # Figure 1's table: the longest seed-0 runs' validations
    for step, value in read_run(str(out / 'scratch_4x_s0')).metric(
            'coco/bbox_mAP'):
        assert re.search(rf'^\| {step} \| [-\d.]+ \| {value:.3f} \|$',
                         report, re.M)
    verdicts = re.findall(r'^- (\w[\w ]+) \(.+\): (equivalent|different|'
                          r'not shown|reached|not reached), so the paper\'s '
                          r'observation (holds|does not hold|is not shown '
                          r'here)', report, re.M)
    assert [v[0] for v in verdicts] == ['Early', 'Catching up', 'Table 1',
                                        'Less data', 'Total cost']
    assert report.count('Paper: ') == 5
    timings = json.loads((out / 'timings.json').read_text())
    assert set(NAMES) | {'pretrain', 'data', 'report', 'wall'} == \
        set(timings)
    assert 'python tools/train.py configs/demo/' in report
    assert 'python tools/analysis/compare_runs.py' in report


def compare(demo, a, b, *extra):
    ann = str(demo['data'] / 'annotations' / 'instances_val.json')
    proc = run_tool(['tools/analysis/compare_runs.py', '--ann-file', ann,
                     a, b, '--samples', '200', '--json', *extra])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def files(demo, arm):
    return ','.join(str(demo['out'] / r.name / 'val_preds.bbox.json')
                    for r in arm)


def test_intervals_come_from_per_image_results(demo):
    """The report's figures for a pair are what compare_runs computes from
    the runs' result files, to the digit (one code path, the same
    resamples): for a single-seed pair and for a pair of three seeds; a
    run against itself gives 0 and 'equivalent'; detections missing on
    half the images are found."""
    report = (demo['out'] / 'report.md').read_text()
    for pair in PAIRS:
        if pair.fraction != 1:
            continue
        got = compare(demo, files(demo, pair.pretrained),
                      files(demo, pair.scratch), '--margin', '0.05')
        low, high = got['interval95']
        row = re.search(rf'^\| {pair.schedule}x \| \d+ \| '
                        rf'{len(pair.seeds)} \| (.+) \|$', report,
                        re.M).group(1).split(' | ')
        assert row[2] == f'{got["value"]:+.3f} [{low:+.3f}, {high:+.3f}]'
        assert row[3] == got['verdict']
        assert got['seeds'] == [len(pair.seeds)] * 2
    b = str(demo['out'] / 'scratch_4x_s0' / 'val_preds.bbox.json')
    same = compare(demo, b, b, '--margin', '0.05')
    assert same['value'] == 0 and same['interval95'] == [0, 0]
    assert same['verdict'] == 'equivalent'
    # plant a difference: detections equal to the ground truth on every
    # image, against the same with the odd images' detections removed
    gt = json.loads((demo['data'] / 'annotations' /
                     'instances_val.json').read_text())
    perfect = [dict(image_id=g['image_id'], category_id=g['category_id'],
                    bbox=g['bbox'], score=1.0) for g in gt['annotations']]
    full, half = demo['out'] / 'all.bbox.json', demo['out'] / 'half.bbox.json'
    full.write_text(json.dumps(perfect))
    half.write_text(json.dumps([r for r in perfect if r['image_id'] % 2]))
    got = compare(demo, str(full), str(half), '--margin', '0.05')
    low, high = got['interval95']
    assert low <= got['value'] <= high < 0 and got['verdict'] == 'different'


def test_rerun_reuses_finished_parts_and_continues_stopped_runs(demo):
    """A rerun reuses the data, the backbone and every finished run; a run
    that was stopped (no completion marker) continues with --resume."""
    (demo['out'] / 'scratch_4x_s0' / 'demo_run.json').unlink()
    again = run_tool(demo['args'])
    assert again.returncode == 0, again.stderr[-2000:]
    # data, backbone, and all runs but one
    assert again.stdout.count('reusing') == 2 + len(NAMES) - 1
    assert 'training scratch_4x_s0: 16 iterations (continuing)' in \
        again.stdout
    assert 'training is complete, nothing to do' in (
        demo['out'] / 'scratch_4x_s0' / 'demo.log').read_text()
