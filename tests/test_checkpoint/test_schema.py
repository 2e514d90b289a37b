"""What a loaded checkpoint may hold: the schema, the bounded messages and
the hooks' own-files rule, in-process."""
import collections
import copy
import random
from unittest.mock import Mock

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

from mmscratch.checkpoint.plain_reader import MalformedCheckpoint, shown
from mmscratch.checkpoint.schema import (MAX_CONFIG_TEXT, check_checkpoint,
                                         check_convergence_state)
from mmscratch.engine.hooks.durable_checkpoint_hook import (
    DurableCheckpointHook, describe, model_identity, saved_identity)
from mmscratch.engine.hooks.rng_state_hook import rng_state
from mmscratch.utils.errors import printable_line
from mmscratch.utils.literal_config import literal_assignment


def real_like():
    """A checkpoint with every field a run of mmscratch writes."""
    model = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3),
                                torch.nn.GroupNorm(2, 4))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.02, momentum=0.9)
    model(torch.ones(1, 3, 5, 5)).sum().backward()
    optimizer.step()
    buffer = HistoryBuffer()
    buffer.update(1.5)
    return dict(
        state_dict=model.state_dict(),
        optimizer=optimizer.state_dict(),
        param_schedulers=[dict(
            begin=0, end=1000000000, by_epoch=False, last_step=4,
            base_values=[0.02], milestones=collections.Counter([3, 5]),
            gamma=0.1, param_name='lr', verbose=False)],
        message_hub=dict(
            log_scalars={'train/loss': buffer, 'train/lr': dict(
                __history_buffer__=True, log_history=[0.1],
                count_history=[1], max_length=1000000)},
            runtime_info=dict(keep_ckpt_ids=[2, 4], last_ckpt='/w/iter_4.pth',
                              data_layout=dict(seed=5, world_size=1,
                                               batch_size=2),
                              best_ckpt='/w/best_coco_bbox_mAP_iter_4.pth',
                              best_score=0.3, iter=4, transient_ckpt=None),
            resumed_keys={'train/loss': True}),
        meta=dict(
            epoch=0, iter=4, seed=7, cfg='model = dict(type="MaskRCNN")',
            experiment_name='run', rng_state=rng_state(),
            scratch_audit=dict(from_scratch=True, violations=[]),
            model_identity=['MaskRCNN', 'ResNet', 18, 'GN',
                            'StandardRoIHead', True, [6], 'random'],
            compute_budget=dict(images=16.0, instances=40.0, pixels=9e4),
            convergence=dict(history=[dict(x=4.0, iter=4, metrics={
                'coco/bbox_mAP': dict(value=0.1, baseline=0.2, gap=-0.1,
                                      ratio=0.5, extrapolated=False)})],
                caught_up={})))


def test_a_real_checkpoint_passes_unchanged():
    ckpt = real_like()
    before = copy.deepcopy(ckpt)
    assert check_checkpoint(ckpt) is ckpt
    assert ckpt['meta']['cfg'] == before['meta']['cfg']
    assert sorted(ckpt) == sorted(before)


def _edit(path, value):
    def apply(ckpt):
        *parents, last = path.split('.')
        node = ckpt
        for key in parents:
            node = node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value
    return apply


_DELETE = object()
MALFORMED = {
    'meta.iter': _edit('meta.iter', 10 ** 30),
    'meta.epoch': _edit('meta.epoch', -1),
    'meta.seed': _edit('meta.seed', 2 ** 40),
    'meta.rng_state.python': _edit('meta.rng_state', dict(python=1)),
    'meta.rng_state.torch': _edit('meta.rng_state.torch', torch.zeros(3)),
    'meta.experiment_name': _edit('meta.experiment_name', 'x' * 10000),
    'meta.model_identity': _edit('meta.model_identity', ['x' * 100] * 8),
    'meta.compute_budget.images': _edit('meta.compute_budget.images', -4),
    'meta.convergence.history[0].iter': _edit(
        'meta.convergence.history', [dict(x=1.0, iter='4', metrics={})]),
    'message_hub has no log_scalars': _edit('message_hub', {}),
    'log_history': _edit('message_hub.log_scalars',
                         {'x': dict(__history_buffer__=True)}),
    'keep_ckpt_ids[2]': _edit('message_hub.runtime_info.keep_ckpt_ids',
                              [100, 2, 'victim']),
    'best_ckpt': _edit('message_hub.runtime_info.best_ckpt', 5),
    'param_groups[0].params[0]': _edit(
        'optimizer.param_groups', [dict(lr=0.1, params=[2 ** 40])]),
    'optimizer.state key': _edit('optimizer.state', {'a': {}}),
    'names an optimizer': _edit('param_schedulers', [dict(optimizer={})]),
    'meta.scratch_audit.violations': _edit(
        'meta.scratch_audit', dict(from_scratch=True, violations=[1])),
    'data_layout.world_size': _edit(
        'message_hub.runtime_info.data_layout',
        dict(seed=3, world_size='x' * 100, batch_size=10 ** 9)),
    'param_schedulers[0].last_step': _edit(
        'param_schedulers', [dict(last_step=10 ** 20)]),
}


