"""Checkpoints through the tools: hostile, foreign, legitimate, full disk."""
import io
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest
import torch

from conftest import (DEMO_CONFIG, ROOT, helper_config, helper_env,
                      run_tool, tiny_train_options)
from hostile_files import (PAYLOADS, STOCK_TORCH_CRASHES, STOCK_TORCH_SLOW,
                           STOCK_TORCH_UNSTABLE)

pytestmark = pytest.mark.slow
# resume_auto: --resume without a path, the file being the work dir's
# newest checkpoint (what an automatic restart loads)
ENTRY_POINTS = ('test', 'resume', 'load_from', 'resume_auto')


# hostile files are read under this address-space limit (the tools need
# about 3 GB of address space to start) and within this time
MEMORY_LIMIT = 4 << 30
TIME_LIMIT = 60


def run_with_checkpoint(entry, path, data, work):
    opts = ['--cfg-options'] + tiny_train_options(data, iters=3)
    if entry == 'test':
        args = ['tools/test.py', DEMO_CONFIG, path, '--work-dir', work] + opts
    elif entry == 'resume':
        args = ['tools/train.py', DEMO_CONFIG, '--work-dir', work,
                '--resume', path] + opts
    elif entry == 'resume_auto':
        os.makedirs(work, exist_ok=True)
        newest = osp.join(work, 'iter_2.pth')
        shutil.copy(path, newest)
        with open(osp.join(work, 'last_checkpoint'), 'w') as f:
            f.write(newest)
        path = newest
        args = ['tools/train.py', DEMO_CONFIG, '--work-dir', work,
                '--resume'] + opts
    else:
        args = ['tools/train.py', DEMO_CONFIG, '--work-dir', work] + opts + \
            [f'load_from={path}']
    return run_limited(args)


def run_limited(args, timeout=TIME_LIMIT):
    """A tool of the repo under the address-space and time limits."""
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep +
               os.environ.get('PYTHONPATH', ''))
    return subprocess.run(
        ['prlimit', f'--as={MEMORY_LIMIT}', sys.executable] + args, cwd=ROOT,
        env=env, capture_output=True, text=True, timeout=timeout)


