"""The wheel without a checkout: a fresh virtualenv with mmscratch's wheel
(its dependencies from this environment) writes a config for a user's data
that inherits the flagship, and trains it with the hooks through the
``mmscratch`` command, from a folder that is not the checkout."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import venv

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow


def sh(args, cwd, env=None, timeout=900):
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, (args, proc.stdout[-2000:],
                                  proc.stderr[-3000:])
    return proc


@pytest.fixture(scope='module')
def fresh_env(tmp_path_factory):
    """(bin folder, environment variables) of a virtualenv holding only the
    wheel; the dependencies come from a .pth line (this environment's
    site-packages, whose own .pth files, the editable install's among
    them, are not read that way)."""
    tmp = tmp_path_factory.mktemp('wheel')
    sh([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps',
        '--no-build-isolation', ROOT, '-w', str(tmp / 'dist')], cwd=tmp)
    wheel, = glob.glob(str(tmp / 'dist' / 'mmscratch-*.whl'))
    venv.create(tmp / 'venv', with_pip=False)
    python = str(tmp / 'venv' / 'bin' / 'python')
    purelib = sh([python, '-c', 'import sysconfig; print(sysconfig.'
                  'get_paths()["purelib"])'], cwd=tmp).stdout.strip()
    deps = [p for p in sys.path if osp.basename(p) in (
        'site-packages', 'dist-packages')]
    with open(osp.join(purelib, 'deps.pth'), 'w') as f:
        f.write('\n'.join(deps) + '\n')
    sh([sys.executable, '-m', 'pip', '--python', python, 'install', '-q',
        '--no-deps', wheel], cwd=tmp)
    env = {k: v for k, v in os.environ.items()
           if k not in ('VIRTUAL_ENV', 'PYTHONPATH')}
    env['PATH'] = str(tmp / 'venv' / 'bin') + os.pathsep + env['PATH']
    return tmp, python, env


def test_wheel_holds_configs_and_tools(fresh_env):
    tmp, python, env = fresh_env
    found = sh([python, '-c', 'import mmscratch, mmscratch.utils.checkout '
                'as c; print(mmscratch.__file__); print(c.REPO)'],
               cwd=tmp, env=env).stdout.split()
    assert found[0].startswith(str(tmp / 'venv')), found
    assert found[1].endswith(osp.join('mmscratch', '.mim'))
    for path in ('configs/scratch/mask_rcnn_r50_gn_6x.py',
                 'configs/_base_/default_runtime.py',
                 'configs/studies/demo_synthetic.py', 'tools/train.py',
                 'tools/dist_train.sh', 'tools/launch.sh',
                 'tools/dataset/new_config.py'):
        assert osp.isfile(osp.join(found[1], path)), path
    assert osp.isfile(osp.join(found[1], 'model-index.yml'))


def test_own_data_config_inherits_the_flagship_and_trains(fresh_env):
    tmp, _, env = fresh_env
    user = tmp / 'user'
    user.mkdir()
    sh(['mmscratch', 'make-synthetic-coco', 'data', '--train', '8',
        '--val', '4', '--size', '64', '96', '--seed', '1'], user, env)
    proc = sh(['mmscratch', 'new-config', '--train-ann',
               'data/annotations/instances_train.json', '--train-img',
               'data/train', '--val-ann', 'data/annotations/instances_val'
               '.json', '--val-img', 'data/val', '--out', 'mine.py',
               '--epochs', '1'], user, env)
    assert 'mmscratch train mine.py --check-only' in proc.stdout
    text = (user / 'mine.py').read_text()
    assert "mmscratch/.mim/configs/scratch/mask_rcnn_r50_gn_6x.py'" in text
    sh(['mmscratch', 'train', 'mine.py', '--check-only'], user, env)
    # the documented hand-written form: the flagship by its scope
    scoped = text.replace(text.split("_base_ = '")[1].split("'")[0],
                          'mmscratch::scratch/mask_rcnn_r50_gn_6x.py')
    (user / 'scoped.py').write_text(scoped)
    proc = sh(['mmscratch', 'train', 'scoped.py', '--work-dir', 'work',
               '--cfg-options', 'train_cfg.max_iters=2',
               'train_cfg.val_interval=2',
               'default_hooks.checkpoint.interval=2'], user, env)
    out = proc.stdout + proc.stderr
    assert 'scratch audit: the run trains from scratch' in out
    assert 'Traceback' not in out and 'Failed to search registry' not in out
    assert (user / 'work' / 'iter_2.pth').is_file()
    scalars, = glob.glob(str(user / 'work' / '*' / 'vis_data' /
                             'scalars.json'))
    with open(scalars) as f:
        records = [json.loads(line) for line in f]
    # ComputeBudgetHook counted the images, the validation ran
    assert any(r.get('budget/images') == 2 * 2 for r in records), records
    assert any('coco/bbox_mAP' in r for r in records)
