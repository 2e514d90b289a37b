"""Resume with a changed config: what is applied, what is refused, and the
files and inputs resume refuses in one line."""
import json
import glob
import os
import os.path as osp
import subprocess

import pytest
import torch

from conftest import DEMO_CONFIG, run_tool, stop_resume_options

pytestmark = pytest.mark.slow


def logged_lr(work_dir):
    """{iteration: lr} of every launch of a work dir (later wins)."""
    lrs = {}
    for path in sorted(glob.glob(osp.join(str(work_dir), '*', 'vis_data',
                                          'scalars.json'))):
        with open(path) as f:
            for line in f:
                rec = json.loads(line)
                if 'lr' in rec:
                    lrs[rec['step']] = rec['lr']
    return lrs


def resume(data, work, checkpoint, *options, config=DEMO_CONFIG):
    return run_tool(['tools/train.py', config, '--work-dir', str(work),
                     '--resume', str(checkpoint), '--cfg-options'] +
                    stop_resume_options(data, seeded=False) + list(options))


def demo_variant(path, line):
    """A config inheriting the demo config with one more ``line``."""
    path.write_text(f"_base_ = '{DEMO_CONFIG}'\n{line}\n")
    return str(path)


def one_line_error(proc, *expected):
    lines = [ln for ln in proc.stderr.strip().splitlines()
             if not ln.startswith('warning:')]
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert 'Traceback' not in proc.stderr, proc.stderr[-3000:]
    assert len(lines) == 1 and lines[0].startswith('error: '), lines
    for text in expected:
        assert text in lines[0], lines[0]


def test_longer_schedule_moves_the_lr_steps(synthetic_data, reference_runs,
                                            tmp_path):
    """8 iterations extended to 16 at iteration 4: from there on the LR of
    every iteration equals a run configured for 16 from the start (the
    steps at 2/3 and 8/9 of the run move from 5, 7 to 11, 14)."""
    ref = reference_runs(0)
    longer = ['train_cfg.max_iters=16', 'train_cfg.val_interval=100',
              'default_hooks.checkpoint.interval=100']
    proc = resume(synthetic_data, tmp_path / 'extended', ref / 'iter_4.pth',
                  *longer)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    assert 'resume: RelativeMultiStepLR end 8 -> 16 (from the config)' in out
    fresh = tmp_path / 'fresh'
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(fresh),
                     '--cfg-options'] + stop_resume_options(synthetic_data) +
                    longer)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got, want = logged_lr(tmp_path / 'extended'), logged_lr(fresh)
    assert [got[i] for i in range(5, 17)] == [want[i] for i in range(5, 17)]
    # the drops moved (logged from the iteration after the step)
    short = logged_lr(ref)
    assert short[6] < short[5] and short[8] < short[7]
    assert got[6] > got[5] and got[12] < got[11] and got[15] < got[14]


def test_lower_lr_is_applied(synthetic_data, reference_runs, tmp_path):
    ref = reference_runs(0)
    proc = resume(synthetic_data, tmp_path / 'w', ref / 'iter_4.pth',
                  'optim_wrapper.optimizer.lr=0.01')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'resume: lr 0.02 -> 0.01 (from the config)' in \
        proc.stdout + proc.stderr
    got, want = logged_lr(tmp_path / 'w'), logged_lr(ref)
    for i in range(5, 9):
        assert got[i] == pytest.approx(want[i] / 2, rel=1e-12)


@pytest.mark.parametrize('options,lr', [
    (['param_scheduler=None'], 0.02),
    (['param_scheduler=[]'], 0.02),
    (['param_scheduler=None', 'optim_wrapper.optimizer.lr=0.002'], 0.002),
])
def test_a_config_without_schedulers_trains_at_its_lr(
        synthetic_data, reference_runs, tmp_path, options, lr):
    """Resumed in the warm-up (LR below 0.02 at iteration 4) with no LR
    schedule in the config: the config's constant LR from iteration 5 on,
    said in one line (before: the warm-up LR of the checkpoint forever)."""
    ref = reference_runs(0)
    warm = logged_lr(ref)[5]  # the LR the checkpoint's optimizer holds
    assert warm < 0.02
    proc = resume(synthetic_data, tmp_path / 'w', ref / 'iter_4.pth',
                  *options)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    assert f'resume: lr {warm:g} -> {lr:g} (from the config)' in out, \
        out[-3000:]
    assert 'None' not in out.split('resume: lr')[1].split('\n')[0]
    got = logged_lr(tmp_path / 'w')
    assert [got[i] for i in range(5, 9)] == [lr] * 4