@pytest.mark.parametrize('field', sorted(MALFORMED))
def test_a_field_breaking_its_declaration_is_named(field):
    ckpt = real_like()
    MALFORMED[field](ckpt)
    with pytest.raises(MalformedCheckpoint) as err:
        check_checkpoint(ckpt)
    message = str(err.value)
    assert field.split(' ')[-1] in message, message
    assert len(message) < 300


def test_state_dict_metadata_versions_are_checked():
    ckpt = real_like()
    ckpt['state_dict']._metadata['1'] = dict(version='2')
    with pytest.raises(MalformedCheckpoint, match=r'_metadata\.1\.version'):
        check_checkpoint(ckpt)


def test_config_text_over_the_bound_is_dropped_not_parsed():
    ckpt = real_like()
    ckpt['meta']['cfg'] = 'model = [' + '1,' * MAX_CONFIG_TEXT + ']'
    check_checkpoint(ckpt)
    assert 'cfg' not in ckpt['meta']


def test_convergence_state_file_content_is_checked():
    check_convergence_state(dict(history=[], caught_up={}))
    with pytest.raises(MalformedCheckpoint, match='caught_up.x.iter'):
        check_convergence_state(dict(caught_up=dict(x=dict(x=1.0))))
    with pytest.raises(MalformedCheckpoint):
        check_convergence_state([1, 2])


def test_shown_never_formats_big_values():
    view = torch.zeros(1).expand((2,) * 40)  # 2^40 elements
    assert shown(view) == 'a Tensor'
    shared = [0] * 100
    for _ in range(6):
        shared = [shared] * 100
    assert shown(shared) == 'a list'
    assert shown('x' * 10 ** 6) .endswith("...")
    assert len(shown('x' * 10 ** 6)) <= 40
    assert shown(1 << 300) == 'a int'


def test_printable_line_escapes_terminal_controls():
    line = printable_line('checkpoint \x1b[2K\rok: loaded\u202e\x07 x\ny')
    assert '\x1b' not in line and '\r' not in line and '\x07' not in line
    assert '\u202e' not in line
    assert '\\x1b[2K' in line and '\\u202e' in line
    assert line.endswith('x y')
    assert len(printable_line('a' * 10 ** 6)) == 2000


def test_config_text_values_are_bounded():
    big = '0x' + 'f' * 4000
    assert literal_assignment(f'model = dict(n={big})', 'model') is None
    assert literal_assignment('model = dict(n=-5)', 'model') == dict(n=-5)
    identity = model_identity(dict(type='MaskRCNN', backbone=[1],
                                   roi_head='x'))
    assert identity[1] is None and identity[6] == []
    text = describe(['A' * 1000, None, 10 ** 100, 'GN', 'R', True,
                     list(range(1000)), 'random'])
    assert len(text) < 500
    meta = dict(cfg='model = dict(type="M", backbone=[1])')
    assert saved_identity(meta)[0] == 'M'


def _hook_runner(info, reached=4, keep_iters=(), **kwargs):
    hook = DurableCheckpointHook(interval=2, max_keep_ckpts=1,
                                 by_epoch=False, keep_iters=keep_iters,
                                 **kwargs)
    runner = Mock(iter=reached, epoch=0)
    runner.message_hub = MessageHub(f'hub{random.random()}')
    for key, value in info.items():
        runner.message_hub.update_info(key, value)
    return hook, runner


def test_retention_keeps_only_steps_this_run_reached():
    hook, runner = _hook_runner(
        dict(keep_ckpt_ids=[100, 2, 2, 4, 0, 3], transient_ckpt=9),
        keep_iters=[4])
    hook._own_steps_only(runner)
    info = runner.message_hub.runtime_info
    assert info['keep_ckpt_ids'] == [2, 3]  # 100 > 4, 4 is kept, 0 no step
    assert info['transient_ckpt'] is None


def test_best_checkpoint_paths_are_taken_in_the_own_folder(tmp_path):
    hook, runner = _hook_runner({})
    hook.out_dir = str(tmp_path)
    hook.file_backend = Mock(join_path=lambda *p: '/'.join(p))
    hook.best_ckpt_path = '/elsewhere/best_coco_bbox_mAP_iter_8.pth'
    hook._own_best_only(runner)
    assert hook.best_ckpt_path == f'{tmp_path}/best_coco_bbox_mAP_iter_8.pth'
    for foreign in ('/', '/home/user', '/w/iter_8.pth', '../best_x.pth/..'):
        hook.best_ckpt_path = foreign
        hook._own_best_only(runner)
        assert hook.best_ckpt_path is None, foreign
    hook.best_ckpt_path_dict = {'coco/bbox_mAP': '/data/important'}
    hook._own_best_only(runner)
    assert hook.best_ckpt_path_dict == {'coco/bbox_mAP': None}


def test_numpy_values_of_stock_mmengine_pass():
    ckpt = real_like()
    ckpt['meta']['seed'] = np.int64(3)
    ckpt['message_hub']['runtime_info']['best_score'] = np.float64(0.5)
    check_checkpoint(ckpt)
