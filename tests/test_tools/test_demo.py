"""The README's first command (tools/demo.py) in its --quick mode: the
demo study through the study runner; every number of the report comes
from the runs' logs and per-image results."""
import json
import re

import numpy as np
import pytest

from conftest import ROOT, run_tool

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    from mmscratch.study.plan import plan_runs
    from mmscratch.study.spec import load_study
    tmp = tmp_path_factory.mktemp('demo')
    out, data = tmp / 'out', tmp / 'data'
    args = ['tools/demo.py', '--quick', '--out', str(out), '--data',
            str(data)]
    proc = run_tool(args)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    study = load_study(f'{ROOT}/configs/studies/demo_synthetic_quick.py')
    return dict(out=out, data=data, args=args, proc=proc,
                runs=plan_runs(study))


def test_report_numbers_are_the_logged_ones(demo):
    from mmscratch.runs import read_run
    out, proc = demo['out'], demo['proc']
    assert 'mmengine - INFO' not in proc.stdout  # a compact console
    for name in ('curves', 'table1'):
        assert (out / f'{name}.png').read_bytes()[:4] == b'\x89PNG'
    report = (out / 'report.md').read_text()
    finals = {run.name: read_run(str(out / run.name)).final('coco/bbox_mAP')
              for run in demo['runs']}
    assert len(finals) == 12
    # every run's AP in the per-seed table (mmdet logs 3 decimals; the
    # report's AP is computed from the per-image matches: equal within
    # the log's rounding)
    groups = {}
    for run in demo['runs']:
        groups.setdefault(run.group, []).append(run)
    for group, runs in groups.items():
        row = re.search(rf'^\| {group} \| \d+ \| (.+) \|$', report,
                        re.M).group(1).split(' | ')
        for run in runs:
            assert float(row[run.seed]) == pytest.approx(
                finals[run.name], abs=6e-4)
        assert float(row[3]) == pytest.approx(
            np.mean([finals[r.name] for r in runs]), abs=6e-4)
    # the curves' table: the longest seed-0 runs' validations
    for step, value in read_run(str(out / 'scratch_4x_s0')).metric(
            'coco/bbox_mAP'):
        assert re.search(rf'^\| {step} \| {value:.3f} \| [-\d.]+ \|$',
                         report, re.M)
    verdicts = re.findall(r'^- (\w[\w ]+) \(.+\): (equivalent|different|'
                          r'not shown|reached|not reached), so the paper\'s '
                          r'observation (holds|does not hold|is not shown '
                          r'here|is too short)', report, re.M)
    assert [v[0] for v in verdicts] == ['Early', 'Catching up', 'Table 1',
                                        'Total cost']
    assert report.count('Paper: ') == 4
    timings = json.loads((out / 'timings.json').read_text())
    assert {'data', 'pretrain', 'training (wall)', 'report'} <= set(timings)
    assert f'python tools/train.py {out}/scratch_1x_s0/scratch_1x_s0.py' \
        in report
    assert 'python tools/analysis/compare_runs.py' in report


def compare(demo, a, b, *extra):
    ann = str(demo['data'] / 'annotations' / 'instances_val.json')
    proc = run_tool(['tools/analysis/compare_runs.py', '--ann-file', ann,
                     a, b, '--samples', '200', '--json', *extra])
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def files(demo, arm, schedule):
    return ','.join(str(demo['out'] / f'{arm}_{schedule}x_s{s}' /
                        'val_preds.bbox.json') for s in (0, 1, 2))


def test_intervals_come_from_per_image_results(demo):
    """The report's figures for a cell are what compare_runs computes from
    the runs' result files, to the digit (one code path, the same
    resamples); a run against itself gives 0 and 'equivalent'; detections
    missing on half the images are found."""
    report = (demo['out'] / 'report.md').read_text()
    box = report.split('## Table 1: final box AP')[1].split('##')[0]
    for schedule in (1, 4):
        got = compare(demo, files(demo, 'pretrained', schedule),
                      files(demo, 'scratch', schedule), '--margin', '0.05')
        low, high = got['interval95']
        row = re.search(rf'^\| {schedule}x \| \d+ \| (.+) \|$', box,
                        re.M).group(1).split(' | ')
        assert row[2] == f'{got["value"]:+.3f} [{low:+.3f}, {high:+.3f}]'
        assert row[3] == got['verdict']
        assert got['seeds'] == [3, 3]
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


def test_rerun_reuses_everything(demo):
    again = run_tool(demo['args'])
    assert again.returncode == 0, again.stderr[-2000:]
    assert 'reusing data' in again.stdout
    assert 'reusing pretrain' in again.stdout
    assert '12 runs: 12 finished, 0 to train' in again.stdout


@pytest.mark.parametrize('mode,out,data,train', [
    ([], 'results/demo', 'data/synthetic/', 250),
    (['--long'], 'results/demo_long', 'data/synthetic_long/', 1000)])
def test_dry_run_says_the_folders_of_each_mode(mode, out, data, train,
                                               tmp_path):
    """--long has its own data (four times the images), results and
    pretraining; --dry-run trains and writes nothing."""
    proc = run_tool([f'{ROOT}/tools/demo.py', '--dry-run'] + mode,
                    cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-2000:]
    made = re.search(r'would prepare data: (.+)', proc.stdout).group(1)
    assert made.startswith('python tools/dataset/make_synthetic_coco.py '
                           f'{data} --train {train} ')
    assert f'{tmp_path}/{out}/pretrain --iters' in proc.stdout
    # (epochs are counted from the data it would make)
    assert 'the runs depend on the preparation' in proc.stdout
    assert not (tmp_path / 'data').exists()
    assert not (tmp_path / 'results').exists()
    assert run_tool([f'{ROOT}/tools/demo.py', '--quick', '--long'],
                    cwd=tmp_path).returncode == 2


def test_the_rerun_command_parses_with_and_without_options():
    """The study command the report prints: a bare --cfg-options (the
    demo run without --data) would not parse."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'demo_tool', f'{ROOT}/tools/demo.py')
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    path = f'{ROOT}/configs/studies/demo_synthetic_long.py'
    bare = tool.study_command(path, 'results/demo_long', 2, {})
    assert bare == ['configs/studies/demo_synthetic_long.py', '--out',
                    'results/demo_long', '--jobs', '2']
    set_ = tool.study_command(path, 'out', 1, {'data_root': 'd/'})
    assert set_[-2:] == ['--cfg-options', 'data_root=d/']
    for args in (bare, set_):
        proc = run_tool([f'{ROOT}/tools/study.py'] + args + ['--dry-run'],
                        cwd=ROOT)
        assert proc.returncode == 0, proc.stderr[-2000:]
