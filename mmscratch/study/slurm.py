"""A study on SLURM: one array job (a task per run, each through
tools/slurm_train.sh with its signal, save and requeue) and a report job
that starts when the array has ended (``--dependency=afterany``).

``sbatch`` does the scheduling; this module writes the array script and the
runs table into ``OUT/slurm/`` and submits them. Rerunning the study's
command submits only the runs that are not finished and not queued.
"""
import json
import math
import os
import os.path as osp
import shlex
import subprocess
import sys
from typing import List, Optional, Tuple

from ..utils.checkout import REPO
from ..utils.errors import UserInputError

ARRAY = 'train_array.sh'


def _resources(launcher: dict) -> Tuple[int, int, int]:
    """(tasks, tasks per node, nodes) of one run."""
    gpus = launcher.get('gpus_per_run', 8)
    per_node = launcher.get('gpus_per_node', 8)
    tasks = max(gpus, 1)
    per_node = min(per_node, tasks) if gpus else 1
    return tasks, per_node, math.ceil(tasks / per_node)


def array_script(name: str, launcher: dict, out: str, cwd: str,
                 count: int) -> str:
    """The sbatch script of the array: task k trains line k+1 of
    runs.tsv through tools/slurm_train.sh."""
    tasks, per_node, nodes = _resources(launcher)
    gpus = launcher.get('gpus_per_run', 8)
    slurm_dir = osp.join(out, 'slurm')
    limit = launcher.get('max_parallel')
    array = f'0-{count - 1}' + (f'%{limit}' if limit else '')
    lines = [
        '#!/usr/bin/env bash',
        f'#SBATCH --job-name={name}',
        f'#SBATCH --partition={launcher["partition"]}',
        f'#SBATCH --array={array}',
        f'#SBATCH --nodes={nodes}',
        f'#SBATCH --ntasks={tasks}',
        f'#SBATCH --ntasks-per-node={per_node}',
        f'#SBATCH --cpus-per-task={launcher.get("cpus_per_task", 5)}',
    ]
    if gpus:
        lines.append(f'#SBATCH --gres=gpu:{per_node}')
    if launcher.get('time'):
        lines.append(f'#SBATCH --time={launcher["time"]}')
    lines += [f'#SBATCH {arg}' for arg in launcher.get('sbatch_args', [])]
    lines += [
        '#SBATCH --requeue',
        '#SBATCH --open-mode=append',
        f'#SBATCH --output={slurm_dir}/%x_%A_%a.log',
        '# One run of the study per array task: line SLURM_ARRAY_TASK_ID+1',
        '# of runs.tsv (name, config, work dir). tools/slurm_train.sh asks',
        '# for a warning signal before the time limit, saves, and requeues',
        '# this task, which then resumes from its newest checkpoint.',
        'set -u',
        f'cd {shlex.quote(cwd)}',
        "IFS=$'\\t' read -r NAME CONFIG WORK_DIR < <(sed -n "
        f'"$((SLURM_ARRAY_TASK_ID + 1))p" {shlex.quote(slurm_dir)}/runs.tsv)',
        'START=$(date +%s)',
        f'GPUS={tasks} GPUS_PER_NODE={per_node if gpus else 0} '
        f'CPUS_PER_TASK={launcher.get("cpus_per_task", 5)} '
        f'PYTHON={shlex.quote(sys.executable)} '
        f'bash {shlex.quote(osp.join(REPO, "tools", "slurm_train.sh"))} '
        f'{shlex.quote(launcher["partition"])} "$NAME" "$CONFIG" '
        '"$WORK_DIR"',
        'STATUS=$?',
        'if [ "$STATUS" = 0 ]; then',
        '    echo "{\\"seconds\\": $(($(date +%s) - START))}" > '
        '"$WORK_DIR/study_run.json"',
        'fi',
        'exit "$STATUS"',
    ]
    return '\n'.join(lines) + '\n'


