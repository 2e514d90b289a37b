"""tools/slurm_train.sh asks for a warning signal and requeues a job that
stopped on it (srun and scontrol replaced by recorders); a requeued job
resumes by itself."""
import os
import os.path as osp
import stat

import pytest

from conftest import DEMO_CONFIG, ROOT, data_options, run_tool


def fake_slurm(tmp_path):
    """A bin folder with srun (records its arguments, writes the stop
    marker of the work dir $FAKE_SAVED_IN if set, as the ranks do after a
    saved stop, exits with $FAKE_STATUS) and scontrol (records its
    arguments)."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    for name, body in (
            ('srun', f'echo "$@" > {tmp_path}/srun.args\n'
                     'if [ -n "$FAKE_SAVED_IN" ]; then mkdir -p '
                     '"$FAKE_SAVED_IN" && echo {} > '
                     '"$FAKE_SAVED_IN/stopped_by_signal.json"; fi\n'
                     'exit "${FAKE_STATUS:-0}"\n'),
            ('scontrol', f'echo "$@" > {tmp_path}/scontrol.args\n')):
        path = bin_dir / name
        path.write_text('#!/usr/bin/env bash\n' + body)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return bin_dir


pytestmark = pytest.mark.slow  # each launch runs the pre-flight


@pytest.mark.parametrize('status,job,saved,requeued', [
    (138, '4242', True, True),    # stopped by the warning signal, saved
    (143, '4242', True, True),    # stopped by SIGTERM (preemption, scancel)
    (138, None, True, False),     # srun from a login node: no job to requeue
    (0, '4242', False, False),    # finished
    (1, '4242', False, False),    # failed: not requeued in a loop
    (137, '4242', False, False),  # OOM killer: nothing saved
    (139, '4242', False, False),  # segfault
    (134, '4242', False, False),  # abort
    (143, '4242', False, False),  # killed before it could save
])
def test_requeue_after_a_stop_signal(synthetic_data, tmp_path, status, job,
                                     saved, requeued):
    bin_dir = fake_slurm(tmp_path)
    work = tmp_path / 'work'
    work.mkdir()
    # a marker left by an earlier job step never counts
    (work / 'stopped_by_signal.json').write_text('{}')
    env = dict(PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}',
               FAKE_STATUS=str(status), GPUS='2', GPUS_PER_NODE='2',
               FAKE_SAVED_IN=str(work) if saved else '')
    if job:
        env['SLURM_JOB_ID'] = job
    else:
        env['SLURM_JOB_ID'] = ''
    proc = run_tool([osp.join(ROOT, 'tools/slurm_train.sh'), 'gpu', 'job',
                     DEMO_CONFIG, str(tmp_path / 'work'), '--cfg-options'] +
                    data_options(synthetic_data), env=env)
    assert proc.returncode == status, proc.stderr[-2000:]
    assert 'checks passed' in proc.stderr
    srun = (tmp_path / 'srun.args').read_text()
    assert '--signal=USR1@180' in srun and '--launcher=slurm' in srun
    assert (tmp_path / 'scontrol.args').exists() == requeued
    if requeued:
        assert (tmp_path / 'scontrol.args').read_text().split() == [
            'requeue', job]
        assert f'requeueing job {job}' in proc.stderr
    elif status > 128 and saved:
        assert 'run the same command again (with --resume)' in proc.stderr
    elif status > 128:
        assert 'without saving; not requeued' in proc.stderr
        assert 'requeueing' not in proc.stderr


def test_bad_input_stops_before_srun(tmp_path):
    """The pre-flight runs once before srun: a missing dataset stops in
    one line and no job step starts."""
    bin_dir = fake_slurm(tmp_path)
    proc = run_tool([osp.join(ROOT, 'tools/slurm_train.sh'), 'gpu', 'job',
                     DEMO_CONFIG, str(tmp_path / 'work'), '--cfg-options',
                     f'train_dataloader.dataset.data_root={tmp_path}/none/'],
                    env=dict(PATH=f'{bin_dir}{os.pathsep}'
                             f'{os.environ["PATH"]}'))
    assert proc.returncode == 2
    assert 'annotation file' in proc.stderr and 'not found' in proc.stderr
    assert not (tmp_path / 'srun.args').exists()


def test_a_requeued_job_resumes_by_itself(synthetic_data, tmp_path):
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir',
                     str(tmp_path / 'w'), '--check-only', '--cfg-options'] +
                    data_options(synthetic_data),
                    env=dict(SLURM_RESTART_COUNT='1'))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'SLURM_RESTART_COUNT=1: a restart of this job, so it resumes' \
        in proc.stderr
    assert 'no complete checkpoint in' in proc.stderr


def test_slurm_test_checks_once_then_runs_the_ranks(synthetic_data,
                                                    trained_run, tmp_path):
    """slurm_test.sh: the pre-flight here first (a bad input stops before
    srun, in one line), then one job step of tools/test.py ranks."""
    bin_dir = fake_slurm(tmp_path)
    env = dict(PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}')
    checkpoint = osp.join(trained_run, 'iter_2.pth')
    proc = run_tool([osp.join(ROOT, 'tools/slurm_test.sh'), 'gpu', 'job',
                     DEMO_CONFIG, checkpoint, '--cfg-options',
                     'val_dataloader.batch_size=0'] +
                    data_options(synthetic_data), env=env)
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith('error: ')
    assert not (tmp_path / 'srun.args').exists()
    proc = run_tool([osp.join(ROOT, 'tools/slurm_test.sh'), 'gpu', 'job',
                     DEMO_CONFIG, checkpoint, '--cfg-options'] +
                    data_options(synthetic_data), env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    srun = (tmp_path / 'srun.args').read_text().split()
    assert srun[:2] == ['-p', 'gpu'] and '--ntasks=8' in srun
    assert srun[-1] == '--launcher=slurm'
    assert srun[srun.index(DEMO_CONFIG) + 1] == checkpoint
