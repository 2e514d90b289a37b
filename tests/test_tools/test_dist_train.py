"""tools/dist_train.sh runs two CPU processes (gloo) to completion."""
import os.path as osp
import socket

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
                 'default_hooks.logger.interval=1'],
        env=dict(PORT=str(free_port())))
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert 'Distributed training: True' in out
    assert osp.isfile(osp.join(work_dir, 'iter_4.pth'))
    # 12 val images at batch 4: one process would run 3 val iterations,
    # each of two ranks runs 2 (the sampler splits the data between them)
    assert 'Iter(val) [2/2]' in out and 'Iter(val) [3/3]' not in out