def test_another_kind_of_scheduler_is_applied(synthetic_data,
                                              reference_runs, tmp_path):
    """RelativeMultiStepLR replaced by StepLR on resume: from iteration 5
    the LR of a run configured with StepLR from the start."""
    ref = reference_runs(0)
    config = demo_variant(
        tmp_path / 'step_lr.py',
        "param_scheduler = [dict(type='StepLR', step_size=2, gamma=0.5, "
        "by_epoch=False)]")
    proc = resume(synthetic_data, tmp_path / 'w', ref / 'iter_4.pth',
                  config=config)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    assert 'resume: LR schedulers LinearLR, RelativeMultiStepLR -> StepLR ' \
        '(from the config)' in out, out[-3000:]
    fresh = tmp_path / 'fresh'
    proc = run_tool(['tools/train.py', str(config), '--work-dir', str(fresh),
                     '--cfg-options'] + stop_resume_options(synthetic_data))
    assert proc.returncode == 0, proc.stderr[-3000:]
    got, want = logged_lr(tmp_path / 'w'), logged_lr(fresh)
    assert [got[i] for i in range(5, 9)] == [want[i] for i in range(5, 9)]
    assert got[5] != logged_lr(ref)[5]


def test_optim_wrapper_changes_are_said(synthetic_data, reference_runs,
                                        tmp_path):
    """Gradient clipping and accumulation, Nesterov momentum and the
    norm-decay rule changed on resume: one line each, the config's values
    from then on (before: nothing said)."""
    ref = reference_runs(0)
    proc = resume(synthetic_data, tmp_path / 'w', ref / 'iter_4.pth',
                  'optim_wrapper.clip_grad.max_norm=35',
                  'optim_wrapper.accumulative_counts=2',
                  'optim_wrapper.optimizer.nesterov=True',
                  'optim_wrapper.paramwise_cfg.norm_decay_mult=1.0')
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    for line in ('optim_wrapper.clip_grad null -> {"max_norm": 35}',
                 'optim_wrapper.accumulative_counts 1 -> 2',
                 'optim_wrapper.paramwise_cfg {"norm_decay_mult": 0.0} -> '
                 '{"norm_decay_mult": 1.0}',
                 'nesterov False -> True'):
        assert f'resume: {line} (from the config)' in out, out[-3000:]
    # the norm layers' weight decay follows the new rule: 1e-4 everywhere
    ckpt = torch.load(tmp_path / 'w' / 'iter_8.pth', weights_only=True)
    decays = {g['weight_decay'] for g in ckpt['optimizer']['param_groups']}
    assert decays == {1e-4}


def test_another_training_set_is_said(synthetic_data, reference_runs,
                                      tmp_path):
    """Resumed on a training set of other images (8 removed): one warning
    line with the counts (before: nothing)."""
    from conftest import copy_data, edit_ann
    ref = reference_runs(0)
    root = copy_data(synthetic_data, tmp_path / 'data')

    def drop_eight(d):
        gone = {img['id'] for img in d['images'][:8]}
        d['images'] = d['images'][8:]
        d['annotations'] = [a for a in d['annotations']
                            if a['image_id'] not in gone]
    edit_ann(root, drop_eight)
    options = stop_resume_options(root, seeded=False)
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir',
                     str(tmp_path / 'w'), '--resume', str(ref / 'iter_4.pth'),
                     '--cfg-options'] + options)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'resuming with another data layout (train_images 48 -> 40)' in \
        proc.stdout + proc.stderr


