"""Does a checkpoint hold the weights of the model it is tested with?"""
from mmengine.hooks import Hook
from mmengine.model import BaseTTAModel, is_model_wrapper
from mmengine.runner.checkpoint import CheckpointLoader
from torch import nn

from ..utils.errors import UserInputError


def _bare(model: nn.Module) -> nn.Module:
    """The detector inside DDP or test-time-augmentation wrappers."""
    while is_model_wrapper(model) or isinstance(model, BaseTTAModel):
        model = model.module
    return model


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
    saved = checkpoint.get('state_dict', checkpoint) \
        if isinstance(checkpoint, dict) else {}
    saved = {k[len('module.'):] if k.startswith('module.') else k: v
             for k, v in saved.items() if hasattr(v, 'shape')}
    wanted = _bare(model).state_dict()
    missing = [k for k in wanted if k not in saved]
    other_shape = [k for k in wanted if k in saved and
                   tuple(saved[k].shape) != tuple(wanted[k].shape)]
    matched = len(wanted) - len(missing) - len(other_shape)
    if missing or other_shape:
        example = (other_shape or missing)[0]
        raise UserInputError(
            f'checkpoint {filename} fits {matched} of the model\'s '
            f'{len(wanted)} weights ({len(missing)} missing, '
            f'{len(other_shape)} of another shape, e.g. {example}); it was '
            'not trained with this config: pass the config of its run')
    return matched


class WeightsFitCheck(Hook):
    """Runs :func:`check_weights_fit` on the checkpoint the runner loads,
    before its weights go into the model: the file is read once."""
    priority = 'VERY_HIGH'

    def __init__(self, filename: str):
        self.filename = filename

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        check_weights_fit(runner.model, self.filename, checkpoint)
