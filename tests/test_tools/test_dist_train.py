"""tools/dist_train.sh runs two CPU processes (gloo) to completion."""
import os
import os.path as osp
import signal
import socket
import subprocess
import time

import pytest

from conftest import DEMO_CONFIG, ROOT, data_options, run_tool

pytestmark = pytest.mark.slow


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_dist_train_two_cpu_processes(synthetic_data, tmp_path):
    work_dir = str(tmp_path / 'work')
    proc = run_tool(
        [osp.join(ROOT, 'tools/dist_train.sh'), DEMO_CONFIG, '2',
         '--work-dir', work_dir, '--cfg-options'] + data_options(
             synthetic_data) + [
                 'train_cfg.max_iters=4', 'train_cfg.val_interval=4',
                 'default_hooks.checkpoint.interval=4',
                 'default_hooks.logger.interval=1',
                 'val_dataloader.batch_size=4'],
        env=dict(PORT=str(free_port())))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert 'Distributed training: True' in out
    assert osp.isfile(osp.join(work_dir, 'iter_4.pth'))
    # 12 val images at batch 4: one process would run 3 val iterations,
    # each of two ranks runs 2 (the sampler splits the data between them)
    assert 'Iter(val) [2/2]' in out and 'Iter(val) [3/3]' not in out


def worker_pids(work_dir):
    """(pid, LOCAL_RANK) of the training processes of a work dir."""
    found = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            cmd = open(f'/proc/{pid}/cmdline', 'rb').read().split(b'\0')
            env = open(f'/proc/{pid}/environ', 'rb').read().split(b'\0')
        except OSError:
            continue
        if str(work_dir).encode() in cmd and b'tools/train.py' in b' '.join(
                cmd) and not any(b'torch.distributed.run' in c for c in cmd):
            rank = [e.split(b'=', 1)[1] for e in env
                    if e.startswith(b'LOCAL_RANK=')]
            if rank:
                found.append((int(pid), int(rank[0])))
    return found


def test_killed_worker_ends_the_job_then_resume(synthetic_data, tmp_path):
    work_dir = tmp_path / 'work'
    opts = data_options(synthetic_data) + [
        'train_cfg.val_begin=1000', 'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1']
    cmd = [osp.join(ROOT, 'tools/dist_train.sh'), DEMO_CONFIG, '2',
           '--work-dir', str(work_dir), '--cfg-options',
           'train_cfg.max_iters=400'] + opts
    env = dict(os.environ, PORT=str(free_port()),
               PYTHONPATH=ROOT + os.pathsep + os.environ.get('PYTHONPATH',
                                                             ''))
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while not (work_dir / 'iter_2.pth').exists():
        assert proc.poll() is None and time.time() < deadline
        time.sleep(0.5)
    victims = [pid for pid, rank in worker_pids(work_dir) if rank == 1]
    assert victims
    os.kill(victims[0], signal.SIGKILL)
    killed = time.time()
    try:
        code = proc.wait(timeout=120)  # bounded: no hang on the other rank
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail('the job hung after a worker was killed')
    assert code != 0
    assert time.time() - killed < 120
    assert not worker_pids(work_dir)  # the other rank is gone too

    done = run_tool([osp.join(ROOT, 'tools/dist_train.sh'), DEMO_CONFIG,
                     '2', '--work-dir', str(work_dir), '--resume',
                     '--cfg-options', 'train_cfg.max_iters=6'] + opts,
                    env=dict(PORT=str(free_port())))
    assert done.returncode == 0, done.stderr[-2000:]
    assert (work_dir / 'iter_6.pth').exists()


def test_launcher_checks_gpus_port_and_input_in_one_line(tmp_path):
    """Bad GPUS or PORT, a port in use, and bad input (checked once,
    before the ranks start) each give one line and exit status 2."""
    script = osp.join(ROOT, 'tools/dist_train.sh')
    with socket.socket() as busy:
        busy.bind(('127.0.0.1', 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        for gpus, env, expected in (
                ('0', {}, "GPUS='0' must be the number of processes"),
                ('two', {}, "GPUS='two' must be"),
                ('1', dict(PORT='http'), "PORT='http' is not a port"),
                ('1', dict(PORT=port), f'port {port} is in use')):
            proc = run_tool([script, DEMO_CONFIG, gpus], env=env)
            assert proc.returncode == 2, proc.stderr
            assert proc.stderr.strip().splitlines() == [
                proc.stderr.strip()], proc.stderr
            assert expected in proc.stderr
    proc = run_tool([script, DEMO_CONFIG, '2', '--work-dir',
                     str(tmp_path / 'w'), '--cfg-options',
                     'train_dataloader.batch_size=0'],
                    env=dict(PORT=str(free_port())))
    assert proc.returncode == 2
    assert proc.stderr.strip() == ('error: --cfg-options train_dataloader.'
                                   'batch_size=0: batch_size must be a '
                                   'whole number, at least 1')
