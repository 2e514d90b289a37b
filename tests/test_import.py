"""Importing mmscratch changes nothing in mmcv, mmengine, torch, matplotlib.

Only registrations are allowed: classes in mmdet's registries, the
``atomic_local`` file backend and mmengine checkpoint-loader schemes.
"""
import json
import subprocess
import sys

from conftest import ROOT

PROBE = r'''
import json, sys, types, warnings
import matplotlib
matplotlib.use('svg')  # a user's choice that mmscratch must keep
import mmcv.ops, mmcv.ops.nms, mmcv.ops.roi_align
import mmengine.fileio, mmengine.fileio.io, mmengine.runner
import mmengine.runner.checkpoint as ckpt
import torch, torch.serialization
import mmdet.engine, mmdet.evaluation, mmdet.models, mmdet.datasets
import mmdet.evaluation.metrics.coco_metric
from mmengine.fileio.backends import registry_utils

PREFIXES = ('mmcv', 'mmengine', 'mmdet', 'torch', 'matplotlib', 'numpy')


def snapshot():
    return {name: {k: id(v) for k, v in vars(mod).items()}
            for name, mod in list(sys.modules.items())
            if name.split('.')[0] in PREFIXES and mod is not None}


before = snapshot()
safe = list(torch.serialization.get_safe_globals())
backends = dict(registry_utils.backends)
prefixes = dict(registry_utils.prefix_to_backends)
schemes = dict(ckpt.CheckpointLoader._schemes)
filters = list(warnings.filters)
import mmscratch  # noqa
after = snapshot()
changed = []
for name, attrs in before.items():
    now = after[name]
    for key, ident in attrs.items():
        if now.get(key) != ident:
            changed.append(f'{name}.{key}')
    for key in set(now) - set(attrs):
        if not isinstance(getattr(sys.modules[name], key), types.ModuleType):
            changed.append(f'{name}.{key} (added)')
print(json.dumps(dict(
    changed=changed,
    safe_globals_same=list(torch.serialization.get_safe_globals()) == safe,
    new_backends=sorted(set(registry_utils.backends) - set(backends)),
    local_backend_same=registry_utils.backends['local'] is backends['local'],
    prefixes_same=registry_utils.prefix_to_backends == prefixes,
    schemes_added=sorted(set(ckpt.CheckpointLoader._schemes) - set(schemes)),
    schemes_replaced={
        k: f'{v.__module__}.{v.__name__}'
        for k, v in ckpt.CheckpointLoader._schemes.items()
        if schemes.get(k) is not v},
    backend=matplotlib.get_backend(),
    filters_same=warnings.filters == filters,
    nms=sys.modules['mmcv.ops.nms'].nms.__module__,
)))
'''


def test_import_patches_nothing():
    proc = subprocess.run([sys.executable, '-c', PROBE], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found['changed'] == []
    assert found['safe_globals_same']
    assert found['new_backends'] == ['atomic_local']
    assert found['local_backend_same'] and found['prefixes_same']
    assert found['schemes_added'] == []  # replaced by name, none added
    loader = 'mmscratch.checkpoint.loader.load_'
    assert found['schemes_replaced'] == {
        '': loader + 'local_checkpoint',
        'http://': loader + 'http_checkpoint',
        'https://': loader + 'http_checkpoint',
        'open-mmlab://': loader + 'openmmlab_checkpoint',
        'openmmlab://': loader + 'openmmlab_checkpoint'}
    assert found['backend'] == 'svg'  # (mmdet itself imports pyplot)
    assert found['filters_same']
    assert found['nms'] == 'mmcv.ops.nms'


def test_every_registered_class_is_exported():
    """What mmscratch registers can be imported from ``mmscratch``."""
    code = ('import json, mmscratch\n'
            'from mmengine.registry import Registry\n'
            'import mmdet.registry as r, mmengine.registry as e\n'
            'found = set()\n'
            'for reg in list(vars(r).values()) + list(vars(e).values()):\n'
            '    if isinstance(reg, Registry):\n'
            '        found |= {c.__name__ for c in reg.module_dict.values()\n'
            '                  if c.__module__.startswith("mmscratch")}\n'
            'print(json.dumps(sorted(found)))\n')
    proc = subprocess.run([sys.executable, '-c', code], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    registered = json.loads(proc.stdout.strip().splitlines()[-1])
    import mmscratch
    assert len(registered) > 15
    assert sorted(set(registered) - set(mmscratch.__all__)) == []
