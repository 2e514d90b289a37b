"""The checkpoint loader mmengine uses once mmscratch is imported.

Local files, ``http(s)://`` and ``open-mmlab://`` checkpoints (``load_from``,
``--resume``, ``init_cfg=dict(type='Pretrained')``, ``tools/test.py``) are
read by :func:`read_plain_checkpoint`, which rebuilds plain data only and
refuses anything else in one line. A file the user vouches for, through
the ``MMSCRATCH_TRUSTED_CHECKPOINTS`` environment variable (paths of files
or folders, separated by ``os.pathsep``) or :func:`trust_checkpoint`, is
loaded by ``torch.load(weights_only=False)`` instead: it may run code.

The only global change is the registration of these schemes in mmengine's
``CheckpointLoader``; ``torch.load`` itself is left as it is.
"""
import hashlib
import os
import os.path as osp
import zipfile
from typing import Set

import torch
from mmengine.runner.checkpoint import (CheckpointLoader,
                                        get_deprecated_model_names,
                                        get_external_models)

from ..utils.errors import UserInputError, printable_line
from .plain_reader import (MalformedCheckpoint, RefusedObject,
                           read_plain_checkpoint, shown)
from .schema import check_checkpoint

TRUST_ENV = 'MMSCRATCH_TRUSTED_CHECKPOINTS'
_trusted: Set[str] = set()
# the first bytes of a pickle of protocol 2 or later: the pre-1.6 format
_LEGACY_MAGIC = b'\x80'


def trust_checkpoint(path: str) -> None:
    """Allow full (code-running) unpickling of ``path``, a file or folder."""
    _trusted.add(osp.realpath(path))


def trusted_paths() -> Set[str]:
    """Paths the user vouches for: :func:`trust_checkpoint` plus the env."""
    env = [p for p in os.environ.get(TRUST_ENV, '').split(os.pathsep) if p]
    return _trusted | {osp.realpath(p) for p in env}


def is_trusted(filename: str) -> bool:
    """Whether ``filename`` is a trusted file or lies in a trusted folder."""
    real = osp.realpath(filename)
    return any(real == p or real.startswith(p.rstrip(os.sep) + os.sep)
               for p in trusted_paths())


# config texts some writers keep in ``meta``; mmengine's resume executes
# ``meta['config']`` (Config.fromstring), so it is dropped at load
EXECUTED_META_KEYS = ('config',)


def without_executable_text(checkpoint):
    """``checkpoint`` without the meta entries that mmengine would execute
    as Python on resume. ``meta['cfg']`` stays, as text nobody runs."""
    meta = checkpoint.get('meta') if isinstance(checkpoint, dict) else None
    if isinstance(meta, dict):
        for key in EXECUTED_META_KEYS:
            meta.pop(key, None)
    return checkpoint


def load_local_checkpoint(filename: str, map_location=None):
    """Load a local checkpoint as plain data, or fully if trusted.

    Config text that mmengine would execute on resume is dropped
    (:func:`without_executable_text`), trusted or not.

    Raises:
        UserInputError: the file is missing, not a checkpoint, truncated,
            or holds objects other than plain data.
    """
    filename = osp.expanduser(filename)
    if osp.isdir(filename):
        raise UserInputError(
            f'checkpoint {filename} is a folder; pass a .pth file in it')
    if not osp.isfile(filename):
        raise UserInputError(
            f'checkpoint {filename} does not exist; check the path given to '
            'resume, load_from, init_cfg or the test as its checkpoint')
    try:
        with open(filename, 'rb') as f:
            head = f.read(1)
    except OSError as err:
        raise UserInputError(
            f'cannot read checkpoint {filename} ({err.strerror or err}); '
            'check its permissions') from None
    if is_trusted(filename):
        return _checked(filename, torch.load(
            filename, map_location=map_location, weights_only=False))
    trust = f'if you trust this file, set {TRUST_ENV}={filename} and run again'
    if not zipfile.is_zipfile(filename):
        if head == _LEGACY_MAGIC:
            raise UserInputError(
                f'checkpoint {filename} is in the format of torch < 1.6, '
                f'which this loader does not read; {trust}')
        raise UserInputError(
            f'checkpoint {filename} is truncated or not a PyTorch checkpoint;'
            ' use another checkpoint (or an earlier one of the run)')
    try:
        checkpoint = read_plain_checkpoint(filename, map_location)
    except MalformedCheckpoint as err:
        raise _crafted(filename, err) from None
    except RefusedObject as err:
        raise UserInputError(
            f'checkpoint {filename} holds {one_line(err)}, which is not '
            'plain data (tensors, numbers, strings, containers, numeric '
            f'numpy arrays); {trust}') from None
    except RuntimeError as err:  # e.g. saved on CUDA, loaded without it
        raise UserInputError(
            f'checkpoint {filename} cannot be loaded here: '
            f'{one_line(err)}') from None
    except Exception as err:  # anything else a damaged file can cause
        raise UserInputError(
            f'checkpoint {filename} is damaged or not a PyTorch checkpoint '
            f'({type(err).__name__}: {one_line(err)}); use another '
            'checkpoint') from None
    return _checked(filename, checkpoint)


