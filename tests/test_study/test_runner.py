"""What a rerun of a study does with its work dirs (no training): a changed
study file says which runs it adds and which started runs it changes
(moved to OUT/replaced/); runs on GPUs get their own devices and port."""
import os

import pytest

from conftest import DEMO_CONFIG, data_options
from mmscratch.study.local import LocalJobs, gpu_groups, train_command
from mmscratch.study.runner import StudyRunner
from mmscratch.study.spec import check_study
from mmscratch.utils.errors import UserInputError


def study(data_root, **changes):
    options = dict(o.split('=', 1) for o in data_options(data_root))
    raw = dict(arms=dict(scratch=DEMO_CONFIG, pretrained=DEMO_CONFIG.replace(
        '.py', '_pretrained.py')), reference='pretrained', schedules=[1, 2],
        seeds=[0, 1, 2], fractions=[1], margin=0.05, metric='bbox',
        launcher=dict(type='local', jobs=2), cfg_options=options)
    raw.update(changes)
    return check_study('s.py', raw)


def synced(s, out, lines):
    runner = StudyRunner(s, str(out), [], say=lines.append)
    runner.plan()
    return runner, runner.sync()


def test_a_changed_study_says_what_it_adds_and_replaces(tmp_path,
                                                        synthetic_data):
    out, lines = tmp_path / 'out', []
    runner, todo = synced(study(synthetic_data), out, lines)
    assert len(todo) == 12 and lines[-1] == '12 runs: 0 finished, 12 to train'
    for run in todo:  # each run's config and its digest in its work dir
        assert os.path.isfile(runner.config_file(run))
        assert runner.changed(run) is False
    # a started run: the Runner rewrites the config file (adding work_dir);
    # that is not a change
    path = runner.config_file(todo[0])
    with open(path, 'a') as f:
        f.write("work_dir = 'x'\n")
    (out / 'scratch_1x_s0' / 'iter_2.pth').write_bytes(b'')
    lines.clear()
    # another margin changes no run; a fourth seed adds four
    runner, todo = synced(study(synthetic_data, seeds=[0, 1, 2, 3],
                                margin=0.1), out, lines)
    assert lines[0] == ('the study file adds 4 run(s): scratch_2x_s3, '
                        'pretrained_2x_s3, scratch_1x_s3, pretrained_1x_s3')
    assert not any('changes' in line for line in lines)
    # a longer base length changes every started run: moved aside
    lines.clear()
    runner, todo = synced(study(synthetic_data, seeds=[0, 1, 2, 3],
                                cfg_options={'train_cfg.max_iters': 8}),
                          out, lines)
    assert any('changes 16 run(s) already started' in line for line in lines)
    moved = os.listdir(out / 'replaced')
    assert len(moved) == 16 and any(m.startswith('scratch_1x_s0_')
                                    for m in moved)
    assert not (out / 'scratch_1x_s0' / 'iter_2.pth').exists()


def test_gpu_groups_devices_and_commands(monkeypatch):
    monkeypatch.setenv('CUDA_VISIBLE_DEVICES', '0,1,2,3,4')
    assert gpu_groups(2) == ['0,1', '2,3']
    assert gpu_groups(0) == [None]
    with pytest.raises(UserInputError, match='shows 5 GPU'):
        gpu_groups(8)
    jobs = LocalJobs(gpu_groups(2), jobs=1)
    env = jobs.env('2,3', 1)
    assert env['CUDA_VISIBLE_DEVICES'] == '2,3' and env['PORT'] == '29501'
    assert env['MMSCRATCH_CHECKED_BY_LAUNCHER'] == '1'
    two = train_command('c.py', 'w', 2, resume=True)
    assert two[1].endswith('tools/dist_train.sh') and two[2:4] == ['c.py',
                                                                  '2']
    assert two[-3:] == ['--work-dir', 'w', '--resume']
    one = train_command('c.py', 'w', 1, resume=False)
    assert one[1].endswith('tools/train.py') and one[-2:] == ['--work-dir',
                                                              'w']
    cpu = LocalJobs([None], jobs=2).env(None, 0)
    assert cpu['OMP_NUM_THREADS'] == str(max((os.cpu_count() or 1) // 2, 1))


@pytest.mark.parametrize('name,text,says', [
    ('timings.json', '{"data": 1', 'timings file .+ is not valid JSON'),
    ('timings.json', '{"data": "soon"}', 'data is not a number'),
    ('study_plan.json', '[1]', 'is not a JSON object'),
    ('scratch_1x_s0/study_run.json', '{"seconds": true}',
     'seconds is not a number'),
    ('slurm/submitted.json', '{"array": 7}', 'is not what the study'),
])
def test_damaged_records_of_an_earlier_run_are_one_line(
        tmp_path, synthetic_data, name, text, says):
    from mmscratch.study.runner import run_seconds
    from mmscratch.study.slurm import submit
    out = tmp_path / 'out'
    (out / name).parent.mkdir(parents=True, exist_ok=True)
    (out / name).write_text(text)
    with pytest.raises(UserInputError, match=says) as err:
        runner, _ = synced(study(synthetic_data), out, [])
        run_seconds(str(out / 'scratch_1x_s0'))
        submit('s', dict(type='slurm', partition='p'), str(out), [], [],
               dry_run=False)
    assert '\n' not in str(err.value)
    assert 'delete it and run the study again' in str(err.value)


def test_a_prepared_file_another_study_rewrote_is_made_again(tmp_path):
    """Two studies share a data folder with different data: each rerun
    makes its own again instead of reusing the other's."""
    shared = tmp_path / 'data' / 'made.txt'

    def prepared(out, text):
        command = (f'python -c "import sys; open(sys.argv[1], \'w\')'
                   f'.write(sys.argv[2])" {shared} {text}')
        lines = []
        s = study(str(tmp_path / 'data'), prepare=[
            dict(name='data', command=command, creates=str(shared))])
        os.makedirs(shared.parent, exist_ok=True)
        StudyRunner(s, str(out), [], say=lines.append).prepare()
        return lines, shared.read_text()

    assert prepared(tmp_path / 'a', 'A')[1] == 'A'
    lines, text = prepared(tmp_path / 'a', 'A')
    assert text == 'A' and lines[0].startswith('reusing data')
    assert prepared(tmp_path / 'b', 'B')[1] == 'B'  # another study
    lines, text = prepared(tmp_path / 'a', 'A')
    assert text == 'A' and lines[0].startswith('preparing data')
