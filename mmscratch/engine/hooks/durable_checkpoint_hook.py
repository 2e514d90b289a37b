import os
import os.path as osp
import re
from collections import deque
from typing import Optional, Sequence

from mmengine.dist import is_main_process
from mmengine.hooks import CheckpointHook

from mmdet.registry import HOOKS
from ...fileio import atomic_write
from ...utils.cfg_tree import has_type, num_classes_in
from .compute_budget_hook import ComputeBudgetHook
from .rng_state_hook import RNGStateHook
from ...utils.errors import UserInputError
from ...utils.literal_config import literal_assignment
from ...checkpoint.plain_reader import shown
from ...checkpoint.weights_fit import weights_fit

# meta key of the plain-data model identity written into every checkpoint
IDENTITY_KEY = 'model_identity'
# message-hub key of the step of the newest signal/wall-clock checkpoint
TRANSIENT_KEY = 'transient_ckpt'


def _part(node, key: str) -> dict:
    value = node.get(key)
    return value if isinstance(value, dict) else {}


def model_identity(model: dict) -> list:
    """What makes two runs' models different, as plain data: detector,
    backbone, depth, norm, RoI head, masks, classes of the heads, and
    whether weights start from a pretrained checkpoint."""
    model = model if isinstance(model, dict) else {}
    backbone = _part(model, 'backbone')
    roi_head = _part(model, 'roi_head')
    norm = _part(backbone, 'norm_cfg').get('type')
    # SyncBN and BN hold the same parameters and buffers: the same model
    norm = 'BN' if norm == 'SyncBN' else norm
    return [model.get('type'), backbone.get('type'), backbone.get('depth'),
            norm, roi_head.get('type'), 'mask_head' in roi_head,
            num_classes_in(roi_head),
            'pretrained' if has_type(model, 'Pretrained') else 'random']


def describe(identity: list) -> str:
    """The identity as text, every part at most 64 characters (it may come
    from a checkpoint's config text)."""
    def brief(value) -> str:
        return value[:64] if isinstance(value, str) else shown(value, 64)
    detector, backbone, depth, norm, roi, mask, classes, init = identity
    classes = '/'.join(brief(c) for c in classes[:16]) \
        if isinstance(classes, list) else brief(classes)
    detector, backbone, depth, norm, roi, init = map(
        brief, (detector, backbone, depth, norm, roi, init))
    return (f'{detector} {backbone}-{depth} {norm}, {roi}'
            f'{" with masks" if mask else ""}, {classes} classes, '
            f'{init} init')


def saved_identity(meta: dict) -> Optional[list]:
    """The model identity a checkpoint records: the ``model_identity``
    entry our hook writes, else read from the saved config text without
    executing it (checkpoints of older versions); None if neither."""
    record = meta.get(IDENTITY_KEY)
    if isinstance(record, list) and len(record) == 8 and \
            isinstance(record[6], list) and all(
                isinstance(v, (str, int, bool, type(None)))
                for i, v in enumerate(record) if i != 6):
        return record
    model = literal_assignment(meta.get('cfg'), 'model')
    return model_identity(model) if isinstance(model, dict) else None


# what mmengine's resume reads from a checkpoint without looking first
RESUMED_FROM = ('message_hub',)
RESUMED_FROM_META = ('epoch', 'iter')
# temporary files of the atomic backend's writes (mmscratch/fileio.py)
INTERRUPTED_WRITE = re.compile(
    r'^\.(last_checkpoint|(iter|epoch)_\d{1,13}\.pth)\.[0-9a-f]{8}\.tmp$')
# names of the files the hook writes and may later delete
BEST_NAME = re.compile(r'^best_[\w.-]{1,200}_(iter|epoch)_\d{1,13}\.pth$')


class CheckpointWriteError(UserInputError):
    """A checkpoint could not be written (full disk, read-only folder)."""


