"""ComputeBudgetHook: counts equal what the data loader yielded."""
import json
import os.path as osp
from unittest.mock import MagicMock

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from conftest import DEMO_CONFIG, ROOT, data_options, demo_cfg, run_tool
from mmscratch.runs import read_run
from mmscratch.engine.hooks import ComputeBudgetHook


class Sample:

    def __init__(self, n):
        self.gt_instances = [0] * n

    def __contains__(self, key):
        return key == 'gt_instances'


def batch(sizes, shape=(3, 32, 48)):
    return dict(inputs=[torch.zeros(shape) for _ in sizes],
                data_samples=[Sample(n) for n in sizes])


def mock_runner(it):
    runner = MagicMock()
    runner.iter = it
    runner.train_loop.max_iters = 100
    return runner


def test_counts_and_pretrain_preset():
    hook = ComputeBudgetHook(interval=2, pretrain='imagenet-1k-100ep')
    runner = mock_runner(0)
    hook.after_train_iter(runner, 0, batch([2, 3]))
    assert hook.totals['images'] == 0  # not summed before the interval
    runner.iter = 1
    hook.after_train_iter(runner, 1, batch([1]))
    assert hook.totals == dict(images=3, instances=6, pixels=3 * 32 * 48)
    logged = {c.args[0]: c.args[1]
              for c in runner.message_hub.update_scalar.call_args_list}
    assert logged['budget/images_total'] == 3 + 1_281_167 * 100
    runner.visualizer.add_scalars.assert_called_once()
    assert runner.visualizer.add_scalars.call_args.kwargs['step'] == 2


def test_state_round_trip_on_resume():
    hook = ComputeBudgetHook(interval=1)
    runner = mock_runner(0)
    hook.after_train_iter(runner, 0, batch([4]))
    ckpt = {}
    hook.before_save_checkpoint(runner, ckpt)
    fresh = ComputeBudgetHook()
    runner.cfg = dict(resume=True)
    fresh.after_load_checkpoint(runner, ckpt)
    assert fresh.totals == hook.totals


@pytest.mark.parametrize('kwargs,match', [
    (dict(interval=0), 'interval'),
    (dict(pretrain='jft'), 'not a preset'),
    (dict(pretrain=dict(epochs=3)), 'unknown keys'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ComputeBudgetHook(**kwargs)


class Recorder(Hook):
    """Independent count of what the loader yielded (test only)."""
    priority = 'LOWEST'

    def __init__(self):
        self.images = self.instances = self.pixels = 0

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.images += len(data_batch['inputs'])
        self.instances += sum(
            s.gt_instances.bboxes.shape[0]
            for s in data_batch['data_samples'])
        self.pixels += sum(x.numel() // x.shape[0]
                           for x in data_batch['inputs'])


@pytest.mark.slow
def test_real_run_counts_what_the_loader_yielded(synthetic_data, tmp_path):
    cfg = demo_cfg(synthetic_data, tmp_path, **{'train_cfg.max_iters': 3})
    runner = Runner.from_cfg(cfg)
    recorder = Recorder()
    runner.register_hook(recorder)
    runner.train()
    hook = [h for h in runner.hooks if isinstance(h, ComputeBudgetHook)][0]
    assert hook.totals == dict(images=recorder.images,
                               instances=recorder.instances,
                               pixels=recorder.pixels)
    assert recorder.images == 3 * cfg.train_dataloader.batch_size
    final = read_run(str(tmp_path)).train[-1]
    assert final['budget/images'] == recorder.images


@pytest.mark.slow
def test_two_processes_sum_over_ranks(synthetic_data, tmp_path):
    work_dir = tmp_path / 'work'
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    proc = run_tool(
        [osp.join(ROOT, 'tools/dist_train.sh'), DEMO_CONFIG, '2',
         '--work-dir', str(work_dir), '--cfg-options'] +
        data_options(synthetic_data) + [
            'train_cfg.max_iters=3', 'train_cfg.val_begin=100',
            'default_hooks.checkpoint.interval=3',
            'default_hooks.logger.interval=1'],
        env=dict(PORT=str(port)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    batch_size = 4
    h, w = demo_cfg(synthetic_data, work_dir).image_size  # resized to it
    records = read_run(str(work_dir)).train
    # 3 iterations x 4 images x 2 ranks
    assert records[-1]['budget/images'] == 3 * batch_size * 2
    assert records[-1]['budget/pixels'] == 3 * batch_size * 2 * h * w
    ckpt = torch.load(work_dir / 'iter_3.pth', weights_only=True)
    budget = ckpt['meta']['compute_budget']
    assert budget['images'] == 24
    assert budget['pixels'] == 24 * h * w
    assert json.loads(json.dumps(budget)) == budget  # plain numbers
