"""Shared fixtures: synthetic data and tiny training runs made at test time."""
import json
import os
import os.path as osp
import pickle
import shutil
import subprocess
import sys

import numpy as np
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


def copy_data(src, dst):
    """A copy of a synthetic dataset to spoil; returns its root."""
    shutil.copytree(src, dst)
    return str(dst)


def edit_ann(root, fn):
    """Apply ``fn`` to the parsed train annotation file of ``root``."""
    path = os.path.join(root, 'annotations', 'instances_train.json')
    with open(path) as f:
        data = json.load(f)
    fn(data)
    with open(path, 'w') as f:
        json.dump(data, f)


def data_options(data_root):
    """--cfg-options that point a config at a synthetic dataset."""
    from mmscratch.datasets import synthetic_data_options
    return [f'{k}={v}' for k, v in synthetic_data_options(data_root).items()]


@pytest.fixture(scope='session')
def synthetic_data(tmp_path_factory):
    """A small synthetic COCO dataset: 48 train and 12 val images."""
    from mmscratch.datasets import make_synthetic_coco
    root = str(tmp_path_factory.mktemp('synthetic'))
    make_synthetic_coco(root, dict(train=48, val=12), image_size=(96, 96),
                        seed=3)
    return root


def synthetic_class_options(num_heads=True):
    """--cfg-options that set the synthetic categories in data and heads."""
    from mmscratch.datasets import CATEGORIES
    classes = '(' + ','.join(CATEGORIES) + ')'
    opts = [f'{loader}_dataloader.dataset.metainfo.classes={classes}'
            for loader in ('train', 'val', 'test')]
    if num_heads:
        opts += [
            f'model.roi_head.bbox_head.num_classes={len(CATEGORIES)}',
            f'model.roi_head.mask_head.num_classes={len(CATEGORIES)}',
        ]
    return opts


def small_scale_options(size=(96, 96)):
    """--cfg-options that shrink the COCO pipelines' resize to ``size``."""
    scale = f'({size[0]},{size[1]})'
    return [
        f'train_dataloader.dataset.pipeline.2.scale={scale}',
        f'val_dataloader.dataset.pipeline.1.scale={scale}',
        f'test_dataloader.dataset.pipeline.1.scale={scale}',
        'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False',
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'train_dataloader.batch_size=1',
    ]


def coco_stats(ann_file, pkl, classes):
    """bbox and segm stats of pycocotools on dumped predictions."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    coco = COCO(ann_file)
    cat_ids = coco.getCatIds(catNms=list(classes))
    with open(pkl, 'rb') as f:
        samples = pickle.load(f)
    results = dict(bbox=[], segm=[])
    for s in samples:
        pred = s['pred_instances']
        for box, score, label, rle in zip(pred['bboxes'], pred['scores'],
                                          pred['labels'], pred['masks']):
            x0, y0, x1, y1 = [float(v) for v in box]
            common = dict(image_id=s['img_id'], score=float(score),
                          category_id=cat_ids[int(label)])
            results['bbox'].append(dict(common, bbox=[x0, y0, x1 - x0,
                                                      y1 - y0]))
            rle = dict(rle)
            if isinstance(rle['counts'], bytes):
                rle['counts'] = rle['counts'].decode()
            results['segm'].append(dict(common, segmentation=rle))
    stats = {}
    for iou_type, res in results.items():
        if not res:
            stats[iou_type] = np.zeros(12)
            continue
        ev = COCOeval(coco, coco.loadRes(res), iou_type)
        ev.params.maxDets = [100, 300, 1000]  # as mmdet's CocoMetric
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
        stats[iou_type] = ev.stats
    return stats


def demo_cfg(data_root, work_dir, **overrides):
    """The demo config on a synthetic dataset, as a Config for a Runner."""
    from mmscratch.cli.config import load_config
    opts = dict(o.split('=', 1) for o in data_options(data_root))
    cfg = load_config(DEMO_CONFIG)
    cfg.merge_from_dict(opts)
    cfg.work_dir = str(work_dir)
    cfg.merge_from_dict({
        'train_cfg.max_iters': 4,
        'train_cfg.val_interval': 2,
        'default_hooks.checkpoint.interval': 2,
        'default_hooks.logger.interval': 1,
        'log_level': 'WARNING',
        'randomness.seed': 0,
    })
    cfg.merge_from_dict(overrides)
    # mmengine reuses a visualizer of the same name (and its log folder)
    # across Runners of one process: give each Runner its own
    cfg.visualizer.name = f'visualizer_{id(cfg)}_{osp.basename(work_dir)}'
    return cfg


def tiny_train_options(data_root, iters=2):
    """--cfg-options for a short real demo-config run on synthetic data."""
    return data_options(data_root) + [
        f'train_cfg.max_iters={iters}', f'train_cfg.val_interval={iters}',
        f'default_hooks.checkpoint.interval={iters}',
        'default_hooks.logger.interval=1', 'train_dataloader.batch_size=2']


@pytest.fixture(scope='session')
def trained_run(synthetic_data, tmp_path_factory):
    """Work dir of a 2-iteration run of the demo config (iter_2.pth)."""
    work = tmp_path_factory.mktemp('trained_run')
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(work),
                     '--cfg-options'] + tiny_train_options(synthetic_data))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return str(work)


def write_downstream_config(path, data_root, max_iters=2):
    """A user's config inheriting the flagship, sized for the CPU."""
    from mmscratch.datasets import CATEGORIES
    root = data_root.rstrip('/') + '/'
    path.write_text(f'''
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
train_cfg = dict(max_iters={max_iters}, val_begin=100)
default_hooks = dict(checkpoint=dict(interval=2))
''')


