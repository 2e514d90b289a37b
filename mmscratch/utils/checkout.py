"""Where mmscratch's configs and tools are: the checkout it is installed
from (``pip install -e .``), else the copies an installed wheel holds in
``mmscratch/.mim`` (the OpenMMLab place, where mmengine looks for
``mmscratch::`` configs)."""
import os.path as osp

PACKAGE = osp.dirname(osp.dirname(osp.abspath(__file__)))
_CHECKOUT = osp.dirname(PACKAGE)
REPO = _CHECKOUT if osp.isfile(osp.join(_CHECKOUT, 'tools', 'train.py')) \
    and osp.isdir(osp.join(_CHECKOUT, 'configs')) \
    else osp.join(PACKAGE, '.mim')
SCOPE = 'mmscratch::'


def enable_config_scope() -> None:
    """Let mmengine read ``_base_ = 'mmscratch::scratch/...py'``: adds
    mmscratch to the packages whose configs mmengine resolves (our tools do
    this before they read a config; importing mmscratch does not)."""
    from mmengine.config.utils import MODULE2PACKAGE
    MODULE2PACKAGE.setdefault('mmscratch', 'mmscratch')


def tool_command(name: str) -> str:
    """How a user runs tool ``name`` (``train``, ``dist-train``, ...):
    ``python tools/train.py`` in a checkout, ``mmscratch train`` with an
    installed wheel."""
    if REPO != _CHECKOUT:
        return f'mmscratch {name}'
    from ..cli.main import TOOLS
    script = TOOLS[name]
    return f'tools/{script}' if script.endswith('.sh') else \
        f'python tools/{script}'


def repo_file(path: str) -> str:
    """``path`` itself when it exists; else, for a relative path such as
    ``configs/scratch/...`` or ``mmscratch::scratch/...``, the file of the
    configs and tools above, when it exists there; else ``path``."""
    if path.startswith(SCOPE):
        return osp.join(REPO, 'configs', path[len(SCOPE):])
    if osp.exists(path) or osp.isabs(path):
        return path
    there = osp.join(REPO, path)
    return there if osp.exists(there) else path
