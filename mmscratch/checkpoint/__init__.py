from .loader import (TRUST_ENV, is_trusted, load_local_checkpoint,
                     register_checkpoint_loader, trust_checkpoint)
from .plain_reader import (MalformedCheckpoint, RefusedObject,
                           read_plain_checkpoint)

__all__ = [
    'TRUST_ENV', 'MalformedCheckpoint', 'RefusedObject', 'is_trusted',
    'load_local_checkpoint', 'read_plain_checkpoint',
    'register_checkpoint_loader', 'trust_checkpoint'
]