def assert_one_line_refusal(proc, path, auto=False):
    """Exit 2, one error line naming ``path``; ``auto``: --resume without a
    path, which skips the damaged newest checkpoint (one warning) and
    finds no other."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert 'Traceback' not in proc.stderr
    lines = proc.stderr.splitlines()
    errors = [ln for ln in lines if 'error' in ln.lower() and
              not ln.startswith(f'warning: skipping {path}: checkpoint ')]
    assert len(errors) == 1, errors
    last = proc.stderr.strip().splitlines()[-1]
    start = f'error: every checkpoint in {osp.dirname(path)} is damaged ' \
        '(the newest: checkpoint ' if auto else 'error: checkpoint '
    assert last.startswith(start) and path in last, last


@pytest.mark.parametrize('entry', ENTRY_POINTS)
@pytest.mark.parametrize('name', sorted(PAYLOADS))
def test_hostile_file_through_the_tools(tmp_path, synthetic_data, name,
                                        entry):
    path = str(tmp_path / f'{name}.pth')
    marker = tmp_path / 'payload_ran'
    PAYLOADS[name](path, str(marker))
    work = str(tmp_path / 'work')
    proc = run_with_checkpoint(entry, path, synthetic_data, work)
    if entry == 'resume_auto':
        path = osp.join(work, 'iter_2.pth')
    assert_one_line_refusal(proc, path, auto=entry == 'resume_auto')
    assert not marker.exists()
    if entry == 'resume_auto':  # nothing deleted
        assert {'iter_2.pth', 'last_checkpoint'} <= set(os.listdir(work))


PLAIN_LOAD = '''
import sys, torch
if sys.argv[1] == 'import':
    import mmscratch  # noqa: F401
for path in sys.argv[2:]:
    try:
        torch.load(path)
        print(path, 'loaded')
    except Exception as err:
        print(path, type(err).__name__)
'''


def test_plain_torch_load_is_unchanged_by_the_import(tmp_path):
    files = []
    for name, make in sorted(PAYLOADS.items()):
        if name in STOCK_TORCH_CRASHES | STOCK_TORCH_UNSTABLE | \
                STOCK_TORCH_SLOW:
            continue
        files.append(str(tmp_path / f'{name}.pth'))
        make(files[-1], str(tmp_path / 'payload_ran'))
    outcomes = {}
    for mode in ('plain', 'import'):
        proc = subprocess.run(
            [sys.executable, '-c', PLAIN_LOAD, mode] + files, cwd=ROOT,
            capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]  # no crash signal
        outcomes[mode] = proc.stdout
    assert outcomes['plain'] == outcomes['import']
    assert len(outcomes['plain'].splitlines()) == len(files)
    assert not (tmp_path / 'payload_ran').exists()


def test_our_checkpoint_loads_under_stock_weights_only(trained_run):
    path = osp.join(trained_run, 'iter_2.pth')
    code = ('import sys, torch; c = torch.load(sys.argv[1], '
            'weights_only=True); print(sorted(c), "mmscratch" in '
            'sys.modules)')
    proc = subprocess.run([sys.executable, '-c', code, path],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "'message_hub', 'meta', 'optimizer', 'param_schedulers', " \
        "'state_dict'] False" in proc.stdout
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_numpy1_mmengine_checkpoint_resumes(trained_run, synthetic_data,
                                            tmp_path):
    """Our real checkpoint as stock mmengine under numpy 1.x writes it."""
    from mmengine.runner.checkpoint import _load_checkpoint

    from mmscratch.engine.hooks.plain_checkpoint_hook import plain_to_buffer
    from test_plain_reader import renamed_numpy_module
    ckpt = _load_checkpoint(osp.join(trained_run, 'iter_2.pth'))
    hub = ckpt['message_hub']
    hub['log_scalars'] = {k: plain_to_buffer(v)
                          for k, v in hub['log_scalars'].items()}
    buffer = io.BytesIO()
    torch.save(ckpt, buffer)
    path = tmp_path / 'numpy1.pth'
    path.write_bytes(renamed_numpy_module(buffer.getvalue()))
    work = tmp_path / 'work'
    proc = run_with_checkpoint('resume', str(path), synthetic_data,
                               str(work))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (work / 'iter_3.pth').is_file()
    proc = run_with_checkpoint('test', str(path), synthetic_data,
                               str(tmp_path / 'test'))
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_state_dict_only_file_tests(trained_run, synthetic_data, tmp_path):
    from mmengine.runner.checkpoint import _load_checkpoint
    state = _load_checkpoint(osp.join(trained_run, 'iter_2.pth'))
    path = str(tmp_path / 'zoo_style.pth')
    torch.save(state['state_dict'], path)
    proc = run_with_checkpoint('test', path, synthetic_data,
                               str(tmp_path / 'work'))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'coco/bbox_mAP' in proc.stdout + proc.stderr


def test_a_checkpoint_of_another_model_is_refused(trained_run,
                                                  synthetic_data, tmp_path):
    """R18 weights under an R50 backbone: one line with the match count."""
    proc = run_tool(['tools/test.py', DEMO_CONFIG,
                     osp.join(trained_run, 'iter_2.pth'), '--work-dir',
                     str(tmp_path / 'work'), '--cfg-options',
                     'model.backbone.depth=50',
                     'model.neck.in_channels=[256,512,1024,2048]'] +
                    tiny_train_options(synthetic_data))
    assert proc.returncode == 2, proc.stderr[-2000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert 'Traceback' not in proc.stderr
    assert 'fits' in last and 'of the model\'s' in last and \
        'of another shape' in last


def test_weights_of_nothing_are_refused(synthetic_data, tmp_path):
    path = str(tmp_path / 'empty.pth')
    torch.save(dict(state_dict={}, meta={}), path)
    proc = run_with_checkpoint('test', path, synthetic_data,
                               str(tmp_path / 'work'))
    assert proc.returncode == 2
    assert 'fits 0 of the model' in proc.stderr


@pytest.fixture
def small_tmpfs(tmp_path, trained_run):
    """A tmpfs of 1.5 demo checkpoints: room for one, not for the
    temporary file of a second."""
    mount = tmp_path / 'tmpfs'
    mount.mkdir()
    size = os.path.getsize(os.path.join(trained_run, 'iter_2.pth'))
    proc = subprocess.run(['mount', '-t', 'tmpfs', '-o',
                           f'size={int(size * 1.5) // 2**20 + 1}m', 'tmpfs',
                           str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip('cannot mount a tmpfs here (needs root): '
                    + proc.stderr.decode().strip())
    yield mount
    subprocess.run(['umount', str(mount)], check=False)


def test_full_disk_stops_in_one_line_and_keeps_the_last_checkpoint(
        small_tmpfs, synthetic_data):
    work = small_tmpfs / 'work'
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(work),
                     '--cfg-options'] + tiny_train_options(synthetic_data, 4)
                    + ['default_hooks.checkpoint.interval=2',
                       'default_hooks.checkpoint.max_keep_ckpts=1'])
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'Traceback' not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('error: cannot write checkpoint ') and \
        'iter_4.pth' in last and 'No space left on device' in last and \
        'iter_2.pth) is intact' in last
    assert (work / 'last_checkpoint').read_text() == \
        str(work / 'iter_2.pth')
    assert not [p for p in os.listdir(work) if p.endswith('.tmp')]
    assert not (work / 'iter_4.pth').exists()
    from mmscratch.checkpoint import load_local_checkpoint
    assert load_local_checkpoint(str(work / 'iter_2.pth'))['meta'][
        'iter'] == 2


def test_tools_test_reads_the_checkpoint_once(synthetic_data, trained_run,
                                              tmp_path):
    """The weight-fit check runs on the file runner.test() loads."""
    path = osp.join(trained_run, 'iter_2.pth')
    env = helper_env(COUNT_READS_OF=path)
    one_load = subprocess.run(
        [sys.executable, '-c', 'import sys, mmscratch, '
         'count_checkpoint_reads; from mmscratch.checkpoint import '
         'load_local_checkpoint; load_local_checkpoint(sys.argv[1])', path],
        cwd=ROOT, capture_output=True, text=True, env=env)
    opens = one_load.stderr.strip().splitlines()[-1]  # 'opened N times'
    assert opens.startswith('opened ') and not opens.startswith('opened 0')
    config = helper_config(DEMO_CONFIG, tmp_path, 'count_checkpoint_reads')
    proc = subprocess.run(
        [sys.executable, 'tools/test.py', config, path, '--work-dir',
         str(tmp_path / 'work'), '--cfg-options'] +
        tiny_train_options(synthetic_data, iters=3), cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stderr.strip().splitlines()[-1] == opens