def test_another_training_set_of_the_same_size_is_said(
        synthetic_data, reference_runs, tmp_path):
    """The same number of training images, one of them another file: one
    warning line (before: nothing). The same images copied elsewhere:
    nothing."""
    import shutil
    from conftest import copy_data, edit_ann
    ref = reference_runs(0)
    copied = copy_data(synthetic_data, tmp_path / 'copied')
    other = copy_data(synthetic_data, tmp_path / 'other')

    def rename_first(d):
        name = d['images'][0]['file_name']
        d['images'][0]['file_name'] = 'renamed_' + osp.basename(name)
        shutil.copy(osp.join(str(other), 'train', name),
                    osp.join(str(other), 'train', osp.dirname(name),
                             'renamed_' + osp.basename(name)))
    edit_ann(other, rename_first)
    for root, said in ((copied, False), (other, True)):
        proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir',
                         str(tmp_path / f'w_{said}'), '--resume',
                         str(ref / 'iter_4.pth'), '--cfg-options'] +
                        stop_resume_options(root, seeded=False))
        assert proc.returncode == 0, proc.stderr[-3000:]
        out = proc.stdout + proc.stderr
        assert ('resuming with another data layout (other training '
                'images, as many)' in out) == said, out[-3000:]
        assert ('another data layout' in out) == said


def test_refused_resumes_are_one_line(synthetic_data, reference_runs,
                                      tmp_path):
    """Another class count, a weights-only file: exit 2, one line, the
    checkpoint untouched."""
    ref = reference_runs(0)
    before = (ref / 'iter_4.pth').read_bytes()
    proc = resume(synthetic_data, tmp_path / 'a', ref / 'iter_4.pth',
                  'model.roi_head.bbox_head.num_classes=7',
                  'model.roi_head.mask_head.num_classes=7')
    one_line_error(proc, '6 classes', '7 classes', 'resume_other_model')
    weights_only = tmp_path / 'zoo.pth'
    torch.save({'state_dict': torch.load(ref / 'iter_4.pth',
                                         weights_only=False)['state_dict']},
               weights_only)
    proc = resume(synthetic_data, tmp_path / 'b', weights_only)
    one_line_error(proc, 'holds weights only', 'load_from')
    assert (ref / 'iter_4.pth').read_bytes() == before


def test_another_model_or_optimizer_is_refused(synthetic_data,
                                               reference_runs, tmp_path):
    """A wider box head, a checkpoint without weights, SGD -> AdamW: one
    line naming what differs, before any step (before: a validation of a
    half-random model then a traceback; random weights trained on; a
    KeyError)."""
    ref = reference_runs(0)
    proc = resume(synthetic_data, tmp_path / 'a', ref / 'iter_4.pth',
                  'model.roi_head.bbox_head.fc_out_channels=256')
    one_line_error(proc, 'cannot resume: the checkpoint holds',
                   'of another shape', 'roi_head.bbox_head')
    empty = tmp_path / 'no_weights.pth'
    ckpt = torch.load(ref / 'iter_4.pth', weights_only=True)
    ckpt['state_dict'] = {}
    torch.save(ckpt, empty)
    proc = resume(synthetic_data, tmp_path / 'b', empty)
    one_line_error(proc, 'cannot resume: the checkpoint holds 0 of the '
                   "model's")
    config = demo_variant(
        tmp_path / 'adamw.py',
        "optim_wrapper = dict(optimizer=dict(_delete_=True, type='AdamW', "
        "lr=0.0001, weight_decay=0.05))")
    proc = resume(synthetic_data, tmp_path / 'c', ref / 'iter_4.pth',
                  config=config)
    one_line_error(proc, "the checkpoint's optimizer is SGD",
                   "this config's AdamW", 'optim_wrapper.optimizer.type')
    for work in 'abc':
        assert not list((tmp_path / work).glob('iter_*.pth'))


@pytest.fixture
def full_tmpfs(tmp_path):
    """A 1 MB tmpfs, filled up but for a few bytes."""
    mount = tmp_path / 'tmpfs'
    mount.mkdir()
    proc = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs',
                           str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip('cannot mount a tmpfs here (needs root): '
                    + proc.stderr.decode().strip())
    work = mount / 'work'
    work.mkdir()
    (work / 'earlier.log').write_text('earlier log')
    fd = os.open(mount / 'filler', os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b'\0' * 4096):
            pass
    except OSError:
        pass  # full
    os.close(fd)
    yield work
    subprocess.run(['umount', str(mount)], check=False)


def test_full_disk_at_start_is_one_line(synthetic_data, full_tmpfs):
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir',
                     str(full_tmpfs), '--cfg-options'] +
                    stop_resume_options(synthetic_data))
    one_line_error(proc, f'cannot write to the work dir {full_tmpfs}',
                   'No space left on device')
    assert (full_tmpfs / 'earlier.log').read_text() == 'earlier log'
    assert not any(p.endswith('.pth') for p in os.listdir(full_tmpfs))
