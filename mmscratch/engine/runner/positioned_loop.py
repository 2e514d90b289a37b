import logging

import torch

from mmengine.dist import (broadcast_object_list, get_dist_info,
                           is_distributed, is_main_process)
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop
from mmengine.runner.utils import calc_dynamic_intervals

from mmdet.registry import LOOPS
from ...runs.logs import read_run
from ...datasets.fingerprint import image_set_digest
from ...datasets.positioned_sampling import PositionedStream
from ..hooks.preemption_hook import PreemptionHook, StopRequested
from ..hooks.rng_state_hook import rng_state, set_rng_state
from ...utils.errors import UserInputError
from ...utils.upstream import infinite_iterator

LAYOUT_KEY = 'data_layout'


def _layout_changes(saved, layout: dict) -> str:
    """What differs from the resumed run's data layout (keys a checkpoint
    of an older version lacks are unknown, not changed)."""
    if saved is None:
        return ''
    changed = [f'{k} {saved[k]} -> {v}' for k, v in layout.items()
               if k in saved and saved[k] != v and k != 'train_set']
    if saved.get('train_set') and layout['train_set'] and \
            saved['train_set'] != layout['train_set'] and \
            saved.get('train_images') == layout['train_images']:
        changed.append('other training images, as many')
    return ', '.join(changed)


