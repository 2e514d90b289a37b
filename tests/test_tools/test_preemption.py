"""A stop signal saves the iteration in progress; resume continues exactly.

Real processes and real signals: one process (SIGTERM to it, or SIGINT to
its whole process group as Ctrl-C sends it), two gloo ranks (a signal to
rank 1 only), and torchrun's elastic restart after a SIGKILL."""
import json
import os
import os.path as osp
import re
import signal
import socket
import time

import pytest
import torch

from conftest import (DEMO_CONFIG, ROOT, assert_same_weights, finish,
                      read_until, run_tool, start_tool, stop_resume_options,
                      val_steps)

pytestmark = pytest.mark.slow
DIST_TRAIN = osp.join(ROOT, 'tools/dist_train.sh')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def saved_checkpoints(work):
    return sorted(int(m.group(1)) for m in (
        re.fullmatch(r'iter_(\d+)\.pth', p) for p in os.listdir(work)) if m)


@pytest.mark.parametrize('workers,at', [(0, 2), (2, 6)])
def test_signal_between_checkpoints_saves_and_resumes_exactly(
        synthetic_data, reference_runs, tmp_path, workers, at):
    """0 workers: SIGTERM to the process at iteration 2; 2 workers: SIGINT
    to the whole process group (Ctrl-C) at iteration 6. A checkpoint of
    that iteration (or the next), exit status 128 + signal, no traceback
    (the loader workers inherit the handler); resumed to the end: every
    tensor equals the uninterrupted run's."""
    ref = reference_runs(workers)
    work = tmp_path / 'work'
    sig = signal.SIGTERM if workers == 0 else signal.SIGINT
    proc = start_tool(['tools/train.py', DEMO_CONFIG, '--work-dir',
                       str(work), '--cfg-options'] +
                      stop_resume_options(synthetic_data, workers))
    before = read_until(proc, f'Iter(train) [{at}/8]')
    if sig == signal.SIGINT:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    status, out = finish(proc)
    out = before + out
    assert status == 128 + sig, out[-3000:]
    assert 'Traceback' not in out, out[-3000:]
    stopped = [s for s in saved_checkpoints(work) if s not in (4, 8)]
    assert len(stopped) == 1 and stopped[0] in (at, at + 1), \
        saved_checkpoints(work)
    step = stopped[0]
    assert f'{sig.name} received: saved {work}/iter_{step}.pth at ' \
        f'iteration {step}' in out
    assert (work / 'last_checkpoint').read_text() == \
        str(work / f'iter_{step}.pth')
    # the marker that lets tools/slurm_train.sh requeue (a saved stop)
    assert json.loads((work / 'stopped_by_signal.json').read_text()) == \
        dict(signal=sig.name, iter=step, checkpoint=str(
            work / f'iter_{step}.pth'))

    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(work),
                     '--resume', '--cfg-options'] +
                    stop_resume_options(synthetic_data, workers,
                                        seeded=False))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f'data positioned at iteration {step}' in \
        proc.stdout + proc.stderr
    assert sorted(val_steps(work)) == [4, 8]
    assert_same_weights(work / 'iter_8.pth', ref / 'iter_8.pth')
    # images counted over the stop as without it: 8 x the batch
    budgets = [torch.load(path / 'iter_8.pth', weights_only=True)['meta'][
        'compute_budget'] for path in (work, ref)]
    assert budgets[0] == budgets[1] and budgets[0]['images'] == 8 * 4
    # the checkpoint of the signal was replaced by the next one
    assert step not in saved_checkpoints(work)


