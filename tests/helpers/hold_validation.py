"""Test scaffolding imported by a test config (custom_imports) only.

Makes the window of a signal or kill during a validation certain: at the
first validation iteration of training iteration ``HOLD_VAL_AT_ITER`` the
``HoldValidationHook`` writes ``in_validation`` into the work dir and
waits until the process has received a stop signal (PreemptionHook), or
until it is killed; 120 s at most.
"""
import os
import os.path as osp
import time

from mmengine.hooks import Hook

from mmdet.registry import HOOKS
from mmscratch.engine.hooks import PreemptionHook

_AT = int(os.environ.get('HOLD_VAL_AT_ITER', '4'))


@HOOKS.register_module()
class HoldValidationHook(Hook):
    priority = 'VERY_HIGH'  # before PreemptionHook's check

    def after_val_iter(self, runner, batch_idx, data_batch=None,
                       outputs=None):
        if batch_idx != 0 or runner.iter != _AT:
            return
        marker = osp.join(runner.work_dir, 'in_validation')
        if osp.exists(marker):
            return  # the resumed run validates this iteration again
        open(marker, 'w').close()
        stop = [h for h in runner.hooks if isinstance(h, PreemptionHook)]
        end = time.time() + 120
        while time.time() < end and not (stop and stop[0].received):
            time.sleep(0.02)
