"""tools/analysis/benchmark.py: every subcommand end to end (CPU)."""
import json
import statistics

import pytest
import torch

from conftest import DEMO_CONFIG, run_tool

pytestmark = pytest.mark.slow


def test_benchmark_json_ab():
    proc = run_tool(['tools/analysis/benchmark.py', DEMO_CONFIG, '--vs',
                     'mmdet::scratch/mask-rcnn_r50-scratch_fpn_gn-all_6x_'
                     'coco.py', '--device', 'cpu', '--batch', '1', '--size',
                     '64', '96', '--objects', '2', '--iters', '2',
                     '--warmup', '1', '--json'])
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    a, b = result['runs']
    assert a['config'] == DEMO_CONFIG and 'mmdet::' in b['config']
    for run in (a, b):
        assert run['s_per_iter'] > 0 and run['images_per_s'] > 0
        assert run['s_per_iter_q1'] <= run['s_per_iter'] <= \
            run['s_per_iter_q3']
    # the R18 demo model steps faster than MMDetection's R50
    assert result['speed_ratio'] == pytest.approx(
        b['s_per_iter'] / a['s_per_iter'])
    assert result['speed_ratio'] > 1
    assert result['peak_memory'] > 0


@pytest.mark.skipif(torch.cuda.is_available(), reason='has a GPU')
def test_benchmark_refuses_cuda_without_gpu():
    proc = run_tool(['tools/analysis/benchmark.py', DEMO_CONFIG,
                     '--device', 'cuda'])
    assert proc.returncode == 2 and 'no CUDA device' in proc.stderr


def test_benchmark_with_the_config_loader():
    """Real pipeline and workers; data time reported apart from steps."""
    proc = run_tool(['tools/analysis/benchmark.py', DEMO_CONFIG,
                     '--device', 'cpu', '--batch', '2', '--size', '64', '64',
                     '--iters', '3', '--warmup', '1', '--loader',
                     '--workers', '1', '--json'])
    assert proc.returncode == 0, proc.stderr[-2000:]
    run = json.loads(proc.stdout.strip().splitlines()[-1])['runs'][0]
    assert run['loader'] == dict(num_workers=1, persistent_workers=False,
                                 pin_memory=False)
    assert 0 < run['data_s_per_batch'] <= run['data_s_max']
    assert run['data_s_per_batch'] < run['s_per_iter']


def test_benchmark_workers_needs_loader():
    proc = run_tool(['tools/analysis/benchmark.py', DEMO_CONFIG,
                     '--workers', '2'])
    assert proc.returncode == 2 and '--workers needs --loader' in \
        proc.stderr


def test_coco_eval_benchmark_small_set():
    proc = run_tool(['tools/analysis/benchmark.py', 'coco-eval', '--images',
                     '40', '--dets', '10', '--repeats', '2', '--json'])
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result['detections'] == 400
    assert result['same_to_4_decimals'] and result['same_logged_metrics']
    assert result['max_abs_diff'] <= 5e-5
    assert set(result['median_s']) == {
        'mmdet CocoMetric (pycocotools)', 'FastCocoMetric, pycocotools',
        'FastCocoMetric, faster-coco-eval'}
    # the speed-up is the ratio of the medians of the timed rounds
    seconds = result['seconds']
    assert all(len(t) == 2 and min(t) > 0 for t in seconds.values())
    assert result['speedup'] == pytest.approx(
        statistics.median(seconds['mmdet CocoMetric (pycocotools)']) /
        statistics.median(seconds['FastCocoMetric, faster-coco-eval']))
    for stats in result['stats'].values():
        assert len(stats['bbox']) == len(stats['segm']) == 12


def test_resume_benchmark_runs():
    """The resume benchmark end to end (one resumed run, in JSON)."""
    proc = run_tool(['tools/analysis/benchmark.py', 'resume', '--iters',
                     '1000', '--mmengine-iters', '--workers', '0', '--json'])
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = json.loads(proc.stdout.strip().splitlines()[-1])['rows']
    assert [(r['loop'], r['resume_at']) for r in rows] == [
        ('mmscratch', 1000)]
    assert rows[0]['seconds'] > 0


def test_reschedule_benchmark_runs():
    """Re-stepping the 6x schedule, the loop against fast_forward (JSON)."""
    proc = run_tool(['tools/analysis/benchmark.py', 'reschedule', '--iters',
                     '600', '480000', '--groups', '2', '--json'])
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = json.loads(proc.stdout.strip().splitlines()[-1])['rows']
    assert [(r['iters'], r['lr']) for r in rows] == [
        (600, pytest.approx(0.02)), (480000, pytest.approx(0.002))]
    assert all(r['loop_s'] > 0 and r['fast_forward_s'] > 0 for r in rows)


def test_preemption_benchmark_runs():
    """The agreement benchmark end to end on two gloo ranks (JSON)."""
    proc = run_tool(['tools/analysis/benchmark.py', 'preemption', '--iters',
                     '2', '--warmup', '1', '--rounds', '1', '--json'])
    assert_ab_figures(proc, iters=2)


def test_hooks_benchmark_runs():
    """The analysis hooks' overhead benchmark end to end (JSON)."""
    proc = run_tool(['tools/analysis/benchmark.py', 'hooks', '--iters', '3',
                     '--warmup', '1', '--rounds', '1', '--json'])
    assert_ab_figures(proc, iters=3)


def assert_ab_figures(proc, iters):
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result['iters'] == iters
    assert result['ratio_with_over_without'] == pytest.approx(
        result['s_per_iter_with'] / result['s_per_iter_without'])
    # time inside what is measured is part of the arm's step time
    assert 0 < result['inside_share'] < 1
    assert result['inside_ms_per_iter'] < 1000 * result['s_per_iter_with'] \
        * 1.5


def test_subcommands_share_the_output_options():
    # a first word that is no subcommand is a config for `step`
    proc = run_tool(['tools/analysis/benchmark.py', 'nonsense.py'])
    assert proc.returncode == 2 and proc.stderr == (
        'error: config file nonsense.py does not exist; pass a path to a '
        '.py config under configs/\n')
    for name in ('step', 'hooks', 'preemption', 'resume', 'coco-eval',
                 'preflight'):
        proc = run_tool(['tools/analysis/benchmark.py', name, '-h'])
        assert proc.returncode == 0 and '--json' in proc.stdout, name