def test_stop_waits_for_the_gradient_accumulation(synthetic_data,
                                                  tmp_path):
    """accumulative_counts=3, SIGTERM in iteration 1 or 2: the run stops
    after iteration 3 (which applies the accumulated gradients), and the
    resumed run ends with the weights of an uninterrupted one (before: 124
    of 124 tensors differed)."""
    options = stop_resume_options(synthetic_data) + [
        'optim_wrapper.accumulative_counts=3']
    ref = tmp_path / 'reference'
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(ref),
                     '--cfg-options'] + options)
    assert proc.returncode == 0, proc.stderr[-3000:]
    work = tmp_path / 'work'
    proc = start_tool(['tools/train.py', DEMO_CONFIG, '--work-dir',
                       str(work), '--cfg-options'] + options)
    # logged after iteration 1: the stop is agreed after iteration 1 or 2,
    # both inside the first accumulation (a signal two iterations late
    # fails)
    before = read_until(proc, 'Iter(train) [1/8]')
    proc.send_signal(signal.SIGTERM)
    status, out = finish(proc)
    out = before + out
    assert status == 143, out[-3000:]
    assert 'SIGTERM received: stopping after the current gradient ' \
        'accumulation ends' in out, out[-3000:]
    assert f'SIGTERM received: saved {work}/iter_3.pth at iteration 3' in out
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(work),
                     '--resume', '--cfg-options'] +
                    stop_resume_options(synthetic_data, seeded=False) +
                    ['optim_wrapper.accumulative_counts=3'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_same_weights(work / 'iter_8.pth', ref / 'iter_8.pth')


def dist_train(work, data, *extra, seeded=True, env=None):
    args = [DIST_TRAIN, DEMO_CONFIG, '2', '--work-dir', str(work)] + \
        list(extra) + ['--cfg-options'] + stop_resume_options(
            data, seeded=seeded)
    return args, dict(os.environ, PORT=str(free_port()), **(env or {}))


def rank_pids(work_dir):
    from test_dist_train import worker_pids
    return dict((rank, pid) for pid, rank in worker_pids(work_dir))


def test_signal_to_one_rank_stops_both_at_one_iteration(synthetic_data,
                                                        tmp_path):
    """Two gloo ranks; SIGTERM to rank 1's process only: both stop at the
    same iteration with one checkpoint, nobody hangs; the resumed pair
    ends with the weights of an uninterrupted pair."""
    from conftest import helper_env
    ref = tmp_path / 'reference'
    args, env = dist_train(ref, synthetic_data)
    proc = run_tool(args, env={k: env[k] for k in ('PORT',)})
    assert proc.returncode == 0, proc.stderr[-3000:]

    work = tmp_path / 'work'
    args, env = dist_train(work, synthetic_data)
    proc = start_tool(args, env=dict(helper_env(), PORT=env['PORT']))
    before = read_until(proc, 'Iter(train) [2/8]')
    os.kill(rank_pids(work)[1], signal.SIGTERM)
    try:
        status, out = finish(proc, timeout=180)
    except Exception:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    out = before + out
    assert status != 0
    assert not rank_pids(work)
    # the agreement overlaps the next iteration: the stop comes one or two
    # iterations after the signal, the same on both ranks
    said = re.findall(r'SIGTERM received: saved (\S+) at iteration (\d+)',
                      out)
    assert len(said) == 1, out[-3000:]  # rank 0 says it, once
    step = int(said[0][1])
    assert said[0][0] == str(work / f'iter_{step}.pth')
    assert 2 <= step <= 5 and max(saved_checkpoints(work)) == step
    assert (work / 'last_checkpoint').read_text() == said[0][0]
    # torchrun reports each rank's status: 143 from the stop (a stopping
    # rank ignores further signals, so torchrun's own SIGTERM to the
    # slower rank does not kill it first, even while Python shuts down)
    assert out.count('exitcode  : 143') == 2, out[-3000:]

    args, env = dist_train(work, synthetic_data, '--resume', seeded=False)
    proc = run_tool(args, env={'PORT': env['PORT']})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_same_weights(work / 'iter_8.pth', ref / 'iter_8.pth')


def test_stop_signal_to_the_launcher_reaches_every_rank(synthetic_data,
                                                         tmp_path):
    """docker stop and Kubernetes signal the launcher script only: both
    ranks save at one iteration, none is restarted (MAX_RESTARTS=2), and
    the script exits 143 once they are gone."""
    from conftest import helper_env
    work = tmp_path / 'work'
    args, env = dist_train(work, synthetic_data,
                           env=dict(MAX_RESTARTS='2'))
    proc = start_tool(args, env=dict(helper_env(), PORT=env['PORT'],
                                     MAX_RESTARTS='2'))
    before = read_until(proc, 'Iter(train) [2/8]')
    os.kill(proc.pid, signal.SIGTERM)  # the bash script, not its group
    try:
        status, out = finish(proc, timeout=180)
    except Exception:
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    out = before + out
    assert status == 143, out[-3000:]
    assert not rank_pids(work)
    said = re.findall(r'SIGTERM received: saved (\S+) at iteration (\d+)',
                      out)
    assert len(said) == 1, out[-3000:]
    step = int(said[0][1])
    # a restarted group would have resumed and trained on to iter_8.pth
    assert max(saved_checkpoints(work)) == step < 8
    assert 'TERM received: forwarded to every rank' in out


def test_elastic_restart_continues_from_the_newest_checkpoint(
        synthetic_data, tmp_path):
    """torchrun --max-restarts=1 (MAX_RESTARTS=1): rank 1 killed with
    SIGKILL after iteration 4; the group restarts, resumes by itself (no
    --resume given) and trains to the end."""
    from conftest import helper_env
    work = tmp_path / 'work'
    args, env = dist_train(work, synthetic_data)
    proc = start_tool(args, env=dict(helper_env(), PORT=env['PORT'],
                                     MAX_RESTARTS='1'))
    before = read_until(proc, 'Iter(train) [5/8]')
    os.kill(rank_pids(work)[1], signal.SIGKILL)
    killed = time.time()
    status, out = finish(proc, timeout=600)
    out = before + out
    assert status == 0, out[-4000:]
    assert time.time() - killed < 600
    assert 'TORCHELASTIC_RESTART_COUNT=1: a restart of this job, so it ' \
        'resumes' in out
    assert f'resuming from {work}/iter_4.pth' in out
    assert (work / 'iter_8.pth').exists()
    assert sorted(set(val_steps(work))) == [4, 8]


def test_wall_clock_checkpoints_do_not_pile_up(synthetic_data, tmp_path):
    """every_minutes: a checkpoint after every iteration here (a tiny
    interval); each replaces the previous one, and the interval's
    checkpoints stay."""
    work = tmp_path / 'work'
    proc = start_tool(['tools/train.py', DEMO_CONFIG, '--work-dir',
                       str(work), '--cfg-options'] +
                      stop_resume_options(synthetic_data) +
                      ['default_hooks.preemption.every_minutes=0.0001'])
    read_until(proc, 'Iter(train) [6/8]')
    seen = saved_checkpoints(work)
    assert seen in ([4, 5], [4, 6], [4, 5, 6]), seen
    status, out = finish(proc)
    assert status == 0, out[-3000:]
    assert saved_checkpoints(work) == [4, 8]
