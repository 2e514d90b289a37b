"""Shared fixtures: synthetic data and tiny training runs made at test time."""
import os
import os.path as osp
import subprocess
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIG = osp.join(ROOT, 'configs/demo/mask_rcnn_r18_gn_synthetic.py')
FLAGSHIP = osp.join(ROOT, 'configs/scratch/mask_rcnn_r50_gn_6x.py')


def run_tool(args, cwd=ROOT, env=None, timeout=900):
    """Run a tool of the repo with this interpreter; return the process."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    full_env['PYTHONPATH'] = ROOT + os.pathsep + full_env.get(
        'PYTHONPATH', '')
    cmd = args if args[0].endswith('.sh') else [sys.executable] + list(args)
    return subprocess.run(cmd, cwd=cwd, env=full_env, capture_output=True,
                          text=True, timeout=timeout)


def data_options(data_root):
    """--cfg-options that point a config at a synthetic dataset."""
    root = data_root.rstrip('/') + '/'
    ann = root + 'annotations/instances_val.json'
    return [
        f'train_dataloader.dataset.data_root={root}',
        'train_dataloader.dataset.ann_file=annotations/instances_train.json',
        'train_dataloader.dataset.data_prefix.img=train/',
        f'val_dataloader.dataset.data_root={root}',
        'val_dataloader.dataset.ann_file=annotations/instances_val.json',
        'val_dataloader.dataset.data_prefix.img=val/',
        f'test_dataloader.dataset.data_root={root}',
        'test_dataloader.dataset.ann_file=annotations/instances_val.json',
        'test_dataloader.dataset.data_prefix.img=val/',
        f'val_evaluator.ann_file={ann}',
        f'test_evaluator.ann_file={ann}',
    ]


@pytest.fixture(scope='session')
def synthetic_data(tmp_path_factory):
    """A small synthetic COCO dataset: 48 train and 12 val images."""
    from mmscratch.datasets import make_synthetic_coco
    root = str(tmp_path_factory.mktemp('synthetic'))
    make_synthetic_coco(root, dict(train=48, val=12), image_size=(96, 96),
                        seed=3)
    return root
