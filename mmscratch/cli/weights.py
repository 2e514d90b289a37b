"""Does a checkpoint hold the weights of the model it is tested with?"""
from mmengine.hooks import Hook
from mmengine.runner.checkpoint import CheckpointLoader
from torch import nn

from ..checkpoint.weights_fit import weights_fit
from ..utils.errors import UserInputError


def check_weights_fit(model: nn.Module, filename: str,
                      checkpoint=None) -> int:
    """Count the model's weights that ``filename`` holds, name and shape.

    ``checkpoint``: the file's content when it is loaded already.

    Returns:
        int: how many matched (all of them).

    Raises:
        UserInputError: some weights of the model are missing from the
            checkpoint or have another shape there (testing would report
            the AP of randomly initialised layers).
    """
    if checkpoint is None:
        checkpoint = CheckpointLoader.load_checkpoint(
            filename, map_location='cpu')
    fit = weights_fit(model, checkpoint)
    if fit.missing or fit.other_shape:
        raise UserInputError(
            f'checkpoint {filename} fits {fit.describe()}; it was not '
            'trained with this config: pass the config of its run')
    return fit.matched


class WeightsFitCheck(Hook):
    """Runs :func:`check_weights_fit` on the checkpoint the runner loads,
    before its weights go into the model: the file is read once."""
    priority = 'VERY_HIGH'

    def __init__(self, filename: str):
        self.filename = filename

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        check_weights_fit(runner.model, self.filename, checkpoint)
