"""mmscratch: train MMDetection detectors from random initialization."""
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version

from packaging.version import Version

from .version import __version__

SETUP_HINT = 'run `make setup` (or `bash tools/setup_env.sh`) in the repo'

# (package, minimum inclusive, maximum exclusive), as mmdet 3.3.0 requires;
# torch >= 2.0 for the checkpoint reader's storages (UntypedStorage).
_REQUIRED = (
    ('torch', '2.0.0', '3.0.0'),
    ('mmcv', '2.0.0rc4', '2.2.0'),
    ('mmengine', '0.7.1', '1.0.0'),
    ('mmdet', '3.3.0', '3.4.0'),
)


def _check_versions() -> None:
    """Fail early, with the command that fixes it, on a wrong install."""
    for name, low, high in _REQUIRED:
        try:
            found = installed_version(name)
        except PackageNotFoundError:
            raise ImportError(
                f'mmscratch needs {name}>={low},<{high}, which is not '
                f'installed; {SETUP_HINT}.') from None
        if not Version(low) <= Version(found) < Version(high):
            raise ImportError(
                f'mmscratch needs {name}>={low},<{high} but found {found}; '
                f'{SETUP_HINT}.')
    try:
        from mmcv import ops  # noqa: F401
    except (ImportError, ModuleNotFoundError, OSError) as err:
        raise ImportError(
            f'mmcv is installed without its compiled ops ({err}); '
            f'{SETUP_HINT} to build mmcv 2.1.0 with MMCV_WITH_OPS=1.'
        ) from None


_check_versions()

# Importing mmscratch registers classes in mmdet's registries, the
# ``atomic_local`` file backend and mmengine checkpoint-loader schemes; it
# changes no attribute of mmcv, mmengine, mmdet, torch or matplotlib.
from .checkpoint import register_checkpoint_loader  # noqa: E402

register_checkpoint_loader()

from . import fileio  # noqa: E402,F401  (registers 'atomic_local')
from .datasets import (PositionedAspectRatioBatchSampler,  # noqa: E402
                       PositionedInfiniteSampler, PositionedStream,
                       SeededConcatDataset, SeededSkippingCocoDataset)
from .engine import (ComputeBudgetHook, ConvergenceHook,  # noqa: E402
                     DurableCheckpointHook, InvalidLossHook,
                     KeepPathsDetVisualizationHook, PlainCheckpointHook,
                     PositionedIterBasedTrainLoop,
                     PreemptionHook, RelativeMultiStepLR, ResumeConfigHook,
                     RNGStateHook, ScratchAuditError, ScratchAuditHook,
                     UnreadableImagesHook)
from .engine.optim import MixedPrecisionOptimWrapper  # noqa: E402
from .evaluation import FastCocoMetric  # noqa: E402
from .models import (Float32NMSRPNHead, Float32RoIExtractor,  # noqa: E402
                     InstanceSegTTAModel, LastStageMaskCascadeRoIHead)

__all__ = [
    '__version__', 'ComputeBudgetHook', 'ConvergenceHook',
    'DurableCheckpointHook', 'FastCocoMetric', 'Float32NMSRPNHead',
    'Float32RoIExtractor', 'InstanceSegTTAModel', 'InvalidLossHook',
    'KeepPathsDetVisualizationHook',
    'LastStageMaskCascadeRoIHead', 'MixedPrecisionOptimWrapper',
    'PlainCheckpointHook', 'PositionedAspectRatioBatchSampler',
    'PositionedInfiniteSampler', 'PositionedIterBasedTrainLoop',
    'PositionedStream', 'SeededConcatDataset',
    'PreemptionHook', 'RelativeMultiStepLR', 'ResumeConfigHook',
    'RNGStateHook', 'ScratchAuditError', 'ScratchAuditHook',
    'SeededSkippingCocoDataset', 'UnreadableImagesHook'
]
