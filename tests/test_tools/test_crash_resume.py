"""SIGKILL during training, and while a checkpoint is written; --resume."""
import glob
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest
import torch

from conftest import DEMO_CONFIG, ROOT, data_options, run_tool
from mmscratch.analysis import read_run

pytestmark = pytest.mark.slow


# deterministic: no random flip (the loader runs in the main process)
CONFIG_TEXT = f'''_base_ = '{DEMO_CONFIG}'
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
    dict(type='Resize', scale=(128, 128), keep_ratio=True),
    dict(type='PackDetInputs')]))
'''


@pytest.fixture
def config(tmp_path):
    path = tmp_path / 'deterministic.py'
    path.write_text(CONFIG_TEXT)
    return str(path)


def options(data):
    return data_options(data) + [
        'train_cfg.max_iters=12', 'train_cfg.val_interval=12',
        'default_hooks.checkpoint.interval=4',
        'default_hooks.checkpoint.max_keep_ckpts=-1',
        'default_hooks.logger.interval=1', 'randomness.seed=0',
        'model.test_cfg.rcnn.score_thr=0.0',  # non-empty metrics at 12 it
    ]


def start(config, work_dir, data, resume=False):
    env = dict(os.environ, PYTHONPATH=ROOT)
    cmd = [sys.executable, osp.join(ROOT, 'tools/train.py'), config,
           '--work-dir', str(work_dir)] + (['--resume'] if resume else []) \
        + ['--cfg-options'] + options(data)
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)


def wait_for(predicate, proc, timeout=300, poll=0.005):
    end = time.time() + timeout
    while time.time() < end:
        if predicate():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(poll)
    raise TimeoutError


def weights(path):
    return torch.load(path, weights_only=False)['state_dict']


def test_sigkill_then_resume_equals_uninterrupted(synthetic_data, tmp_path,
                                                   config):
    ref = tmp_path / 'ref'
    proc = run_tool(['tools/train.py', config, '--work-dir', str(ref),
                     '--cfg-options'] + options(synthetic_data))
    assert proc.returncode == 0, proc.stderr[-2000:]

    work = tmp_path / 'crashed'
    # 1. killed after a checkpoint was written
    proc = start(config, work, synthetic_data)
    wait_for(lambda: (work / 'iter_4.pth').exists() and
             (work / 'last_checkpoint').exists(), proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (work / 'iter_4.pth').exists()

    # 2. resumed, and killed while writing the next checkpoint
    proc = start(config, work, synthetic_data, resume=True)
    caught = wait_for(
        lambda: glob.glob(str(work / '.iter_8.pth.*.tmp')), proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if caught:  # killed mid-write: the final name never appeared
        assert not (work / 'iter_8.pth').exists() or \
            open(work / 'last_checkpoint').read().endswith('iter_8.pth')
    # a truncated checkpoint that last_checkpoint names is skipped too
    partial = work / 'iter_8.pth'
    if not partial.exists():
        partial.write_bytes((work / 'iter_4.pth').read_bytes()[:10000])
        (work / 'last_checkpoint').write_text(str(partial))

    # 3. resumed to the end
    proc = run_tool(['tools/train.py', config, '--work-dir', str(work),
                     '--resume', '--cfg-options'] + options(synthetic_data))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'resuming from' in proc.stderr
    final, expected = weights(work / 'iter_12.pth'), weights(
        ref / 'iter_12.pth')
    assert final.keys() == expected.keys()
    for key in expected:
        assert torch.equal(final[key], expected[key]), key
    got, want = read_run(str(work)).val[-1], read_run(str(ref)).val[-1]
    assert {k: v for k, v in got.items() if k.startswith('coco/')} == \
        {k: v for k, v in want.items() if k.startswith('coco/')}
    assert 'coco/bbox_mAP' in want
