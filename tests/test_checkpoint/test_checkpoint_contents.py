"""What a loaded checkpoint's contents, and the work-dir files a resume
reads, make the tools do: real runs of the tools under an address-space
limit and a time limit."""
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import pytest
import torch

from conftest import DEMO_CONFIG, ROOT, tiny_train_options
from hostile_files import PAYLOADS
from test_tools_with_checkpoints import (MEMORY_LIMIT, TIME_LIMIT,
                                         assert_one_line_refusal,
                                         run_limited, run_with_checkpoint)

pytestmark = pytest.mark.slow


def edited(trained_run, path, edit):
    """The trained run's checkpoint with ``edit`` applied, saved at
    ``path``."""
    ckpt = torch.load(osp.join(trained_run, 'iter_2.pth'), weights_only=True)
    edit(ckpt)
    torch.save(ckpt, path)
    return str(path)


def _del(*keys):
    def edit(ckpt):
        node = ckpt
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]
    return edit


def _set(value, *keys):
    def edit(ckpt):
        node = ckpt
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return edit


def _cfg_text(text):
    def edit(ckpt):
        ckpt['meta']['cfg'] = text
        del ckpt['meta']['model_identity']  # so that the text is read
    return edit


# a real checkpoint with one field changed: (edit, what --resume does)
REFUSED = 'refused'
ONE_FIELD = {
    'log buffer without log_history': (
        _set({'__history_buffer__': True}, 'message_hub', 'log_scalars',
             'train/loss'), REFUSED),
    'meta without epoch': (_del('meta', 'epoch'), 'has no meta.epoch'),
    'message_hub empty': (_set({}, 'message_hub'), REFUSED),
    'seed 2**40': (_set(2 ** 40, 'meta', 'seed'), REFUSED),
    'rng_state python 1': (_set({'python': 1}, 'meta', 'rng_state'),
                           REFUSED),
    'iter 10**30': (_set(10 ** 30, 'meta', 'iter'), REFUSED),
    'keep_ckpt_ids of names': (
        _set([100, 'victim', 'dir', 2, 2], 'message_hub', 'runtime_info',
             'keep_ckpt_ids'), REFUSED),
    'optimizer state keyed by a name': (
        _set({'a': [1]}, 'optimizer', 'state'), REFUSED),
    '4000-digit hex int in cfg': (
        _cfg_text('model = dict(type="MaskRCNN", n=0x' + 'f' * 4000 + ')'),
        'resumed'),
    'backbone=[1] in cfg': (
        _cfg_text('model = dict(type="MaskRCNN", backbone=[1])'),
        'cannot resume'),
    '4 MB flat list in cfg': (_cfg_text('x = [' + '1,' * (2 << 20) + ']'),
                              'resumed'),
}


@pytest.mark.parametrize('case', sorted(ONE_FIELD))
def test_one_changed_field_through_resume(case, trained_run, synthetic_data,
                                          tmp_path):
    edit, outcome = ONE_FIELD[case]
    path = edited(trained_run, tmp_path / 'edited.pth', edit)
    proc = run_with_checkpoint('resume', path, synthetic_data,
                               str(tmp_path / 'work'))
    assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    if outcome == 'resumed':
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert (tmp_path / 'work' / 'iter_3.pth').is_file()
        return
    assert proc.returncode == 2, proc.stderr[-3000:]
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('error: ')
    if outcome == REFUSED:
        assert_one_line_refusal(proc, path)
    else:
        assert outcome in last, last
    assert not (tmp_path / 'work' / 'iter_3.pth').exists()


def test_unreadable_checkpoint_is_one_line(trained_run, synthetic_data,
                                           tmp_path):
    """A file the process may not read (mode 000, not root) or a folder in
    place of a file."""
    path = tmp_path / 'ckpt.pth'
    path.mkdir()
    proc = run_with_checkpoint('resume', str(path), synthetic_data,
                               str(tmp_path / 'work'))
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr
    assert 'is a folder' in proc.stderr.strip().splitlines()[-1]


def _resume_in(work, data, *options, timeout=TIME_LIMIT * 3):
    args = ['tools/train.py', DEMO_CONFIG, '--work-dir', str(work),
            '--resume', '--cfg-options'] + \
        tiny_train_options(data, iters=4) + [
            'default_hooks.checkpoint.interval=2',
            'train_cfg.val_interval=2'] + list(options)
    return run_limited(args, timeout)


