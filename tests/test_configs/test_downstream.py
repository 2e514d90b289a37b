"""A user's config that _base_-inherits a scratch config trains."""
import os.path as osp

import pytest

from conftest import ROOT, run_tool, write_downstream_config

pytestmark = pytest.mark.slow


def test_inherit_change_classes_and_data(synthetic_data, tmp_path):
    user_cfg = tmp_path / 'my_shapes.py'
    write_downstream_config(user_cfg, synthetic_data)
    proc = run_tool([osp.join(ROOT, 'tools/train.py'), str(user_cfg),
                     '--work-dir',
                     str(tmp_path / 'work')], cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / 'work' / 'iter_2.pth').is_file()
    assert 'the run trains from scratch' in proc.stdout + proc.stderr


def test_three_line_config_changes_the_length_and_the_steps_follow(
        tmp_path):
    """The paper's rule, once: LR steps 60k and 20k before the new end."""
    from mmengine.config import Config
    from mmengine.optim import OptimWrapper
    from mmengine.registry import init_default_scope
    from torch import nn
    from torch.optim import SGD

    from conftest import FLAGSHIP
    from mmdet.registry import PARAM_SCHEDULERS
    from mmscratch.analysis.schedule import lr_steps
    user_cfg = tmp_path / 'longer.py'
    user_cfg.write_text(f"_base_ = '{FLAGSHIP}'\n"
                        "# 700k iterations instead of 540k\n"
                        "train_cfg = dict(max_iters=700000)\n")
    cfg = Config.fromfile(str(user_cfg))
    assert lr_steps(cfg) == [640000, 680000]
    # built as mmengine's Runner builds it: end defaults to max_iters
    init_default_scope('mmdet')
    wrapper = OptimWrapper(SGD(nn.Linear(1, 1).parameters(), lr=0.02))
    steps = dict(cfg.param_scheduler[1], end=cfg.train_cfg.max_iters)
    scheduler = PARAM_SCHEDULERS.build(steps, default_args=dict(
        optimizer=wrapper))
    assert sorted(scheduler.milestones) == [640000, 680000]


def test_the_runner_places_the_steps(synthetic_data, tmp_path):
    """A real Runner on a downstream config: steps follow max_iters."""
    from mmengine.config import Config
    from mmengine.runner import Runner
    user_cfg = tmp_path / 'mine.py'
    write_downstream_config(user_cfg, synthetic_data, max_iters=90)
    cfg = Config.fromfile(str(user_cfg))
    cfg.param_scheduler[1]['before_end'] = [60, 20]
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    assert runner.train_loop.max_iters == 90  # builds the loop
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    schedulers = runner.build_param_scheduler(cfg.param_scheduler)
    assert sorted(schedulers[1].milestones) == [30, 70]


def test_a_short_downstream_run_drops_the_lr_inside_it(synthetic_data,
                                                        tmp_path):
    """A user's 3,000-iteration run of the flagship recipe, built by a real
    Runner: the paper's steps (60k and 20k before the end) cannot fit, so
    the LR drops at 2/3 and 8/9 of the run (2000, 2667), and lr_steps
    (schedule.py, plot_curves.py) reports the same."""
    from mmengine.config import Config
    from mmengine.runner import Runner

    from mmscratch.analysis.schedule import lr_steps
    user_cfg = tmp_path / 'short.py'
    write_downstream_config(user_cfg, synthetic_data, max_iters=3000)
    cfg = Config.fromfile(str(user_cfg))
    assert cfg.param_scheduler[1]['before_end'] == [60000, 20000]
    assert lr_steps(cfg) == [2000, 2667]
    cfg.work_dir = str(tmp_path / 'work')
    runner = Runner.from_cfg(cfg)
    assert runner.train_loop.max_iters == 3000
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    schedulers = runner.build_param_scheduler(cfg.param_scheduler)
    assert sorted(schedulers[1].milestones) == [2000, 2667]
