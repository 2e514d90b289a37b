"""Resume rules: the right run's checkpoint, kept checkpoints, one line."""
import os.path as osp
import re

import pytest

from conftest import (ROOT, data_options, run_tool, small_scale_options,
                      synthetic_class_options)

pytestmark = pytest.mark.slow
CASCADE = osp.join(ROOT, 'configs/scratch/'
                   'cascade_mask_rcnn_x152_gn_trainaug_9x.py')
X152 = osp.join(ROOT, 'configs/scratch/mask_rcnn_x152_gn_trainaug_9x.py')
DEMO_PRETRAINED = osp.join(
    ROOT, 'configs/demo/mask_rcnn_r18_gn_synthetic_pretrained.py')


def test_twin_config_refuses_the_scratch_checkpoint(trained_run,
                                                    synthetic_data,
                                                    tmp_path):
    ckpt = osp.join(trained_run, 'iter_2.pth')
    opts = data_options(synthetic_data) + [
        'train_cfg.max_iters=3',
        'default_hooks.compute_budget.pretrain=imagenet-1k-100ep',
        f'model.backbone.init_cfg.checkpoint={ckpt}',
        'model.backbone.init_cfg.prefix=backbone.']
    proc = run_tool(['tools/train.py', DEMO_PRETRAINED, '--work-dir',
                     str(tmp_path / 'w'), '--resume', ckpt,
                     '--cfg-options'] + opts)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert 'Traceback' not in proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith('error: cannot resume: the checkpoint (run ')
    assert 'random init' in last and 'pretrained init' in last
    assert 'mask_rcnn_r18_gn_synthetic_pretrained.py' in last
    assert 'resume_other_model=True' in last
    proc = run_tool(['tools/train.py', DEMO_PRETRAINED, '--work-dir',
                     str(tmp_path / 'w2'), '--resume', ckpt,
                     '--cfg-options'] + opts +
                    ['default_hooks.checkpoint.resume_other_model=True'])
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_cascade_without_phase_one_names_the_command(tmp_path):
    proc = run_tool([osp.join(ROOT, 'tools/train.py'), CASCADE],
                    cwd=str(tmp_path))
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert 'load_from=work_dirs/mask_rcnn_x152_gn_trainaug_9x/' \
        'iter_540000.pth does not exist' in last
    assert 'tools/dist_train.sh configs/scratch/' \
        'mask_rcnn_x152_gn_trainaug_9x.py 8' in last


def test_phase_one_keeps_the_checkpoint_the_cascade_loads(synthetic_data,
                                                          tmp_path):
    from mmengine.config import Config
    cascade = Config.fromfile(CASCADE)
    kept = Config.fromfile(X152).default_hooks.checkpoint.keep_iters
    at = int(re.search(r'iter_(\d+)\.pth$', cascade.load_from).group(1))
    assert at in kept and at == 540000
    assert osp.basename(osp.dirname(cascade.load_from)) == \
        'mask_rcnn_x152_gn_trainaug_9x'
    # phase 1 shrunk: checkpoints every 2 iterations, keep 1, keep iter 2
    work = tmp_path / 'phase1'
    proc = run_tool(['tools/train.py', X152, '--work-dir', str(work),
                     '--cfg-options'] + data_options(synthetic_data) +
                    synthetic_class_options() +
                    small_scale_options((64, 64)) + [
                        # train aug: RandomResize takes a range
                        'train_dataloader.dataset.pipeline.2.scale='
                        '[(64,64),(64,64)]',
                        'train_cfg.max_iters=6', 'train_cfg.val_begin=100',
                        'default_hooks.checkpoint.interval=2',
                        'default_hooks.checkpoint.max_keep_ckpts=1',
                        'default_hooks.checkpoint.keep_iters=[2]'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert sorted(p.name for p in work.glob('iter_*.pth')) == [
        'iter_2.pth', 'iter_6.pth']