def _work_dir_of(trained_run, work, ckpt_edit=None):
    """A work dir holding the trained run's iter_2.pth (edited) and its
    last_checkpoint."""
    work.mkdir()
    target = work / 'iter_2.pth'
    if ckpt_edit is None:
        shutil.copy(osp.join(trained_run, 'iter_2.pth'), target)
    else:
        edited(trained_run, target, ckpt_edit)
    (work / 'last_checkpoint').write_text(str(target))
    return target


def test_retention_never_deletes_files_the_run_did_not_write(
        trained_run, synthetic_data, tmp_path):
    """keep_ckpt_ids from the checkpoint names a keep_iters step and steps
    beyond the run; a best checkpoint path names a folder elsewhere."""
    victim = tmp_path / 'victim'
    victim.mkdir()
    (victim / 'data.txt').write_text('precious')
    work = tmp_path / 'work'

    def edit(ckpt):
        info = ckpt['message_hub']['runtime_info']
        info['keep_ckpt_ids'] = [100, 7, 2, 2]
        info['best_ckpt'] = str(victim)
    _work_dir_of(trained_run, work, edit)
    shutil.copy(work / 'iter_2.pth', work / 'iter_100.pth')
    (work / 'iter_7.pth').write_text('not ours')
    proc = _resume_in(work, synthetic_data,
                      'default_hooks.checkpoint.max_keep_ckpts=1',
                      'default_hooks.checkpoint.keep_iters=[100]',
                      'default_hooks.checkpoint.save_best=coco/bbox_mAP',
                      'default_hooks.checkpoint.rule=greater')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (victim / 'data.txt').read_text() == 'precious'
    assert (work / 'iter_100.pth').is_file()  # a keep_iters step
    assert (work / 'iter_7.pth').read_text() == 'not ours'  # not reached
    assert (work / 'iter_4.pth').is_file()
    assert not (work / 'iter_2.pth').exists()  # its own, retired
    assert [p for p in os.listdir(work) if p.startswith('best_')]


def test_keep_ckpt_ids_of_names_delete_nothing(trained_run, synthetic_data,
                                               tmp_path):
    work = tmp_path / 'work'
    _work_dir_of(trained_run, work, _set([100, 'victim', 'dir', 2, 2],
                                         'message_hub', 'runtime_info',
                                         'keep_ckpt_ids'))
    (work / 'iter_victim.pth').write_text('x')
    (work / 'iter_dir.pth').mkdir()
    before = sorted(os.listdir(work))
    proc = _resume_in(work, synthetic_data,
                      'default_hooks.checkpoint.max_keep_ckpts=1')
    assert proc.returncode == 2 and 'Traceback' not in proc.stderr
    assert 'keep_ckpt_ids' in proc.stderr.strip().splitlines()[-1]
    assert set(before) <= set(os.listdir(work))  # nothing deleted


def _nul_entry(work):
    (work / 'last_checkpoint').write_bytes(b'iter_2\x00.pth')


def _huge_entry(work):
    with open(work / 'last_checkpoint', 'wb') as f:
        f.truncate(1 << 30)  # 1 GiB (sparse)


def _truncated_convergence_state(work):
    (work / 'convergence_state.json').write_text('{"history": [{"x": 2')


def _scalars(content):
    def damage(work):
        folder = work / '20240101_000000' / 'vis_data'
        folder.mkdir(parents=True)
        (folder / 'scalars.json').write_bytes(content)
    return damage


def _interrupted_write(work):
    (work / '.iter_3.pth.0badc0de.tmp').write_bytes(b'PK\x03\x04partial')


WORK_DIR_FILES = {
    'temporary file of a killed write': (
        _interrupted_write, 'removed 1 temporary file(s) of an interrupted '
        'checkpoint write'),
    'last_checkpoint with a NUL byte': (_nul_entry, 'does not hold a path'),
    'last_checkpoint of 1 GiB': (_huge_entry, 'does not hold a path'),
    'truncated convergence_state.json': (_truncated_convergence_state,
                                         'convergence_state.json is damaged'),
    'scalars.json with invalid UTF-8': (
        _scalars(b'{"step": 2, "coco/bbox_mAP": 0.1}\n\xff\xfe\n'), ''),
    'scalars.json with a 5000-digit step': (
        _scalars(b'{"step": ' + b'9' * 5000 + b', "coco/bbox_mAP": 1}\n'),
        ''),
}


