"""plot_curves.py and summarize.py on real CPU runs and written logs."""
import importlib.util
import json
import os.path as osp

import matplotlib.pyplot as plt
import pytest

from conftest import DEMO_CONFIG, ROOT, data_options, run_tool
from mmscratch.runs import read_run
from mmscratch.utils.errors import UserInputError

pytestmark = pytest.mark.slow


def load_tool(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(ROOT, 'tools', 'analysis', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def runs(synthetic_data, tmp_path_factory):
    """A scratch run and a 'pretrained' one (backbone from the first)."""
    tmp = tmp_path_factory.mktemp('runs')
    opts = data_options(synthetic_data) + [
        'train_cfg.max_iters=6', 'train_cfg.val_interval=3',
        'default_hooks.checkpoint.interval=6',
        'default_hooks.logger.interval=1',
        'param_scheduler.1.fractions=[0.66]',
        'default_hooks.compute_budget.interval=1']
    name = 'mask_rcnn_r18_gn_demo_1x'
    scratch_cfg = tmp / 'scratch' / f'{name}.py'
    scratch_cfg.parent.mkdir()
    scratch_cfg.write_text(f"_base_ = '{DEMO_CONFIG}'\n")
    out = {}
    work = tmp / 'work_scratch'
    proc = run_tool(['tools/train.py', str(scratch_cfg), '--work-dir',
                     str(work), '--cfg-options'] + opts)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out['scratch'] = str(work)
    pre_cfg = tmp / 'pretrained' / f'{name}.py'
    pre_cfg.parent.mkdir()
    pre_cfg.write_text(
        f"_base_ = '{DEMO_CONFIG}'\n"
        "model = dict(backbone=dict(init_cfg=dict(_delete_=True, "
        f"type='Pretrained', checkpoint='{work}/iter_6.pth', "
        "prefix='backbone.')))\n"
        "default_hooks = dict(scratch_audit=dict(strict=False))\n")
    work = tmp / 'work_pretrained'
    proc = run_tool(['tools/train.py', str(pre_cfg), '--work-dir',
                     str(work), '--cfg-options'] + opts)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out['pretrained'] = str(work)
    return out


def test_plot_curves_figure(runs, tmp_path):
    tool = load_tool('plot_curves')
    curves, drops = tool.curves_from_runs(
        [runs['scratch'], runs['pretrained']], 'coco/bbox_mAP', 'iter',
        labels=['scratch', 'pretrained'])
    for key in ('scratch', 'pretrained'):
        assert curves[key] == read_run(runs[key]).metric('coco/bbox_mAP')
    assert [x for x, _ in curves['scratch']] == [3, 6]
    # the config's step (fractions=[0.66] of 6 iterations) is after
    # iteration 4: the first iteration logged at the lower LR is 5
    assert set(drops) == {5}
    out = tmp_path / 'fig.png'
    fig = tool.plot_curves(curves, str(out), lr_drops=drops)
    labels = [ln.get_label() for ln in fig.axes[0].get_lines()]
    assert labels.count('scratch') == 1 and labels.count('pretrained') == 1
    assert labels.count('LR drop') == 1
    plt.close(fig)
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'

    # the command line, with images seen on x and the paper rows refused
    png = tmp_path / 'cli.png'
    proc = run_tool(['tools/analysis/plot_curves.py', runs['scratch'],
                     runs['pretrained'], '--x', 'images', '--out', str(png)])
    assert proc.returncode == 0, proc.stderr
    assert 'wrote' in proc.stdout and png.is_file()
    proc = run_tool(['tools/analysis/plot_curves.py', runs['scratch'],
                     '--x', 'images', '--reference', 'r50_random'])
    assert proc.returncode == 2 and 'Table 1' in proc.stderr


def test_lr_drops_are_where_the_logged_lr_fell(tmp_path):
    """A run resumed with another max_iters: its dumped config places the
    steps at 64 and 85, its logged LR fell at 68; the line is drawn at 68
    (before: at 64 and 85). Training scalars plot too (--metric loss)."""
    from mmscratch.analysis import run_lr_steps
    work = tmp_path / 'resumed'
    folder = work / '20260101_000000' / 'vis_data'
    folder.mkdir(parents=True)
    steps = (60, 64, 66, 68, 70)
    records = [dict(lr=0.02 if s < 68 else 0.002, loss=1.0 / s, step=s)
               for s in steps] + [{'coco/bbox_mAP': 0.2, 'step': 70}]
    (folder / 'scalars.json').write_text(
        ''.join(json.dumps(r) + '\n' for r in records))
    (work / 'mask_rcnn_r18_gn_synthetic.py').write_text(
        f"_base_ = '{DEMO_CONFIG}'\ntrain_cfg = dict(max_iters=96)\n")
    assert run_lr_steps(str(work)) == [64, 85]
    tool = load_tool('plot_curves')
    _, drops = tool.curves_from_runs([str(work)], 'coco/bbox_mAP', 'iter')
    assert drops == [68]
    curves, _ = tool.curves_from_runs([str(work)], 'loss', 'iter',
                                      labels=['r'])
    assert curves['r'] == [(s, 1.0 / s) for s in steps]
    with pytest.raises(UserInputError, match='training scalars: loss, lr'):
        tool.curves_from_runs([str(work)], 'loss_x', 'iter')


def test_images_axis_counts_batches(runs):
    tool = load_tool('plot_curves')
    curves, _ = tool.curves_from_runs([runs['scratch']], 'coco/bbox_mAP',
                                      'images', labels=['s'])
    assert [x for x, _ in curves['s']] == [3 * 4, 6 * 4]  # batch 4


def test_summarize_values_equal_the_logs(runs, tmp_path):
    tool = load_tool('summarize')
    cells = tool.collect([runs['scratch'], runs['pretrained']])
    rows = {row: c for (row, sched), c in cells.items()}
    assert set(rows) == {'mask_rcnn R18 GN demo random',
                         'mask_rcnn R18 GN demo pretrained'}
    for init, key in (('random', 'scratch'), ('pretrained', 'pretrained')):
        log = read_run(runs[key])
        cell = rows[f'mask_rcnn R18 GN demo {init}']
        assert cell['bbox'] == log.final('coco/bbox_mAP')
        assert cell['segm'] == log.final('coco/segm_mAP')
        assert cell['paper'] is None  # no R18 row in Table 1
    md = tool.to_markdown(cells)
    box = 100 * read_run(runs['scratch']).final('coco/bbox_mAP')
    assert f'| mask_rcnn R18 GN demo random | {box:.1f} / ' in md
    proc = run_tool(['tools/analysis/summarize.py', runs['scratch'],
                     runs['pretrained'], '--format', 'csv'])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].startswith('run,schedule,iteration')


def test_table_cells_paper_and_missing(tmp_path):
    """Written logs in mmengine's format: paper diff and missing cells."""
    tool = load_tool('summarize')

    def fake_run(name, box, pretrained=False, folder=None):
        work = tmp_path / (folder or name)
        folder = work / '20260101_000000' / 'vis_data'
        folder.mkdir(parents=True)
        (folder / 'scalars.json').write_text(json.dumps(
            {'coco/bbox_mAP': box, 'coco/segm_mAP': box - 0.04,
             'step': 540000}) + '\n')
        init = "dict(type='Pretrained', checkpoint='x')" if pretrained \
            else 'None'
        (work / f'{name}.py').write_text(
            f'model = dict(backbone=dict(init_cfg={init}))\n')
        return str(work)

    a = fake_run('mask_rcnn_r50_gn_6x', 0.415)
    b = fake_run('mask_rcnn_r50_gn_3x', 0.401, pretrained=True)
    md = tool.to_markdown(tool.collect([a, b]))
    assert '41.5 / 37.5 (paper 41.3, +0.2)' in md
    assert '40.1 / 36.1 (paper 40.8, -0.7)' in md
    assert '| mask_rcnn R50 GN random | - |' in md  # no 3x random run
    voc = tmp_path / 'faster_rcnn_r101_gn_voc_18k'
    (voc / '20260101_000000' / 'vis_data').mkdir(parents=True)
    (voc / '20260101_000000' / 'vis_data' / 'scalars.json').write_text(
        json.dumps({'pascal_voc/mAP': 0.8, 'step': 18000}) + '\n')
    with pytest.raises(UserInputError, match='different metrics'):
        tool.collect([a, str(voc)])
    with pytest.raises(UserInputError, match='is given twice'):
        tool.collect([a, a])
    # three seeds of one config: mean ± sample sd, n
    seeds = [fake_run('mask_rcnn_r50_gn_6x', box, folder=f'seed{i}')
             for i, box in enumerate((0.410, 0.415, 0.420))]
    md = tool.to_markdown(tool.collect(seeds))
    assert '41.5 ± 0.5 / 37.5 ± 0.5 (n=3) (paper 41.3, +0.2)' in md
    csv_text = tool.to_csv(tool.collect(seeds))
    assert csv_text.splitlines()[1].endswith(',3,0.5,0.5')


def test_crashed_runs_are_rows(runs, tmp_path):
    """A run that crashed before validating, and a folder without logs,
    are rows of the table, not an abort."""
    crashed = tmp_path / 'mask_rcnn_r50_gn_6x'
    folder = crashed / '20260101_000000' / 'vis_data'
    folder.mkdir(parents=True)
    (folder / 'scalars.json').write_text(
        json.dumps({'loss': 2.0, 'step': 50}) + '\n')
    (crashed / 'mask_rcnn_r50_gn_6x.py').write_text('model = dict()\n')
    empty = tmp_path / 'empty_run'
    empty.mkdir()
    proc = run_tool(['tools/analysis/summarize.py', runs['scratch'],
                     str(crashed), str(empty)])
    assert proc.returncode == 0, proc.stderr
    box = 100 * read_run(runs['scratch']).final('coco/bbox_mAP')
    assert f'| mask_rcnn R18 GN demo random | - | {box:.1f} / ' in \
        proc.stdout, proc.stdout
    assert 'no validation (training logged up to iteration 50: crashed' \
        in proc.stdout
    assert 'holds no mmengine logs' in proc.stdout