def _checked(filename: str, checkpoint):
    """``checkpoint`` after the layout and schema checks, without the text
    mmengine would execute."""
    try:
        check_layout(checkpoint)
        check_checkpoint(checkpoint)
    except MalformedCheckpoint as err:
        raise _crafted(filename, err) from None
    return without_executable_text(checkpoint)


def _crafted(filename: str, err: MalformedCheckpoint) -> UserInputError:
    return UserInputError(
        f'checkpoint {filename} is damaged or crafted ({one_line(err)}); '
        'do not load it, use another checkpoint')


def one_line(err: BaseException, limit: int = 160) -> str:
    """An exception's text on one printable line (control characters
    escaped), at most ``limit`` characters."""
    return printable_line(str(err), limit)


def check_layout(checkpoint) -> None:
    """The shape mmengine expects: a dict with string keys; its
    ``state_dict`` maps names to tensors; ``meta``, ``optimizer`` and
    ``message_hub`` are dicts when present.

    Raises:
        MalformedCheckpoint: another shape.
    """
    if not isinstance(checkpoint, dict):
        raise MalformedCheckpoint(
            f'the checkpoint is a {type(checkpoint).__name__}, not a dict')
    for key in ('meta', 'optimizer', 'message_hub'):
        if key in checkpoint and not isinstance(checkpoint[key], dict):
            raise MalformedCheckpoint(
                f"its '{key}' is a {type(checkpoint[key]).__name__}, not a "
                'dict')
    weights = checkpoint.get('state_dict', checkpoint)
    if not isinstance(weights, dict):
        raise MalformedCheckpoint(
            f"its 'state_dict' is a {type(weights).__name__}, not a dict")
    for name, value in weights.items():
        if not isinstance(name, str):
            raise MalformedCheckpoint(
                f'a weight named by {shown(name)}')
        # a bare state dict may carry other entries, which mmengine skips
        if weights is not checkpoint and not isinstance(value, torch.Tensor):
            raise MalformedCheckpoint(
                f'weight {name[:60]} is a {type(value).__name__}, not a '
                'tensor')


def load_http_checkpoint(url: str, map_location=None):
    """Download ``url`` into torch's hub cache (once) and load it.

    The cached file is named by a hash of the whole URL and its basename,
    so two URLs ending in the same file name never share a download.
    """
    folder = osp.join(torch.hub.get_dir(), 'checkpoints')
    os.makedirs(folder, exist_ok=True)
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    path = osp.join(folder, f'{key}-{osp.basename(url.split("?")[0])}')
    if not osp.isfile(path):
        try:
            torch.hub.download_url_to_file(url, path, progress=False)
        except OSError as err:
            raise UserInputError(
                f'cannot download checkpoint {url} ({err}); download it '
                'elsewhere and pass the local path instead') from None
    return load_local_checkpoint(path, map_location)


def load_openmmlab_checkpoint(name: str, map_location=None):
    """``open-mmlab://`` / ``openmmlab://`` names as mmengine maps them."""
    model = name.split('://', 1)[1]
    model = get_deprecated_model_names().get(model, model)
    url = get_external_models().get(model)
    if url is None:
        raise UserInputError(
            f'{name} is not a known OpenMMLab model; pass a local .pth file')
    if url.startswith(('http://', 'https://')):
        return load_http_checkpoint(url, map_location)
    return load_local_checkpoint(url, map_location)


def register_checkpoint_loader() -> None:
    """Route mmengine's local, http(s) and open-mmlab loading through here.

    A registration in mmengine's ``CheckpointLoader`` (like any scheme);
    idempotent.
    """
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_local_checkpoint, force=True)
    CheckpointLoader.register_scheme(
        prefixes=('http://', 'https://'), loader=load_http_checkpoint,
        force=True)
    CheckpointLoader.register_scheme(
        prefixes=('open-mmlab://', 'openmmlab://'),
        loader=load_openmmlab_checkpoint, force=True)