@pytest.mark.parametrize('case', sorted(WORK_DIR_FILES))
def test_damaged_work_dir_files_of_resume(case, trained_run, synthetic_data,
                                          tmp_path):
    damage, warning = WORK_DIR_FILES[case]
    work = tmp_path / 'work'
    _work_dir_of(trained_run, work)
    damage(work)
    proc = _resume_in(work, synthetic_data)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr
    assert warning in proc.stderr + proc.stdout
    assert (work / 'iter_4.pth').is_file()
    assert not list(work.glob('.*.tmp'))


READ_ALL = '''
import json, resource, sys, time
import mmscratch  # noqa: F401
from mmscratch.checkpoint import load_local_checkpoint
from mmscratch.utils.errors import UserInputError
out = {}
for path in sys.argv[1:]:
    start = time.perf_counter()
    try:
        load_local_checkpoint(path)
        outcome = 'loaded'
    except UserInputError as err:
        outcome = str(err)
    out[path] = (outcome, time.perf_counter() - start)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(files=out, peak_kb=peak)))
'''

THIRD_ROUND = ('stride_zero_view', 'shared_list_in_message',
               'shared_list_expansion', 'colliding_int_keys',
               'size_of_shared_list', 'bytearray_claim', 'escape_in_name',
               'metadata_not_a_dict', 'self_holding_list')


def test_crafted_contents_are_refused_within_bounds(tmp_path):
    """Each refused in under 5 s (the hash-collision file: 10.9 s for a
    fifth of it before), all in under 1 GB peak, messages short and
    printable."""
    files = {}
    for name in THIRD_ROUND:
        files[name] = str(tmp_path / f'{name}.pth')
        PAYLOADS[name](files[name], str(tmp_path / 'ran'))
    proc = subprocess.run(
        ['prlimit', f'--as={MEMORY_LIMIT}', sys.executable, '-c', READ_ALL]
        + list(files.values()), cwd=ROOT, capture_output=True, text=True,
        timeout=TIME_LIMIT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result['peak_kb'] < 1 << 20
    for name, path in files.items():
        message, seconds = result['files'][path]
        assert message.startswith(f'checkpoint {path} '), (name, message)
        assert seconds < 5, (name, seconds)
        assert len(message) < 500 and '\x1b' not in message, message
    assert 'ok: checkpoint loaded' in result['files'][
        files['escape_in_name']][0]  # refused; printed escaped by the tools


def test_automatic_restart_skips_a_damaged_newest_checkpoint(
        trained_run, synthetic_data, tmp_path):
    """--resume without a path (what torchrun and SLURM restarts run):
    the newest checkpoint is refused, the previous one continues the run,
    and the log says which was skipped (before: the run stopped, and every
    restart stopped again)."""
    work = tmp_path / 'work'
    good = _work_dir_of(trained_run, work)
    damaged = work / 'iter_3.pth'
    edited(trained_run, damaged, _set(2 ** 40, 'meta', 'seed'))
    (work / 'last_checkpoint').write_text(str(damaged))
    proc = _resume_in(work, synthetic_data)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f'warning: skipping {damaged}: checkpoint {damaged} is damaged ' \
        'or crafted (meta.seed is 1099511627776' in proc.stderr
    assert f'resuming from {good}' in proc.stderr
    assert (work / 'iter_4.pth').is_file()


def test_a_new_run_in_a_used_work_dir_says_so(trained_run, synthetic_data,
                                              tmp_path):
    work = tmp_path / 'work'
    _work_dir_of(trained_run, work)
    proc = subprocess.run(
        [sys.executable, 'tools/train.py', DEMO_CONFIG, '--work-dir',
         str(work), '--check-only', '--cfg-options'] +
        tiny_train_options(synthetic_data), cwd=ROOT, capture_output=True,
        text=True, timeout=TIME_LIMIT * 3)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f'warning: {work} holds 1 checkpoint(s) of an earlier run (the ' \
        'newest iter_2.pth); this run starts at iteration 0' in proc.stderr