@LOOPS.register_module()
class PositionedIterBasedTrainLoop(IterBasedTrainLoop):
    """mmengine's IterBasedTrainLoop that resumes by positioning the data.

    mmengine's loop resumes at iteration N by drawing N batches from the
    loader (every skipped image decoded and augmented). With the
    positioned samplers (``mmscratch.datasets.positioned_sampling``) this
    (any batch sampler implementing
    :class:`~mmscratch.datasets.positioned_sampling.PositionedStream`) this
    loop tells the batch sampler where to start and builds the loader's
    iterator only then: no skipped image is read, whatever N. The data
    layout (world size, batch size, seed) is kept in the message hub; a
    resume under another layout says in one line that its data differs
    from the uninterrupted run's, and continues. With other samplers it
    falls back to mmengine's replay, with a warning. On resume the stream
    keeps the seed of the run it continues.

    Args: as mmengine's ``IterBasedTrainLoop``.
    """

    def __init__(self, runner, dataloader, max_iters: int,
                 val_begin: int = 1, val_interval: int = 1000,
                 dynamic_intervals=None) -> None:
        # mmengine's __init__ starts the loader's workers at once; they
        # would prefetch batches from the start of the stream: the rest of
        # its work is done here (pinned in mmscratch/utils/upstream.py)
        super(IterBasedTrainLoop, self).__init__(runner, dataloader)
        self._max_iters = int(max_iters)
        if self._max_iters != max_iters or self._max_iters < 1:
            raise ValueError(f'max_iters={max_iters!r} must be a positive '
                             'integer')
        self._max_epochs = 1
        self._epoch = 0
        self._iter = 0
        self.val_begin = val_begin
        self.val_interval = val_interval
        self.stop_training = False
        if hasattr(self.dataloader.dataset, 'metainfo'):
            self.runner.visualizer.dataset_meta = \
                self.dataloader.dataset.metainfo
        self.dataloader_iterator = None
        self.dynamic_milestones, self.dynamic_intervals = \
            calc_dynamic_intervals(self.val_interval, dynamic_intervals)

    def _layout(self) -> dict:
        _, world_size = get_dist_info()
        dataset = self.dataloader.dataset
        return dict(world_size=world_size, train_images=len(dataset),
                    train_set=image_set_digest(dataset),
                    **self.dataloader.batch_sampler.layout())

    def _report_total_batch(self, saved: dict, layout: dict) -> None:
        """Say when a resume changes the total batch, and the LR rule."""
        try:
            before = saved['world_size'] * saved['batch_size']
        except (KeyError, TypeError):
            return
        after = layout['world_size'] * layout['batch_size']
        if before == after:
            return
        scale = self.runner.cfg.get('auto_scale_lr') or {}
        lrs = [g.get('initial_lr', g['lr']) for g in
               self.runner.optim_wrapper.param_groups]
        lr = max(lrs) if lrs else float('nan')
        if scale.get('enable'):
            rule = f'auto_scale_lr made the LR {lr:g}'
        elif scale.get('base_batch_size'):
            rule = (f'the LR stays {lr:g}; auto_scale_lr.enable=True '
                    '(--auto-scale-lr) would make it '
                    f'{lr * after / scale["base_batch_size"]:g}')
        else:
            rule = f'the LR stays {lr:g}'
        print_log(f'the total batch changes from {before} to {after} '
                  f'images per iteration; {rule}', logger='current',
                  level=logging.WARNING)

    def _position_data(self) -> None:
        """Start the loader's stream at the current iteration."""
        batch_sampler = self.dataloader.batch_sampler
        if not isinstance(batch_sampler, PositionedStream):
            self.dataloader_iterator = infinite_iterator(self.dataloader)
            if self._iter > 0:
                print_log(
                    f'{type(batch_sampler).__name__} cannot be positioned: '
                    f'replaying {self._iter} batches (use '
                    'PositionedInfiniteSampler and '
                    'PositionedAspectRatioBatchSampler, or a '
                    'PositionedStream of your own, to skip this)',
                    logger='current', level=logging.WARNING)
                for _ in range(self._iter):
                    next(self.dataloader_iterator)
            return
        hub = self.runner.message_hub
        saved = hub.get_info(LAYOUT_KEY) if self._iter > 0 else None
        if saved is not None:
            # the stream of the run being resumed, whatever seed this
            # process drew (mmengine builds the loader before it restores
            # the run's random seed)
            batch_sampler.continue_run(saved)
        layout = self._layout()
        if self._iter > 0:
            changed = _layout_changes(saved, layout)
            if changed:
                print_log(
                    f'resuming with another data layout ({changed}): the '
                    'data from here on differs from the uninterrupted '
                    'run\'s', logger='current', level=logging.WARNING)
                self._report_total_batch(saved, layout)
            print_log(f'data positioned at iteration {self._iter} (no '
                      'batch replayed)', logger='current')
        hub.update_info(LAYOUT_KEY, layout)
        batch_sampler.start_at(self._iter)
        # starting the loader draws its workers' base seed from the main
        # torch generator: keep that draw out of the stream that samples
        # RoIs, so a resumed run draws what the uninterrupted one draws
        state = torch.get_rng_state()
        self.dataloader_iterator = infinite_iterator(self.dataloader)
        torch.set_rng_state(state)

    # PreemptionHook may stop a validation of this loop (StopRequested)
    stops_validation = True

    def _is_val_iter(self, it: int) -> bool:
        return self.runner.val_loop is not None and it >= self.val_begin \
            and it > 0 and (it % self.val_interval == 0
                            or it == self._max_iters)

    def _validated_in_logs(self, it: int) -> bool:
        """Whether the work dir's logs hold a validation result at ``it``
        (rank 0 reads them and tells the other ranks)."""
        found = [None]
        if is_main_process():
            try:
                run = read_run(self.runner.work_dir)
                found = [any(rec.get('step') == it for rec in run.val)]
            except UserInputError:
                found = [False]
        if is_distributed():
            broadcast_object_list(found)
        return bool(found[0])

    def _validate(self) -> None:
        """Validate without changing the training run's random streams.

        A signal agreed on during validation (:class:`StopRequested`)
        abandons it without a metric, saves at this iteration and exits.
        """
        state = rng_state()
        try:
            self.runner.val_loop.run()
        except StopRequested:
            for metric in self.runner.val_loop.evaluator.metrics:
                metric.results.clear()
            set_rng_state(state)
            self.runner.model.train()
            hook = next(h for h in self.runner.hooks
                        if isinstance(h, PreemptionHook))
            hook.stop(self.runner, self._iter, hook.received)
        set_rng_state(state)

    def run(self):
        """Train to ``max_iters`` from the current (resumed) iteration.

        A run resumed from a checkpoint of a validation iteration first
        runs that validation unless the work dir's logs hold its result
        (it was cut short, or the run continues in another work dir).
        """
        if self._iter > self._max_iters:
            raise UserInputError(
                f'the resumed checkpoint is at iteration {self._iter}, past '
                f'this config\'s max_iters={self._max_iters}, so there is '
                'nothing to train; resume with a larger '
                'train_cfg.max_iters, or evaluate the checkpoint instead')
        self.runner.call_hook('before_train')
        self.runner.call_hook('before_train_epoch')
        if self._iter > 0 and self._is_val_iter(self._iter):
            if self._validated_in_logs(self._iter):
                print_log(f'the validation of iteration {self._iter} is in '
                          'the logs already', logger='current')
            else:
                print_log(f'validating iteration {self._iter} first: its '
                          'result is not in the logs of this work dir',
                          logger='current')
                self._validate()
        if self._iter == self._max_iters > 0:
            print_log(f'the resumed checkpoint is at max_iters={self._iter} '
                      'and validated: training is complete, nothing to do',
                      logger='current')
        if self._iter < self._max_iters:
            self._position_data()
        while self._iter < self._max_iters and not self.stop_training:
            self.runner.model.train()
            self.run_iter(next(self.dataloader_iterator))
            self._decide_current_val_interval()
            if self._is_val_iter(self._iter):
                self._validate()
        self.runner.call_hook('after_train_epoch')
        self.runner.call_hook('after_train')
        return self.runner.model
