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
from mmscratch.runs import read_run

pytestmark = pytest.mark.slow


def blocking_config(config):
    """``config`` with the helper that blocks the write of iter_8.pth."""
    path = config[:-3] + '_blocking.py'
    with open(path, 'w') as f:
        f.write(f"_base_ = '{config}'\ncustom_imports = dict(imports=["
                "'mmscratch', 'block_checkpoint_fsync'], "
                "allow_failed_imports=False)\n")
    return path


@pytest.fixture(scope='module')
def config(tmp_path_factory):
    """The demo config (RandomFlip), under a name of its own."""
    path = tmp_path_factory.mktemp('cfg') / 'flip.py'
    path.write_text(f"_base_ = '{DEMO_CONFIG}'\n")
    return str(path)


def options(data, persistent=True, seeded=True):
    """Two loader workers. A resumed run is not given the seed: it must
    continue the run's streams whatever seed its process drew."""
    return data_options(data) + (['randomness.seed=0'] if seeded else []) + [
        'train_dataloader.num_workers=2',
        f'train_dataloader.persistent_workers={persistent}',
        'train_cfg.max_iters=12', 'train_cfg.val_interval=12',
        'default_hooks.checkpoint.interval=4',
        'default_hooks.checkpoint.max_keep_ckpts=-1',
        'default_hooks.logger.interval=1',
        'model.test_cfg.rcnn.score_thr=0.0',  # non-empty metrics at 12 it
    ]


def start(config, work_dir, data, persistent, resume=False):
    """tools/train.py in the background (resumed runs without the seed),
    in a session of its own so that a kill reaches its loader workers too,
    as a crash of the machine would."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [ROOT, osp.join(ROOT, 'tests', 'helpers')]))
    cmd = [sys.executable, osp.join(ROOT, 'tools/train.py'), config,
           '--work-dir', str(work_dir)] + (['--resume'] if resume else []) \
        + ['--cfg-options'] + options(data, persistent, seeded=not resume)
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def kill(proc):
    """SIGKILL the run and its loader workers."""
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


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


@pytest.fixture(scope='module')
def reference(synthetic_data, config, tmp_path_factory):
    """The uninterrupted run (seed fixed so the crashed runs can match)."""
    ref = tmp_path_factory.mktemp('reference')
    proc = run_tool(['tools/train.py', config, '--work-dir', str(ref),
                     '--cfg-options'] + options(synthetic_data))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return ref


@pytest.mark.parametrize('persistent', [True, False])
def test_sigkill_then_resume_equals_uninterrupted(synthetic_data, tmp_path,
                                                   config, reference,
                                                   persistent):
    """RandomFlip, 2 loader workers: killed after a checkpoint, killed while
    writing one, resumed: the same weights and metrics, bit for bit."""
    ref = reference

    work = tmp_path / 'crashed'
    # 1. killed after a checkpoint was written
    proc = start(config, work, synthetic_data, persistent)
    wait_for(lambda: (work / 'iter_4.pth').exists() and
             (work / 'last_checkpoint').exists(), proc)
    kill(proc)
    assert (work / 'iter_4.pth').exists()

    # 2. resumed, and killed while writing the next checkpoint: a helper
    # blocks the write of iter_8 after its bytes, before its rename
    proc = start(blocking_config(config), work, synthetic_data, persistent,
                 resume=True)
    assert wait_for(lambda: (work / 'blocked').exists(), proc), \
        proc.stderr.read()[-2000:]
    assert glob.glob(str(work / '.iter_8.pth.*.tmp'))
    kill(proc)
    assert not (work / 'iter_8.pth').exists()
    assert (work / 'last_checkpoint').read_text().endswith('iter_4.pth')
    # a truncated checkpoint that last_checkpoint names is skipped too
    partial = work / 'iter_8.pth'
    partial.write_bytes((work / 'iter_4.pth').read_bytes()[:10000])
    (work / 'last_checkpoint').write_text(str(partial))

    # 3. resumed to the end
    proc = run_tool(['tools/train.py', config, '--work-dir', str(work),
                     '--resume', '--cfg-options'] +
                    options(synthetic_data, persistent, seeded=False))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'resuming from' in proc.stderr
    assert 'data positioned at iteration 4' in proc.stdout + proc.stderr
    final, expected = weights(work / 'iter_12.pth'), weights(
        ref / 'iter_12.pth')
    assert final.keys() == expected.keys()
    for key in expected:
        assert torch.equal(final[key], expected[key]), key
    got, want = read_run(str(work)).val[-1], read_run(str(ref)).val[-1]
    assert {k: v for k, v in got.items() if k.startswith('coco/')} == \
        {k: v for k, v in want.items() if k.startswith('coco/')}
    assert 'coco/bbox_mAP' in want
