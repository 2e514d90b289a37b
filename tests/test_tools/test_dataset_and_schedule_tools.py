"""make_coco_subset.py and schedule.py."""
import json
import os.path as osp

import pytest
from mmengine.config import Config
from pycocotools.coco import COCO

from conftest import ROOT, run_tool
from mmscratch.analysis.schedule import lr_steps

pytestmark = pytest.mark.slow  # each test runs the tools in subprocesses


def test_subset_round_trips_through_pycocotools(synthetic_data, tmp_path):
    src = f'{synthetic_data}/annotations/instances_train.json'
    out = tmp_path / 'sub.json'
    proc = run_tool(['tools/dataset/make_coco_subset.py', src, str(out),
                     '--num', '20', '--seed', '1'])
    assert proc.returncode == 0, proc.stderr
    full, sub = COCO(src), COCO(str(out))
    assert len(sub.imgs) == 20
    assert set(sub.imgs) <= set(full.imgs)
    # every annotation of a kept image is kept, with its category id
    expected = [a for a in full.anns.values() if a['image_id'] in sub.imgs]
    assert sorted(a['id'] for a in expected) == sorted(sub.anns)
    assert sub.getCatIds() == full.getCatIds()
    assert f'20 of 48 images, {len(expected)} of {len(full.anns)} ' \
        'instances' in proc.stdout
    # deterministic by seed
    again = tmp_path / 'again.json'
    run_tool(['tools/dataset/make_coco_subset.py', src, str(again),
              '--num', '20', '--seed', '1'])
    assert json.loads(out.read_text()) == json.loads(again.read_text())
    frac = tmp_path / 'frac.json'
    run_tool(['tools/dataset/make_coco_subset.py', src, str(frac),
              '--fraction', '0.25'])
    assert len(COCO(str(frac)).imgs) == 12


@pytest.mark.parametrize('args,match', [
    (['--num', '1000'], 'between 1 and the 48 images'),
    (['--fraction', '1.5'], 'must be in (0, 1]'),
])
def test_subset_refuses_bad_requests(synthetic_data, tmp_path, args, match):
    src = f'{synthetic_data}/annotations/instances_train.json'
    proc = run_tool(['tools/dataset/make_coco_subset.py', src,
                     str(tmp_path / 'x.json')] + args)
    assert proc.returncode != 0
    assert match in proc.stderr and 'Traceback' not in proc.stderr


def test_subset_refuses_bad_files(tmp_path):
    bad = tmp_path / 'bad.json'
    bad.write_text('{"images": []}')
    proc = run_tool(['tools/dataset/make_coco_subset.py', str(bad),
                     str(tmp_path / 'x.json'), '--num', '1'])
    assert proc.returncode != 0
    assert 'lacks the COCO keys annotations, categories' in proc.stderr
    proc = run_tool(['tools/dataset/make_coco_subset.py', str(bad),
                     str(bad), '--num', '1'])
    assert 'would overwrite' in proc.stderr


def test_schedule_matches_the_configs():
    """The printed 6x schedule is the one the 6x config trains with."""
    cfg = Config.fromfile(
        osp.join(ROOT, 'configs/scratch/mask_rcnn_r50_gn_6x.py'))
    proc = run_tool(['tools/analysis/schedule.py', '--images', '118287',
                     '--batch', '16', '--multiple', '6x', '--json'])
    s = json.loads(proc.stdout)
    assert s['max_iters'] == cfg.train_cfg.max_iters == 540000
    assert s['milestones'] == lr_steps(cfg) == [480000, 520000]
    assert s['lr'] == cfg.optim_wrapper.optimizer.lr == 0.02
    assert s['warmup_iters'] == cfg.param_scheduler[0].end
    assert cfg.train_dataloader.batch_size * 8 == s['batch'] == 16
    assert round(s['epochs']) == 73  # the paper: 6x is about 73 epochs
    proc = run_tool(['tools/analysis/schedule.py', '--images', '10000',
                     '--batch', '8', '--multiple', '3'])
    assert 'iterations:   540,000' in proc.stdout
    assert '420,000 and 500,000' in proc.stdout
    assert 'LR:           0.01' in proc.stdout
    assert 'param_scheduler.1.before_end=[120000,40000]' in proc.stdout


def test_schedule_for_short_runs_and_small_datasets():
    """Half a multiple: steps at 2/3 and 8/9 (not at iteration 1); 500
    images for 100 epochs at batch 8: 6,250 iterations, steps inside, a
    short warm-up; the options apply to a fractions config too; 36,000
    epochs get a note."""
    proc = run_tool(['tools/analysis/schedule.py', '--images', '118287',
                     '--multiple', '0.5', '--json'])
    s = json.loads(proc.stdout)
    assert s['max_iters'] == 45000 and s['milestones'] == [30000, 40000]
    assert s['rule'] == 'short run'
    proc = run_tool(['tools/analysis/schedule.py', '--images', '500',
                     '--batch', '8', '--epochs', '100'])
    assert proc.returncode == 0, proc.stderr
    assert 'iterations:   6,250' in proc.stdout
    assert '4,167 and 5,556 (LR / 10 each; at 2/3 and 8/9' in proc.stdout
    assert 'warm-up:      625 iterations' in proc.stdout
    assert 'before_end' not in proc.stdout.split('apply with:')[1]
    # batch 8: the scaled LR is called the cautious choice, not a risk
    assert 'note: below batch 16 the scaled LR is the cautious choice' in \
        proc.stdout and 'can diverge' not in proc.stdout
    assert 'note: ' not in proc.stdout.replace('note: below batch', '')
    proc = run_tool(['tools/analysis/schedule.py', '--images', '118287',
                     '--batch', '64', '--multiple', '6'])
    assert 'note: above the paper\'s batch of 16, linearly scaled LRs ' \
        'can diverge' in proc.stdout
    proc = run_tool(['tools/analysis/schedule.py', '--images', '240',
                     '--multiple', '6'])
    assert 'note: 36,000 epochs' in proc.stdout
    proc = run_tool(['tools/analysis/schedule.py', '--images', '240',
                     '--multiple', '6', '--epochs', '3'])
    assert proc.returncode == 2 and 'not allowed with' in proc.stderr
