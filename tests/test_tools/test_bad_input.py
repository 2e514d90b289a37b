"""Bad input through the tools: exit status != 0, one clear line, nothing
written is lost. (The pre-flight data checks themselves are tested
in-process in tests/test_cli/test_preflight.py.)"""

import os
import shutil

import pytest

from conftest import (DEMO_CONFIG, FLAGSHIP, copy_data, data_options,
                      edit_ann, run_tool)

pytestmark = pytest.mark.slow


@pytest.fixture
def work_dir(tmp_path):
    """A work dir with a checkpoint and a log from an earlier run."""
    work = tmp_path / 'work'
    work.mkdir()
    (work / 'iter_4.pth').write_bytes(b'earlier checkpoint')
    (work / 'old.log').write_text('earlier log')
    return work


def untouched(work):
    return (work / 'iter_4.pth').read_bytes() == b'earlier checkpoint' and \
        (work / 'old.log').read_text() == 'earlier log'


def one_line_error(proc, *expected):
    lines = [ln for ln in proc.stderr.strip().splitlines()
             if not ln.startswith('warning:')]
    assert proc.returncode != 0
    assert 'Traceback' not in proc.stderr, proc.stderr[-2000:]
    assert len(lines) == 1, proc.stderr[-2000:]
    for text in expected:
        assert text in lines[0], lines[0]


def train(config, work, *opts):
    return run_tool(['tools/train.py', config, '--work-dir', str(work),
                     '--cfg-options', 'train_cfg.max_iters=2'] + list(opts))


def test_missing_data_root(work_dir):
    one_line_error(train(FLAGSHIP, work_dir), 'instances_train2017.json',
                   'not found')
    assert untouched(work_dir)


def test_degenerate_boxes_are_counted(synthetic_data, tmp_path):
    root = copy_data(synthetic_data, tmp_path / 'data')

    def spoil(data):
        data['annotations'][0]['bbox'][2] = 0
        data['annotations'][1]['segmentation'] = []
    edit_ann(root, spoil)
    proc = train(DEMO_CONFIG, tmp_path / 'w', *data_options(root),
                 'train_cfg.val_begin=100')
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert '1 annotation(s) with a box under 1 pixel' in proc.stderr
    assert '1 with an empty mask (skipped)' in proc.stderr
    # every image loads, the one with the empty mask too
    from mmengine.registry import init_default_scope

    from mmscratch.datasets import SeededSkippingCocoDataset
    init_default_scope('mmdet')
    from mmscratch.datasets import CATEGORIES
    dataset = SeededSkippingCocoDataset(
        data_root=root + '/', ann_file='annotations/instances_train.json',
        data_prefix=dict(img='train/'), metainfo=dict(classes=CATEGORIES),
        filter_cfg=dict(filter_empty_gt=False),
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='LoadAnnotations', with_bbox=True,
                       with_mask=True)])
    assert dataset.num_empty_masks == 1
    assert all('gt_masks' in dataset[i] for i in range(len(dataset)))
    # boxes only (the detection configs): every box kept
    boxes = SeededSkippingCocoDataset(
        data_root=root + '/', ann_file='annotations/instances_train.json',
        data_prefix=dict(img='train/'), metainfo=dict(classes=CATEGORIES),
        filter_cfg=dict(filter_empty_gt=False), skip_empty_masks=False,
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='LoadAnnotations', with_bbox=True)])
    assert boxes.num_empty_masks == 0
    assert sum(len(boxes.get_data_info(i)['instances'])
               for i in range(len(boxes))) == sum(
        len(dataset.get_data_info(i)['instances'])
        for i in range(len(dataset))) + 1


def test_bad_paths_and_checkpoints(synthetic_data, tmp_path, work_dir):
    one_line_error(train(DEMO_CONFIG + '.missing', work_dir),
                   'does not exist')
    truncated = work_dir / 'iter_4.pth'
    proc = run_tool(['tools/test.py', DEMO_CONFIG, str(truncated),
                     '--work-dir', str(tmp_path / 't'), '--cfg-options'] +
                    data_options(synthetic_data))
    one_line_error(proc, 'is truncated or not a PyTorch checkpoint')
    assert untouched(work_dir)
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir',
                     str(work_dir), '--resume', str(truncated),
                     '--cfg-options', 'train_cfg.max_iters=2'] +
                    data_options(synthetic_data))
    one_line_error(proc, 'is truncated or not a PyTorch checkpoint')
    assert untouched(work_dir)


def test_bad_convergence_baseline(synthetic_data, tmp_path, work_dir):
    cfg = tmp_path / 'vs.py'
    cfg.write_text(f"_base_ = '{DEMO_CONFIG}'\ndefault_hooks = dict("
                   f"convergence=dict(baseline='{tmp_path}/no'))\n")
    one_line_error(train(str(cfg), work_dir, *data_options(synthetic_data)),
                   'ConvergenceHook: baseline', 'does not exist')
    bad = tmp_path / 'bad.json'
    bad.write_text('{"metrics": {"coco/bbox_mAP": [[1]]}}')
    cfg.write_text(f"_base_ = '{DEMO_CONFIG}'\ndefault_hooks = dict("
                   f"convergence=dict(baseline='{bad}'))\n")
    one_line_error(train(str(cfg), work_dir, *data_options(synthetic_data)),
                   'points must be [[x, value], ...]')
    assert untouched(work_dir)


