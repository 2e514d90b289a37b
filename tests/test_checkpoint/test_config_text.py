"""Text inside a checkpoint is never executed; downloads keyed on URLs."""
import os

import pytest
import torch

from conftest import DEMO_CONFIG, run_tool, stop_resume_options


def crafted(src, dst, marker):
    """A real checkpoint whose meta carries Python that creates ``marker``:
    as mmcv's ``meta['config']`` and as mmengine's ``meta['cfg']``."""
    ckpt = torch.load(src, weights_only=False)
    payload = f"import os\nos.system('touch {marker}')\n"
    ckpt['meta']['config'] = payload
    ckpt['meta']['cfg'] = payload
    ckpt['meta'].pop('model_identity', None)  # an older checkpoint
    torch.save(ckpt, dst)


@pytest.mark.slow
def test_loader_drops_the_executed_config_text(reference_runs, tmp_path):
    from mmscratch.checkpoint import load_local_checkpoint
    path = tmp_path / 'x.pth'
    crafted(reference_runs(0) / 'iter_4.pth', path, tmp_path / 'ran')
    meta = load_local_checkpoint(str(path))['meta']
    assert 'config' not in meta and 'os.system' in meta['cfg']


@pytest.mark.slow
def test_resume_runs_no_text_of_the_checkpoint(synthetic_data,
                                               reference_runs, tmp_path):
    marker = tmp_path / 'ran'
    path = tmp_path / 'crafted.pth'
    crafted(reference_runs(0) / 'iter_4.pth', path, marker)
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir',
                     str(tmp_path / 'w'), '--resume', str(path),
                     '--cfg-options'] + stop_resume_options(
                         synthetic_data, max_iters=4, seeded=False))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not marker.exists()


def test_download_cache_is_keyed_on_the_whole_url(tmp_path, monkeypatch):
    from mmscratch.checkpoint import loader
    monkeypatch.setattr(torch.hub, 'get_dir', lambda: str(tmp_path))
    fetched = []

    def download(url, path, progress=False):
        fetched.append(url)
        torch.save({'state_dict': {'w': torch.tensor(float(len(fetched)))}},
                   path)
    monkeypatch.setattr(torch.hub, 'download_url_to_file', download)
    a = loader.load_http_checkpoint('https://a.example/r50.pth')
    b = loader.load_http_checkpoint('https://b.example/r50.pth')
    again = loader.load_http_checkpoint('https://a.example/r50.pth')
    assert fetched == ['https://a.example/r50.pth',
                       'https://b.example/r50.pth']
    assert a['state_dict']['w'] == 1 and b['state_dict']['w'] == 2
    assert again['state_dict']['w'] == 1
    assert len(os.listdir(tmp_path / 'checkpoints')) == 2