def report_command(launcher: dict, study_args: List[str], out: str,
                   after: str) -> List[str]:
    """sbatch for the report job, once every array task has ended."""
    study = ' '.join(shlex.quote(a) for a in [
        sys.executable, osp.join(REPO, 'tools', 'study.py')] + study_args
        + ['--report'])
    return ['sbatch', '--parsable', f'--dependency=afterany:{after}',
            f'--job-name={osp.basename(out)}-report',
            f'--partition={launcher["partition"]}', '--ntasks=1',
            f'--cpus-per-task={launcher.get("cpus_per_task", 5)}',
            f'--time={launcher.get("report_time", "1:00:00")}',
            f'--output={osp.join(out, "slurm", "report.log")}',
            f'--wrap=cd {shlex.quote(os.getcwd())} && {study}']


def _sbatch(cmd: List[str]) -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        raise UserInputError(
            'sbatch is not on PATH: run the study on a SLURM login node, '
            "or use the local launcher (--launcher local)") from None
    if proc.returncode != 0:
        raise UserInputError(
            f'sbatch refused the job: {proc.stderr.strip()[:300]}; '
            f'check launcher settings in the study file ({cmd[1:4]})')
    return proc.stdout.strip().split(';')[0]


def queued(job: str) -> int:
    """Tasks of ``job`` still pending or running (squeue), 0 if none."""
    try:
        proc = subprocess.run(['squeue', '-h', '-j', job, '-o', '%i %T'],
                              capture_output=True, text=True)
    except FileNotFoundError:
        return 0
    return len([line for line in proc.stdout.splitlines() if line.strip()])


def submit(name: str, launcher: dict, out: str, runs: List[Tuple[str, str,
                                                                 str]],
           study_args: List[str], dry_run: bool,
           say=print) -> Optional[dict]:
    """Submit ``runs`` (name, config, work dir) as one array job and the
    report job after it; with ``dry_run`` print them instead."""
    slurm_dir = osp.join(out, 'slurm')
    state_file = osp.join(slurm_dir, 'submitted.json')
    if osp.isfile(state_file) and not dry_run:
        from .runner import read_record
        state = read_record(state_file, 'SLURM submission record')
        if not all(isinstance(state.get(k), str) for k in ('array',
                                                            'report')):
            raise UserInputError(
                f'SLURM submission record {state_file} is not what the '
                'study writes; delete it and run the study again')
        left = queued(state['array'])
        if left:
            say(f'array job {state["array"]} still has {left} task(s) '
                f'queued or running; nothing submitted (the report job '
                f'{state["report"]} writes {out}/report.md when they end)')
            return state
    script = array_script(name, launcher, out, os.getcwd(), len(runs))
    table = ''.join('\t'.join(r) + '\n' for r in runs)
    array_cmd = ['sbatch', '--parsable', osp.join(slurm_dir, ARRAY)]
    if dry_run:
        say(f'would write {slurm_dir}/runs.tsv ({len(runs)} runs):\n'
            + table + f'would write {slurm_dir}/{ARRAY}:\n' + script
            + 'would submit: ' + ' '.join(array_cmd) + '\nthen: '
            + ' '.join(shlex.quote(c) for c in report_command(
                launcher, study_args, out, 'ARRAY_JOB_ID')))
        return None
    os.makedirs(slurm_dir, exist_ok=True)
    with open(osp.join(slurm_dir, 'runs.tsv'), 'w') as f:
        f.write(table)
    with open(osp.join(slurm_dir, ARRAY), 'w') as f:
        f.write(script)
    array = _sbatch(array_cmd)
    report = _sbatch(report_command(launcher, study_args, out, array))
    state = dict(array=array, report=report, runs=[r[0] for r in runs])
    with open(state_file, 'w') as f:
        json.dump(state, f, indent=1)
    say(f'submitted array job {array} ({len(runs)} runs, logs in '
        f'{slurm_dir}/) and report job {report} after it; run the same '
        'command again to see what is left')
    return state
