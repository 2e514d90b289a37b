"""tools/study.py on SLURM, with recorded sbatch, squeue, srun and scontrol
stand-ins: one array job of a task per run, the report job after it, each
task's srun command through tools/slurm_train.sh, requeue on preemption."""
import os
import re
import stat
import subprocess

import pytest

from conftest import DEMO_CONFIG, data_options, run_tool

pytestmark = pytest.mark.slow  # a task runs the pre-flight


def fake_slurm(tmp_path):
    """sbatch (records its arguments, prints job ids 1001, 1002, ...),
    squeue (prints $FAKE_QUEUED lines), srun (records; writes the stop
    marker into $FAKE_SAVED_IN; exits $FAKE_STATUS), scontrol (records)."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    log = tmp_path / 'calls'
    bodies = dict(
        sbatch=f'echo "sbatch $*" >> {log}\n'
               f'n=$(grep -c ^sbatch {log}); echo $((1000 + n))\n',
        squeue=f'echo "squeue $*" >> {log}\n'
               'for i in $(seq 1 ${FAKE_QUEUED:-0}); do echo "1001_$i '
               'PENDING"; done\n',
        srun=f'echo "srun $*" >> {log}\n'
             'if [ -n "$FAKE_SAVED_IN" ]; then echo {} > '
             '"$FAKE_SAVED_IN/stopped_by_signal.json"; fi\n'
             'exit "${FAKE_STATUS:-0}"\n',
        scontrol=f'echo "scontrol $*" >> {log}\n')
    for name, body in bodies.items():
        path = bin_dir / name
        path.write_text('#!/usr/bin/env bash\n' + body)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return bin_dir, log


def write_study(tmp_path, data_root):
    options = dict(o.split('=', 1) for o in data_options(data_root))
    study = tmp_path / 'study_on_slurm.py'
    study.write_text(
        f'arms = dict(scratch={DEMO_CONFIG!r}, pretrained='
        f'{DEMO_CONFIG.replace(".py", "_pretrained.py")!r})\n'
        "reference = 'pretrained'\nschedules = [1, 2]\nseeds = [0, 1, 2]\n"
        "fractions = [1]\nmargin = 0.05\nmetric = 'bbox'\n"
        "launcher = dict(type='slurm', partition='gpu', gpus_per_run=2, "
        "gpus_per_node=2, cpus_per_task=4, time='1-00:00:00', "
        'max_parallel=4)\n'
        f'cfg_options = {options!r}\n'
        "cfg_options['train_cfg.max_iters'] = 2\n")
    return str(study)


def test_one_array_job_a_task_per_run_then_the_report(tmp_path,
                                                      synthetic_data):
    bin_dir, calls = fake_slurm(tmp_path)
    study, out = write_study(tmp_path, synthetic_data), tmp_path / 'out'
    env = dict(PATH=f'{bin_dir}{os.pathsep}{os.environ["PATH"]}')
    args = ['tools/study.py', study, '--out', str(out)]

    dry = run_tool(args + ['--dry-run'], env=env)
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert 'would submit: sbatch --parsable' in dry.stdout
    assert '#SBATCH --array=0-11%4' in dry.stdout
    assert not calls.exists() and not (out / 'slurm').exists()

    proc = run_tool(args, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'submitted array job 1001 (12 runs' in proc.stdout
    sbatch = [c for c in calls.read_text().splitlines()
              if c.startswith('sbatch')]
    assert len(sbatch) == 2
    assert sbatch[0] == f'sbatch --parsable {out}/slurm/train_array.sh'
    assert '--dependency=afterany:1001' in sbatch[1]
    assert f'--out {out}' in sbatch[1] and '--report' in sbatch[1]
    script = (out / 'slurm' / 'train_array.sh').read_text()
    for line in ('--array=0-11%4', '--partition=gpu', '--ntasks=2',
                 '--ntasks-per-node=2', '--gres=gpu:2', '--cpus-per-task=4',
                 '--time=1-00:00:00', '--requeue'):
        assert f'#SBATCH {line}\n' in script
    table = [line.split('\t') for line in
             (out / 'slurm' / 'runs.tsv').read_text().splitlines()]
    assert len(table) == 12 and table[0][0] == 'scratch_2x_s0'
    for name, config, work in table:
        assert config == f'{out}/{name}/{name}.py' and os.path.isfile(config)
        assert work == f'{out}/{name}'

    # task 5 runs line 6 through tools/slurm_train.sh: srun with the
    # run's config, work dir, 2 GPUs and the warning signal
    task_env = dict(os.environ, PATH=env['PATH'], SLURM_ARRAY_TASK_ID='5',
                    SLURM_JOB_ID='1001_5')
    name, config, work = table[5]
    done = subprocess.run(['bash', str(out / 'slurm' / 'train_array.sh')],
                          env=task_env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    srun = calls.read_text().splitlines()[-1]
    assert srun.startswith('srun -p gpu --job-name=' + name)
    assert '--ntasks=2' in srun and '--gres=gpu:2' in srun
    assert f'{config} --work-dir={work}' in srun
    assert '--signal=USR1@180' in srun and srun.endswith('--launcher=slurm')
    assert os.path.isfile(f'{work}/study_run.json')  # its time

    # preempted after saving: slurm_train.sh requeues this task only
    name, config, work = table[6]
    stopped = subprocess.run(
        ['bash', str(out / 'slurm' / 'train_array.sh')], env=dict(
            task_env, SLURM_ARRAY_TASK_ID='6', SLURM_JOB_ID='1001_6',
            FAKE_STATUS='138', FAKE_SAVED_IN=work),
        capture_output=True, text=True)
    assert stopped.returncode == 138
    assert calls.read_text().splitlines()[-1] == 'scontrol requeue 1001_6'

    # the same command while tasks are queued submits nothing
    again = run_tool(args, env=dict(env, FAKE_QUEUED='3'))
    assert again.returncode == 0, again.stderr[-2000:]
    assert 'array job 1001 still has 3 task(s) queued' in again.stdout
    assert len(re.findall('^sbatch', calls.read_text(), re.M)) == 2
