from mmengine.hooks import Hook
from mmengine.logging import print_log

from mmdet.registry import HOOKS
from ...utils.errors import UserInputError


class TooManyUnreadableImagesError(UserInputError):
    """More training images could not be decoded than the hook allows."""


@HOOKS.register_module()
class UnreadableImagesHook(Hook):
    """Count the training images that could not be decoded, name each in
    the log, and stop when their share of the dataset passes ``max_share``.

    The dataset (:class:`~mmscratch.datasets.SeededSkippingCocoDataset`)
    replaces such a sample by the next image and reports the skipped path
    in the batch's metainfo; this hook reads it there, so it works whichever
    loader worker decoded the batch. At the end of training the log states
    the count and the files.

    Args:
        max_share (float): stop when more than this share of the training
            images (distinct files) cannot be decoded. Defaults to 0.01.
    """
    # after the checkpoint hook: a stop keeps this iteration's checkpoint
    priority = 'LOW'

    def __init__(self, max_share: float = 0.01) -> None:
        if not isinstance(max_share, (int, float)) or \
                not 0 <= max_share <= 1:
            raise ValueError(f'max_share={max_share!r} must be in [0, 1]')
        self.max_share = float(max_share)
        self.unreadable: dict = {}  # path -> times skipped

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs=None) -> None:
        samples = (data_batch or {}).get('data_samples') or []
        for sample in samples:
            for path in sample.metainfo.get('unreadable_images', ()):
                new = path not in self.unreadable
                self.unreadable[path] = self.unreadable.get(path, 0) + 1
                if new:
                    print_log(
                        f'skipped unreadable image {path} at iteration '
                        f'{runner.iter + 1} (replaced by the next image; '
                        f'{len(self.unreadable)} unreadable so far)',
                        logger='current', level=30)
        if not self.unreadable:
            return
        total = len(runner.train_dataloader.dataset)
        if len(self.unreadable) > self.max_share * total:
            raise TooManyUnreadableImagesError(
                f'{len(self.unreadable)} of the {total} training images '
                f'cannot be decoded (more than max_share={self.max_share}), '
                f'e.g. {next(iter(self.unreadable))}; replace them or '
                'remove them from the annotation file (the log names each), '
                'then resume the run')

    def after_train(self, runner) -> None:
        if self.unreadable:
            skips = sum(self.unreadable.values())
            print_log(
                f'{len(self.unreadable)} unreadable training image(s) '
                f'skipped {skips} time(s) in this launch: '
                f'{", ".join(sorted(self.unreadable))}',
                logger='current', level=30)
