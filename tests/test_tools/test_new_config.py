"""tools/dataset/new_config.py on a dataset unlike the demo's: 3 classes
with ids 3, 7 and 42, 128x96 images in two camera folders, some images
without annotations."""
import json
import os
import shutil

import pytest

from conftest import ROOT, run_tool

pytestmark = pytest.mark.slow
TOOL = 'tools/dataset/new_config.py'


@pytest.fixture(scope='module')
def own_data(tmp_path_factory):
    from mmscratch.datasets import make_synthetic_coco
    root = tmp_path_factory.mktemp('own')
    make_synthetic_coco(str(root), dict(train=40, val=12),
                        image_size=(96, 128), seed=5)
    remap = {1: 3, 2: 7, 3: 42}
    for split in ('train', 'val'):
        path = root / 'annotations' / f'instances_{split}.json'
        data = json.loads(path.read_text())
        data['categories'] = [dict(c, id=remap[c['id']])
                              for c in data['categories'] if c['id'] in remap]
        data['annotations'] = [
            dict(a, category_id=remap[a['category_id']])
            for a in data['annotations'] if a['category_id'] in remap]
        for i, img in enumerate(data['images']):
            name = f'cam_{"ab"[i % 2]}/{i // 2:04d}.png'
            (root / split / name).parent.mkdir(exist_ok=True)
            shutil.move(root / split / img['file_name'], root / split / name)
            img['file_name'] = name
        path.write_text(json.dumps(data))
    return root


def args_for(root, out, *extra):
    return [TOOL, '--train-ann', str(root / 'annotations' /
                                     'instances_train.json'),
            '--train-img', str(root / 'train'), '--val-ann',
            str(root / 'annotations' / 'instances_val.json'), '--val-img',
            str(root / 'val'), '--out', str(out)] + list(extra)


def test_written_config_passes_the_preflight_and_trains(own_data, tmp_path):
    from mmengine.config import Config

    from mmscratch.analysis import paper_schedule
    out = tmp_path / 'mine.py'
    proc = run_tool(args_for(own_data, out, '--epochs', '50'))
    assert proc.returncode == 0, proc.stderr[-2000:]
    cfg = Config.fromfile(str(out))
    train = json.loads((own_data / 'annotations' /
                        'instances_train.json').read_text())
    annotated = len({a['image_id'] for a in train['annotations']})
    assert annotated < len(train['images'])  # some images are empty
    assert cfg.classes == tuple(
        c['name'] for c in sorted(train['categories'],
                                  key=lambda c: c['id']))
    assert cfg.model.roi_head.bbox_head.num_classes == 3
    assert cfg.model.roi_head.mask_head.num_classes == 3
    assert cfg.image_scale == (128, 96)
    assert cfg.train_dataloader.dataset.pipeline[2].scale == (128, 96)
    plan = paper_schedule(annotated, 2, epochs=50)
    assert cfg.train_cfg.max_iters == plan.max_iters
    assert cfg.optim_wrapper.optimizer.lr == plan.lr == 0.0025
    assert cfg.param_scheduler[0].end == plan.warmup_iters
    assert cfg.model.backbone.norm_cfg.type == 'GN'
    proc = run_tool(['tools/train.py', str(out), '--check-only'])
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f'training uses the other {annotated}' in proc.stderr
    work = tmp_path / 'work'
    proc = run_tool(['tools/train.py', str(out), '--work-dir', str(work),
                     '--cfg-options', 'train_cfg.max_iters=2',
                     'train_cfg.val_interval=2',
                     'default_hooks.checkpoint.interval=2',
                     'model.roi_head.train_cfg.rcnn.sampler.num=64'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (work / 'iter_2.pth').is_file()
    assert 'coco/bbox_mAP' in proc.stdout + proc.stderr


def test_pretrained_twin_box_only_and_an_existing_file(own_data, tmp_path):
    out = tmp_path / 'twin.py'
    proc = run_tool(args_for(own_data, out, '--pretrained'))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "configs/pretrained/mask_rcnn_r50_gn_in1k_6x.py'" in \
        out.read_text()
    proc = run_tool(args_for(own_data, out))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        f'error: {out} exists; choose another --out or pass --force to '
        'overwrite it')
    boxes = tmp_path / 'boxes'
    shutil.copytree(own_data, boxes)
    path = boxes / 'annotations' / 'instances_train.json'
    data = json.loads(path.read_text())
    for ann in data['annotations']:
        ann.pop('segmentation', None)
    path.write_text(json.dumps(data))
    proc = run_tool(args_for(boxes, tmp_path / 'boxes.py'))
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = (tmp_path / 'boxes.py').read_text()
    assert 'configs/scratch/faster_rcnn_r50_gn_6x.py' in text
    assert 'with_mask=False' in text and 'mask_head' not in text
    proc = run_tool(['tools/train.py', str(tmp_path / 'boxes.py'),
                     '--check-only'], cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    proc = run_tool(args_for(own_data, tmp_path / 'x.py') +
                    ['--train-img', str(tmp_path / 'nowhere')])
    assert proc.returncode == 2 and 'is not a folder' in proc.stderr
    assert not os.path.exists(tmp_path / 'x.py')
