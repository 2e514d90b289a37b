"""Resume where the paper's configs checkpoint: at validation iterations.

The runs checkpoint and validate at the same iterations (4 and 8), as every
config of the paper's matrix does (every 30,000)."""
import os
import shutil
import signal

import pytest

from conftest import (DEMO_CONFIG, assert_same_weights, finish,
                      helper_config, helper_env, run_tool, start_tool,
                      stop_resume_options, val_steps, wait_for_file)

pytestmark = pytest.mark.slow


@pytest.mark.parametrize('workers', [0, 2])
def test_resume_from_a_validated_checkpoint_is_exact(
        synthetic_data, reference_runs, tmp_path, workers):
    """Resuming iter_4 (validated at 4) in another work dir validates
    iteration 4 first and ends with every tensor of the uninterrupted
    run's iter_8; the validation does not change the training stream."""
    ref = reference_runs(workers)
    assert val_steps(ref) == [4, 8]
    work = tmp_path / 'other'
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(work),
                     '--resume', str(ref / 'iter_4.pth'), '--cfg-options'] +
                    stop_resume_options(synthetic_data, workers,
                                        seeded=False))
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    assert 'validating iteration 4 first' in out
    assert val_steps(work) == [4, 8]
    assert_same_weights(work / 'iter_8.pth', ref / 'iter_8.pth')


@pytest.mark.parametrize('first', [signal.SIGKILL, signal.SIGTERM])
def test_stopped_during_validation_loses_no_point(
        synthetic_data, reference_runs, tmp_path, first):
    """Stopped (SIGKILL, or SIGTERM) during the validation of iteration 4,
    resumed and killed during the final validation, resumed again: the
    logs hold each validation exactly once and the weights equal the
    uninterrupted run's."""
    ref = reference_runs(0)
    work = tmp_path / 'work'
    config = helper_config(
        DEMO_CONFIG, tmp_path, 'hold_validation',
        "custom_hooks = [dict(type='HoldValidationHook')]\n")

    def launch(at, resume):
        return start_tool(
            ['tools/train.py', config, '--work-dir', str(work)] +
            (['--resume'] if resume else []) + ['--cfg-options'] +
            stop_resume_options(synthetic_data, seeded=not resume),
            env=helper_env(HOLD_VAL_AT_ITER=at))

    proc = launch(4, resume=False)
    wait_for_file(work / 'in_validation', proc)
    proc.send_signal(first)
    status, out = finish(proc)
    assert status == (143 if first == signal.SIGTERM else -9), out[-3000:]
    if first == signal.SIGTERM:
        assert 'SIGTERM received: saved' in out and 'at iteration 4' in out
        assert 'Traceback' not in out
    assert (work / 'iter_4.pth').exists() and val_steps(work) == []
    os.remove(work / 'in_validation')

    proc = launch(8, resume=True)
    wait_for_file(work / 'in_validation', proc)
    proc.kill()
    status, out = finish(proc)
    assert 'validating iteration 4 first' in out, out[-3000:]
    assert val_steps(work) == [4]

    status, out = finish(launch(8, resume=True))
    assert status == 0, out[-3000:]
    assert 'validating iteration 8 first' in out
    assert 'training is complete, nothing to do' in out
    assert val_steps(work) == [4, 8]
    assert_same_weights(work / 'iter_8.pth', ref / 'iter_8.pth')
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(work),
                     '--resume', '--cfg-options'] +
                    stop_resume_options(synthetic_data, seeded=False))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 'the validation of iteration 8 is in the logs already' in \
        proc.stdout + proc.stderr
    assert val_steps(work) == [4, 8]


def test_stop_in_the_first_validation_keeps_the_resumed_checkpoint(
        synthetic_data, reference_runs, tmp_path):
    """With max_keep_ckpts=-1 (keep all), a SIGTERM during the resumed
    run's validation of iteration 4 leaves iter_4.pth as it was (before:
    rewritten as a signal checkpoint, then deleted by the next save)."""
    ref = reference_runs(0)
    work = tmp_path / 'work'
    work.mkdir()
    shutil.copy(ref / 'iter_4.pth', work / 'iter_4.pth')
    (work / 'last_checkpoint').write_text(str(work / 'iter_4.pth'))
    before = (work / 'iter_4.pth').read_bytes()
    config = helper_config(
        DEMO_CONFIG, tmp_path, 'hold_validation',
        "custom_hooks = [dict(type='HoldValidationHook')]\n")
    proc = start_tool(['tools/train.py', config, '--work-dir', str(work),
                       '--resume', '--cfg-options'] +
                      stop_resume_options(synthetic_data, seeded=False),
                      env=helper_env(HOLD_VAL_AT_ITER=4))
    wait_for_file(work / 'in_validation', proc)
    proc.send_signal(signal.SIGTERM)
    status, out = finish(proc)
    assert status == 143, out[-3000:]
    assert 'validating iteration 4 first' in out
    assert (work / 'iter_4.pth').read_bytes() == before
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(work),
                     '--resume', '--cfg-options'] +
                    stop_resume_options(synthetic_data, seeded=False))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert sorted(p.name for p in work.glob('iter_*.pth')) == [
        'iter_4.pth', 'iter_8.pth']
    assert_same_weights(work / 'iter_8.pth', ref / 'iter_8.pth')
