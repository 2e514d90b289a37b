"""A user's config that _base_-inherits a scratch config trains."""
import os.path as osp

import pytest

from conftest import FLAGSHIP, ROOT, run_tool

pytestmark = pytest.mark.slow


def test_inherit_change_classes_and_data(synthetic_data, tmp_path):
    from mmscratch.datasets import CATEGORIES
    root = synthetic_data.rstrip('/') + '/'
    user_cfg = tmp_path / 'my_shapes.py'
    user_cfg.write_text(f'''
_base_ = '{FLAGSHIP}'
classes = {tuple(CATEGORIES)!r}
metainfo = dict(classes=classes)
model = dict(roi_head=dict(
    bbox_head=dict(num_classes=len(classes)),
    mask_head=dict(num_classes=len(classes))))
small = [dict(type='LoadImageFromFile'),
         dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
         dict(type='Resize', scale=(96, 96), keep_ratio=True),
         dict(type='PackDetInputs')]
train_dataloader = dict(
    batch_size=1, num_workers=0, persistent_workers=False,
    dataset=dict(data_root='{root}', metainfo=metainfo,
                 ann_file='annotations/instances_train.json',
                 data_prefix=dict(img='train/'), pipeline=small))
val_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(data_root='{root}', metainfo=metainfo,
                 ann_file='annotations/instances_val.json',
                 data_prefix=dict(img='val/')))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file='{root}annotations/instances_val.json')
test_evaluator = val_evaluator
train_cfg = dict(max_iters=2, val_begin=100)
default_hooks = dict(checkpoint=dict(interval=2))
''')
    proc = run_tool([osp.join(ROOT, 'tools/train.py'), str(user_cfg),
                     '--work-dir',
                     str(tmp_path / 'work')], cwd=str(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / 'work' / 'iter_2.pth').is_file()
    assert 'the run trains from scratch' in proc.stdout + proc.stderr