def test_bad_evaluator_backend(synthetic_data, work_dir):
    one_line_error(train(DEMO_CONFIG, work_dir, *data_options(synthetic_data),
                         'val_evaluator.backend=fast'),
                   "val_evaluator.backend='fast' is not one of",
                   'val_evaluator.backend=auto')
    assert untouched(work_dir)


def test_unwritable_work_dir(synthetic_data, tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('a file, not a folder')
    one_line_error(train(DEMO_CONFIG, blocker / 'sub',
                         *data_options(synthetic_data)), 'cannot be written')


def test_syncbn_single_process_falls_back(synthetic_data, tmp_path):
    cfg = tmp_path / 'syncbn.py'
    cfg.write_text(
        f"_base_ = '{DEMO_CONFIG}'\n"
        "norm_cfg = dict(type='SyncBN', requires_grad=True)\n"
        "model = dict(backbone=dict(norm_cfg=dict(_delete_=True, "
        "type='SyncBN', requires_grad=True)), neck=dict(norm_cfg=dict("
        "_delete_=True, type='SyncBN', requires_grad=True)), roi_head=dict("
        "bbox_head=dict(norm_cfg=dict(_delete_=True, type='SyncBN', "
        "requires_grad=True)), mask_head=dict(norm_cfg=dict(_delete_=True, "
        "type='SyncBN', requires_grad=True))))\n")
    proc = train(str(cfg), tmp_path / 'w', *data_options(synthetic_data),
                 'train_cfg.val_begin=100')
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'this single-process run uses BN' in proc.stderr


def test_nan_loss_stops_with_iteration_and_checkpoint(synthetic_data,
                                                     tmp_path):
    # an absurd LR makes the loss explode within a few iterations
    work = tmp_path / 'w'
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(work),
                     '--cfg-options', 'train_cfg.max_iters=40',
                     'train_cfg.val_begin=100',
                     'default_hooks.checkpoint.interval=1',
                     'optim_wrapper.optimizer.lr=1e6',
                     'param_scheduler.0.start_factor=1.0'] +
                    data_options(synthetic_data))
    one_line_error(proc, 'loss became', 'at iteration', 'last good '
                   'checkpoint (finite weights) is',
                   'with a lower LR (optim_wrapper.optimizer.lr=100000)')
    it = int(proc.stderr.split('at iteration ')[1].split(';')[0])
    assert not (work / f'iter_{it}.pth').exists()  # never checkpointed
    named = proc.stderr.split('(finite weights) is ')[1].split(';')[0]
    import torch
    weights = torch.load(named, weights_only=False)['state_dict']
    assert all(torch.isfinite(t).all() for t in weights.values()
               if t.is_floating_point())


def test_malformed_cfg_options_and_work_dirs(synthetic_data, tmp_path,
                                             trained_run):
    """One line each from the tools themselves; the in-process cases of
    --cfg-options are in tests/test_cli/test_config.py."""
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--cfg-options',
                     'train_cfg.max_iters', '2'])
    one_line_error(proc, "'train_cfg.max_iters' is not KEY=VALUE")
    blocker = tmp_path / 'file'
    blocker.write_text('a file, not a folder')
    ckpt = f'{trained_run}/iter_2.pth'
    for args, expected in (
            (['--work-dir', str(blocker / 'sub')],
             f'work dir {blocker / "sub"} cannot be written'),
            (['--work-dir', ''], '--work-dir is empty'),
            (['--out', str(blocker / 'x.pkl')],
             f'--out {blocker / "x.pkl"} cannot be written')):
        proc = run_tool(['tools/test.py', DEMO_CONFIG, ckpt, *args,
                         '--cfg-options'] + data_options(synthetic_data))
        one_line_error(proc, expected)
        assert 'Iter(test)' not in proc.stdout  # before the evaluation


def test_resume_past_max_iters(synthetic_data, trained_run, tmp_path):
    """A checkpoint at iteration 2: max_iters=1 is refused in one line,
    max_iters=2 says the run is complete; no checkpoint is written over."""
    work = shutil.copytree(trained_run, tmp_path / 'work')
    before = {f: (work / f).read_bytes() for f in os.listdir(work)
              if f.endswith('.pth')}

    def resume(checkpoint, max_iters):
        return run_tool(
            ['tools/train.py', DEMO_CONFIG, '--work-dir', str(work),
             '--resume'] + ([checkpoint] if checkpoint else []) +
            ['--cfg-options', f'train_cfg.max_iters={max_iters}'] +
            data_options(synthetic_data))

    one_line_error(resume(str(work / 'iter_2.pth'), 1),
                   'the resumed checkpoint is at iteration 2, past this '
                   "config's max_iters=1", 'a larger train_cfg.max_iters')
    proc = resume(None, 2)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'training is complete, nothing to do' in proc.stdout + \
        proc.stderr
    assert before == {f: (work / f).read_bytes() for f in before}
