"""How many of a model's weights a loaded checkpoint holds."""
from typing import List, NamedTuple

from mmengine.model import BaseTTAModel, is_model_wrapper
from torch import nn


class WeightsFit(NamedTuple):
    """The model's weights found in a checkpoint, by name and shape."""
    total: int
    missing: List[str]
    other_shape: List[str]

    @property
    def matched(self) -> int:
        return self.total - len(self.missing) - len(self.other_shape)

    def describe(self) -> str:
        """e.g. ``12 of the model's 340 weights (0 missing, 328 of another
        shape, e.g. backbone.conv1.weight)``."""
        example = (self.other_shape or self.missing or ['-'])[0]
        return (f'{self.matched} of the model\'s {self.total} weights '
                f'({len(self.missing)} missing, {len(self.other_shape)} of '
                f'another shape, e.g. {example[:80]})')


def bare_model(model: nn.Module) -> nn.Module:
    """The detector inside DDP or test-time-augmentation wrappers."""
    while is_model_wrapper(model) or isinstance(model, BaseTTAModel):
        model = model.module
    return model


def weights_fit(model: nn.Module, checkpoint) -> WeightsFit:
    """Compare the model's state dict with a loaded checkpoint's (its
    ``state_dict``, or the checkpoint itself for a bare state dict; the
    ``module.`` prefix of DDP runs is ignored)."""
    saved = checkpoint.get('state_dict', checkpoint) \
        if isinstance(checkpoint, dict) else {}
    saved = {k[len('module.'):] if k.startswith('module.') else k: v
             for k, v in saved.items() if hasattr(v, 'shape')}
    wanted = bare_model(model).state_dict()
    missing = [k for k in wanted if k not in saved]
    other_shape = [k for k in wanted if k in saved and
                   tuple(saved[k].shape) != tuple(wanted[k].shape)]
    return WeightsFit(len(wanted), missing, other_shape)
