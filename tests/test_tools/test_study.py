"""tools/study.py on a user's data (configs/studies/own_data_example.py:
3 classes, non-square images) with --jobs 2: the report with verdicts; a
rerun trains nothing; Ctrl-C in the middle, then the same command: the
finished runs kept, the stopped one continued, the same report."""
import os
import re
import signal
import time

import pytest

from conftest import ROOT, finish, read_until, run_tool, start_tool

pytestmark = pytest.mark.slow


def small_study(tmp_path, data):
    """The shipped own-data study at test sizes (its arms, classes and
    image size as shipped)."""
    path = tmp_path / 'own_small.py'
    base = ROOT + '/configs/studies/own_data_example.py'
    path.write_text(f'''_base_ = {base!r}
data_root = {str(data) + "/"!r}
samples = 200
prepare = [
    dict(name='data',
         command='python tools/dataset/make_synthetic_coco.py {{data_root}} '
         '--train 40 --val 16 --size 48 80 --max-objects 3 '
         '--size-range 0.3 0.7 --classes circle triangle star --seed 1',
         creates='{{data_root}}annotations/instances_train.json'),
    dict(name='pretrain',
         command='python tools/dataset/pretrain_demo_backbone.py '
         'configs/demo/mask_rcnn_r18_gn_synthetic_pretrained.py '
         '{{out}}/pretrain --iters 4 --num-images 160 --seed 1',
         creates='{{out}}/pretrain/budget.json'),
]
cfg_options = {{'train_cfg.max_iters': 20,
               'model.test_cfg.rcnn.score_thr': 0.0}}
''')
    return str(path)


def numbers(report: str) -> str:
    """The report without its timings (machine-dependent)."""
    return report.split('## Time and images per run')[0]


@pytest.fixture(scope='module')
def study(tmp_path_factory):
    tmp = tmp_path_factory.mktemp('study')
    path = small_study(tmp, tmp / 'data')
    out = tmp / 'whole'
    args = ['tools/study.py', path, '--out', str(out), '--jobs', '2']
    proc = run_tool(args)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return dict(tmp=tmp, path=path, out=out, args=args, proc=proc)


def test_report_has_the_verdicts_tables_and_figures(study):
    out, proc = study['out'], study['proc']
    assert '12 runs: 0 finished, 12 to train' in proc.stdout
    assert 'pre-flight passed for 2 config(s)' in proc.stdout
    assert 'mmengine - INFO' not in proc.stdout  # logs stay in work dirs
    report = (out / 'report.md').read_text()
    names = re.findall(r'^- (\w[\w ]+) \(.+\): (?:equivalent|different|not '
                       r'shown|reached|not reached), so the paper',
                       report, re.M)
    assert names == ['Early', 'Catching up', 'Table 1', 'Total cost']
    assert 'scratch - pretrained mask AP' in report  # metric = segm
    assert '## Table 1: final mask AP over seeds' in report
    for name in ('curves', 'table1'):
        assert (out / f'{name}.png').read_bytes()[:4] == b'\x89PNG'
    from mmscratch.runs import read_run
    for seed in (0, 1, 2):
        run = out / f'scratch_2x_s{seed}'
        # each run is an ordinary run: its config in its work dir
        assert (run / f'scratch_2x_s{seed}.py').is_file()
        final = read_run(str(run)).final('coco/segm_mAP')
        row = re.search(r'^\| scratch_2x \| 40 \| (.+) \|$', report,
                        re.M).group(1).split(' | ')
        assert float(row[seed]) == pytest.approx(final, abs=6e-4)
    assert f'python tools/train.py {out}/scratch_1x_s0/scratch_1x_s0.py ' \
        f'--work-dir {out}/scratch_1x_s0' in report


def test_rerun_trains_nothing(study):
    before = (study['out'] / 'report.md').read_text()
    start = time.time()
    again = run_tool(study['args'])
    assert again.returncode == 0, again.stderr[-2000:]
    assert '12 runs: 12 finished, 0 to train' in again.stdout
    assert not re.search(r'^\[study .+\] training ', again.stdout, re.M)
    assert 'reusing data' in again.stdout
    print(f'rerun: {time.time() - start:.1f} s')
    assert numbers((study['out'] / 'report.md').read_text()) == \
        numbers(before)


def test_stopped_then_rerun_gives_the_same_report(study):
    out = study['tmp'] / 'stopped'
    args = study['args'][:2] + ['--out', str(out), '--jobs', '2']
    proc = start_tool(args, env=dict(os.environ, PYTHONPATH=ROOT))
    seen = read_until(proc, '_s0 done in ')
    seen += read_until(proc, '_s1 done in ')  # two runs finished
    # a run in the middle of its training (the log line at iteration 20
    # of 40): a SIGTERM to the study alone (kill, docker stop) stops its
    # runs, which save
    deadline = time.time() + 300
    while time.time() < deadline:
        busy = [d for d in out.iterdir() if (d / 'study.log').is_file() and
                'Iter(train) [20/40]' in (d / 'study.log').read_text()
                and not (d / 'study_run.json').is_file()]
        if busy:
            break
        time.sleep(0.2)
    assert busy, 'no run reached iteration 20 of 40'
    os.kill(proc.pid, signal.SIGTERM)
    status, text = finish(proc)
    assert status != 0 and 'run the same command again' in text
    stopped = busy[0].name
    assert any(f.startswith('iter_') for f in os.listdir(busy[0]))
    finished = re.findall(r'\] (\w+_s\d) done in ', seen + text)
    assert len(finished) >= 2 and stopped not in finished

    again = run_tool(args)
    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-2000:]
    assert f'training {stopped}: 40 iterations (continuing)' in again.stdout
    for name in finished:
        assert f'training {name}:' not in again.stdout
    assert numbers((out / 'report.md').read_text()).replace(
        str(out), 'OUT') == numbers(
        (study['out'] / 'report.md').read_text()).replace(
            str(study['out']), 'OUT')


def test_one_seed_per_arm_gets_no_verdict(study):
    """The findings are claims about recipes: the same runs reported with
    one seed per arm give intervals but no verdict."""
    report = study['out'] / 'report.md'
    kept = report.read_text()
    try:
        proc = run_tool(study['args'][:4] + [
            '--report', '--cfg-options', 'seeds=[0]'])
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr
        one = report.read_text()
    finally:
        report.write_text(kept)
    verdicts = one.split('## Verdicts')[1].split('\n## ')[0]
    for claim in ('Early', 'Catching up'):
        line = re.search(rf'^- {claim} .+$', verdicts, re.M).group(0)
        assert ': not shown, so the paper' in line, line
        assert '1 seed per arm' in line and 'no verdict' in line, line
    assert re.search(r'^\| 1x \| 20 \| .+ \| not shown \|$', one, re.M)