# Real runs stopped and resumed (tests of resume, preemption, crashes) ----
def stop_resume_options(data_root, workers=0, max_iters=8, seeded=True):
    """--cfg-options of an 8-iteration demo run that checkpoints *and*
    validates every 4 iterations, as the paper's configs do (every 30k).
    Resumed runs are not given the seed: they must continue the run's
    streams whatever seed their process drew."""
    return data_options(data_root) + (
        ['randomness.seed=0'] if seeded else []) + [
        f'train_dataloader.num_workers={workers}',
        f'train_dataloader.persistent_workers={workers > 0}',
        f'train_cfg.max_iters={max_iters}', 'train_cfg.val_interval=4',
        'default_hooks.checkpoint.interval=4',
        'default_hooks.checkpoint.max_keep_ckpts=-1',
        'default_hooks.logger.interval=1',
        'val_dataloader.batch_size=4',  # 3 validation iterations
        'model.test_cfg.rcnn.score_thr=0.0',  # non-empty metrics
    ]


def helper_config(config, directory, helper, extra=''):
    """``config`` with a module of tests/helpers imported too, and the
    ``extra`` config lines."""
    path = osp.join(str(directory), f'{helper}_cfg.py')
    with open(path, 'w') as f:
        f.write(f"_base_ = '{config}'\ncustom_imports = dict(imports=["
                f"'mmscratch', '{helper}'], allow_failed_imports=False)\n"
                + extra)
    return path


def helper_env(**extra):
    """Environment in which the tools can import tests/helpers."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [ROOT, osp.join(ROOT, 'tests', 'helpers'),
         os.environ.get('PYTHONPATH', '')]))
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start_tool(args, env=None):
    """A tool of the repo in the background, in a session of its own (so a
    signal can reach its loader workers too); stdout and stderr merged."""
    cmd = args if args[0].endswith('.sh') else [sys.executable] + list(args)
    return subprocess.Popen(cmd, cwd=ROOT, env=env or helper_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)


def read_until(proc, text, timeout=600):
    """Output of ``proc`` up to the first line containing ``text``."""
    import select
    import time
    seen, end = [], time.time() + timeout
    while time.time() < end:
        ready, _, _ = select.select([proc.stdout], [], [], 1)
        if not ready:
            continue
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f'exited before {text!r}:\n' +
                                 ''.join(seen)[-3000:])
        seen.append(line)
        if text in line:
            return ''.join(seen)
    raise TimeoutError(text)


def wait_for_file(path, proc, timeout=600):
    import time
    end = time.time() + timeout
    while time.time() < end:
        if osp.exists(path):
            return
        if proc.poll() is not None:
            raise AssertionError(f'exited ({proc.returncode}) before '
                                 f'{path} appeared')
        time.sleep(0.01)
    raise TimeoutError(path)


def finish(proc, timeout=600):
    """(exit status, remaining output) of a background tool."""
    out, _ = proc.communicate(timeout=timeout)
    return proc.returncode, out


def assert_same_weights(path, expected_path):
    import torch
    got = torch.load(path, weights_only=False)['state_dict']
    want = torch.load(expected_path, weights_only=False)['state_dict']
    assert got.keys() == want.keys()
    differ = [k for k in want if not torch.equal(got[k], want[k])]
    assert not differ, f'{len(differ)} of {len(want)} tensors differ'


def val_steps(work_dir):
    """Steps of every validation record in every launch of a work dir (a
    step validated twice appears twice)."""
    import glob
    import json
    steps = []
    for path in sorted(glob.glob(osp.join(str(work_dir), '*', 'vis_data',
                                          'scalars.json'))):
        with open(path) as f:
            for line in f:
                rec = json.loads(line)
                if any(k.startswith('coco/') for k in rec):
                    steps.append(rec['step'])
    return steps


@pytest.fixture(scope='session')
def reference_runs(synthetic_data, tmp_path_factory):
    """reference_runs(workers): the work dir of an uninterrupted run with
    stop_resume_options (trained once per worker count)."""
    done = {}

    def get(workers=0):
        if workers not in done:
            work = tmp_path_factory.mktemp(f'reference_{workers}w')
            proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir',
                             str(work), '--cfg-options'] +
                            stop_resume_options(synthetic_data, workers))
            assert proc.returncode == 0, proc.stderr[-3000:]
            done[workers] = work
        return done[workers]
    return get