@HOOKS.register_module()
class DurableCheckpointHook(CheckpointHook):
    """mmengine's CheckpointHook with writes that survive crashes.

    - Checkpoints and ``last_checkpoint`` are written through the
      ``atomic_local`` file backend (temporary file, fsync, rename, fsync of
      the folder) when they go to a local folder.
    - Outdated checkpoints are deleted only after the new one is complete,
      and never those at ``keep_iters`` (a later config may load them).
    - A failed write (full disk, read-only or vanished folder) stops the
      run with one line; the previous checkpoint and ``last_checkpoint``
      stay as they were.

    - ``--resume`` from a checkpoint of another model (depth, norm, heads,
      random vs pretrained init, or any weight of another shape) stops in
      one line naming both, unless ``resume_other_model=True``.
    - What retention deletes is this run's own: ``keep_ckpt_ids`` from the
      resumed checkpoint keeps only steps the run has reached (never
      ``keep_iters``), a best checkpoint is replaced only as the file of
      its name in this work dir; temporary files of interrupted writes are
      removed when training starts.

    Args:
        keep_iters (Sequence[int]): steps (iterations, or epochs with
            ``by_epoch=True``) whose checkpoints ``max_keep_ckpts`` never
            deletes. Defaults to ().
        resume_other_model (bool): allow resuming from a checkpoint whose
            model differs from the config's. Defaults to False.
        **kwargs: the arguments of mmengine's ``CheckpointHook``.
    """

    def __init__(self, keep_iters: Sequence[int] = (),
                 resume_other_model: bool = False, **kwargs) -> None:
        if not all(isinstance(i, int) and i > 0 for i in keep_iters):
            raise ValueError(f'keep_iters={keep_iters!r} must be a list of '
                             'positive ints (checkpoint steps to keep)')
        out_dir = kwargs.get('out_dir')
        if kwargs.get('backend_args') is None and \
                kwargs.get('file_client_args') is None and \
                (out_dir is None or '://' not in str(out_dir)):
            kwargs['backend_args'] = dict(backend='atomic_local')
        super().__init__(**kwargs)
        self.keep_iters = set(keep_iters)
        self.saved_step: Optional[int] = None
        self.resume_other_model = resume_other_model

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint.setdefault('meta', {})[IDENTITY_KEY] = model_identity(
            runner.cfg.get('model'))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Refuse to resume a run from another model's checkpoint."""
        if not runner.cfg.get('resume'):
            return
        meta = checkpoint.get('meta')
        if not isinstance(meta, dict) or not isinstance(meta.get('iter'),
                                                        int):
            raise UserInputError(
                'the checkpoint to resume holds weights only (no '
                'iteration, optimizer or schedule to continue); start a new '
                'run from these weights with load_from=PATH instead')
        missing = [key for key in RESUMED_FROM if key not in checkpoint] + \
            [f'meta.{key}' for key in RESUMED_FROM_META if key not in meta]
        if missing:
            raise UserInputError(
                f'the checkpoint to resume has no {", ".join(missing)} '
                '(mmengine writes them into every checkpoint of a run); '
                'resume from another checkpoint, or start a new run from '
                'its weights with load_from=PATH')
        if self.resume_other_model:
            return
        theirs = saved_identity(meta)
        ours = model_identity(runner.cfg.get('model'))
        if theirs is not None and [list(x) if isinstance(x, tuple) else x
                                   for x in theirs] != ours:
            name = meta.get('experiment_name', '?')
            raise UserInputError(
                f'cannot resume: the checkpoint (run {name}) holds '
                f'{describe(theirs)}, this config '
                f'({osp.basename(runner.cfg.filename or "?")}) '
                f'{describe(ours)}; resume this config\'s own run, or set '
                'default_hooks.checkpoint.resume_other_model=True if that '
                'is what you mean')
        fit = weights_fit(runner.model, checkpoint)
        if fit.missing or fit.other_shape:
            raise UserInputError(
                f'cannot resume: the checkpoint holds {fit.describe()}; '
                'its run trained another model (e.g. another width or '
                'head): resume that config\'s run, start a new run from its '
                'weights with load_from=PATH, or set '
                'default_hooks.checkpoint.resume_other_model=True if that is '
                'what you mean')

    def save_at(self, runner, step: int, transient: bool = False) -> None:
        """Save ``iter_{step}.pth`` now, outside the interval.

        A ``transient`` checkpoint (a save on a stop signal or on the
        wall-clock interval) is not counted by ``max_keep_ckpts``: the next
        checkpoint of any kind replaces it.
        """
        meta = dict(epoch=runner.epoch, iter=step) if not self.by_epoch \
            else dict(epoch=step, iter=runner.iter)
        self._save_checkpoint_with_step(runner, step, meta,
                                        counted=not transient)

    def _save_checkpoint_with_step(self, runner, step: int,
                                   meta: Optional[dict],
                                   counted: bool = True) -> None:
        # replaces mmengine's (pinned in mmscratch/utils/upstream.py):
        # its bookkeeping, plus transient checkpoints, atomic
        # last_checkpoint and one-line write errors
        previous = runner.message_hub.get_info('last_ckpt')
        outdated = []
        if counted and self.max_keep_ckpts > 0 and (not self.keep_ckpt_ids or
                                        self.keep_ckpt_ids[-1] != step):
            self.keep_ckpt_ids.append(step)
            while len(self.keep_ckpt_ids) > self.max_keep_ckpts:
                outdated.append(self.keep_ckpt_ids.popleft())
            runner.message_hub.update_info('keep_ckpt_ids',
                                           list(self.keep_ckpt_ids))
        filename = self.filename_tmpl.format(step)
        self.last_ckpt = self.file_backend.join_path(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        transient = runner.message_hub.get_info(TRANSIENT_KEY)
        runner.message_hub.update_info(TRANSIENT_KEY,
                                       None if counted else step)
        for hook in runner.hooks:
            if isinstance(hook, RNGStateHook):
                hook.collect(runner)  # every rank's streams, for rank 0
            elif isinstance(hook, ComputeBudgetHook):
                hook.sync_before_saving(runner, step)  # all ranks' counts
        try:
            runner.save_checkpoint(
                self.out_dir, filename, self.file_client_args,
                save_optimizer=self.save_optimizer,
                save_param_scheduler=self.save_param_scheduler,
                meta=meta, by_epoch=self.by_epoch,
                backend_args=self.backend_args, **self.args)
            if is_main_process():
                atomic_write(self.last_ckpt,
                             osp.join(runner.work_dir, 'last_checkpoint'))
        except OSError as err:
            kept = (f'the previous checkpoint ({osp.basename(previous)}) is '
                    'intact' if previous and previous != self.last_ckpt
                    else 'no earlier checkpoint was written')
            raise CheckpointWriteError(
                f'cannot write checkpoint {self.last_ckpt}: '
                f'{err.strerror or err}; {kept}; free space or fix the '
                'folder, then resume the run') from None
        self.saved_step = step
        if transient is not None and transient != step and \
                transient not in getattr(self, 'keep_ckpt_ids', ()):
            outdated.append(transient)  # replaced by this checkpoint
        if is_main_process():
            for old in outdated:
                if old not in self.keep_iters:
                    self._remove(self.filename_tmpl.format(old))

    def _remove(self, filename: str) -> None:
        path = self.file_backend.join_path(self.out_dir, filename)
        if self.file_backend.isfile(path):
            self.file_backend.remove(path)
        elif self.file_backend.isdir(path):  # a sharded (DeepSpeed) one
            self.file_backend.rmtree(path)

    def before_train(self, runner) -> None:
        self._own_steps_only(runner)
        super().before_train(runner)
        self._own_best_only(runner)
        self._resumed_file_is_saved(runner)
        self._remove_interrupted_writes(runner)
        if self.max_keep_ckpts > 0:
            # without mmengine's maxlen: outdated ids are deleted above,
            # once the new checkpoint is complete
            self.keep_ckpt_ids = deque(self.keep_ckpt_ids)

    def _remove_interrupted_writes(self, runner) -> None:
        """Delete the temporary files of writes a SIGKILL interrupted
        (``.iter_N.pth.<hex>.tmp``, as the atomic backend names them)."""
        if not is_main_process() or '://' in str(self.out_dir) or \
                not osp.isdir(self.out_dir):
            return
        left = [name for name in os.listdir(self.out_dir)
                if INTERRUPTED_WRITE.match(name)]
        for name in left:
            os.remove(osp.join(self.out_dir, name))
        if left:
            runner.logger.warning(
                f'removed {len(left)} temporary file(s) of an interrupted '
                f'checkpoint write from {self.out_dir} (e.g. {left[0]})')

    def _resumed_file_is_saved(self, runner) -> None:
        """A run resumed from its own work dir's checkpoint of this step
        has it saved already: a stop before the next step (e.g. during
        the validation of this step) keeps that file rather than writing
        it again as a transient checkpoint, which the next save would
        delete."""
        step = runner.epoch if self.by_epoch else runner.iter
        loaded = runner.cfg.get('load_from')
        if not runner.cfg.get('resume') or not step or \
                not isinstance(loaded, str) or '://' in str(self.out_dir):
            return
        own = osp.join(self.out_dir, self.filename_tmpl.format(step))
        if osp.realpath(own) == osp.realpath(loaded):
            self.saved_step, self.last_ckpt = step, own

    def _own_steps_only(self, runner) -> None:
        """Let retention delete only checkpoints this run wrote.

        The message hub comes from the resumed checkpoint, and mmengine's
        ``before_train`` deletes the steps its ``keep_ckpt_ids`` lists
        beyond ``max_keep_ckpts``. Kept: steps this run has reached, once
        each, that are not ``keep_iters`` (never deleted); the same for the
        step of a transient checkpoint, which the next save replaces.
        """
        hub = runner.message_hub
        reached = runner.epoch if self.by_epoch else runner.iter
        transient = hub.runtime_info.get(TRANSIENT_KEY)
        if transient is not None and not (
                type(transient) is int and 0 < transient <= reached):
            hub.update_info(TRANSIENT_KEY, None)
        ids = hub.runtime_info.get('keep_ckpt_ids')
        if ids is None:
            return
        own = []
        for step in ids if isinstance(ids, list) else ():
            if type(step) is int and 0 < step <= reached and \
                    step not in own and step not in self.keep_iters:
                own.append(step)
        hub.update_info('keep_ckpt_ids', own)

    def _own_best_only(self, runner) -> None:
        """The best checkpoints mmengine will replace (delete), taken by
        their file name (``best_<metric>_iter_<n>.pth``) in this run's
        folder; any other path is forgotten."""
        def own(path):
            name = osp.basename(path) if isinstance(path, str) else ''
            return self.file_backend.join_path(self.out_dir, name) \
                if BEST_NAME.match(name) else None
        if getattr(self, 'best_ckpt_path', None) is not None:
            self.best_ckpt_path = own(self.best_ckpt_path)
            runner.message_hub.update_info('best_ckpt', self.best_ckpt_path)
        paths = getattr(self, 'best_ckpt_path_dict', None) or {}
        for key, path in paths.items():
            if path is not None:
                paths[key] = own(path)
                runner.message_hub.update_info(f'best_ckpt_{key}',
                                               paths[key])
