"""Our configs under MMDetection's own tools/train.py (as mim train runs).

The reliability hooks come from the configs and resume works under
torch >= 2.6 through the checkpoint loader the plugin registers.
"""
import os.path as osp

import mmdet
import pytest

from conftest import run_tool, write_downstream_config

pytestmark = pytest.mark.slow
STOCK_TRAIN = osp.join(osp.dirname(mmdet.__file__), '.mim', 'tools',
                       'train.py')


def test_stock_train_script_has_the_hooks_and_resumes(synthetic_data,
                                                      tmp_path):
    assert osp.isfile(STOCK_TRAIN)
    user_cfg = tmp_path / 'mine.py'
    write_downstream_config(user_cfg, synthetic_data)
    work = tmp_path / 'work'
    proc = run_tool([STOCK_TRAIN, str(user_cfg), '--work-dir', str(work)],
                    cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    for hook in ('DurableCheckpointHook', 'PlainCheckpointHook',
                 'RNGStateHook', 'InvalidLossHook', 'UnreadableImagesHook',
                 'ScratchAuditHook', 'ComputeBudgetHook'):
        assert hook in log, hook
    assert (work / 'iter_2.pth').is_file()
    proc = run_tool([STOCK_TRAIN, str(user_cfg), '--work-dir', str(work),
                     '--resume', '--cfg-options', 'train_cfg.max_iters=4'],
                    cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert 'resumed epoch: 0, iter: 2' in log
    assert (work / 'iter_4.pth').is_file()
