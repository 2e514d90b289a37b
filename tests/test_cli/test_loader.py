"""Data-loader settings fitted to the machine."""
from mmengine.config import Config

import mmscratch.cli.loader as loader_utils
from conftest import FLAGSHIP
from mmscratch.cli.config import load_config


def loaders(workers=4, persistent=True, pin=None):
    cfg = dict(num_workers=workers, persistent_workers=persistent)
    if pin is not None:
        cfg['pin_memory'] = pin
    return Config(dict(train_dataloader=dict(cfg), val_dataloader=dict(cfg)))


def test_workers_capped_by_cpus_per_process(monkeypatch):
    monkeypatch.delenv('SLURM_CPUS_PER_TASK', raising=False)
    monkeypatch.setattr(loader_utils, 'available_cpus', lambda: 16)
    monkeypatch.setenv('LOCAL_WORLD_SIZE', '8')
    cfg = loaders(workers=4)
    changes = loader_utils.fit_loaders(cfg, cuda=True)
    assert cfg.train_dataloader.num_workers == 2
    assert cfg.val_dataloader.num_workers == 2
    assert len(changes) == 2 and '4 -> 2' in changes[0]
    monkeypatch.setenv('LOCAL_WORLD_SIZE', '1')
    cfg = loaders(workers=4)
    assert loader_utils.fit_loaders(cfg, cuda=True) == []
    assert cfg.train_dataloader.num_workers == 4


def test_slurm_gives_cpus_per_task(monkeypatch):
    monkeypatch.setattr(loader_utils, 'available_cpus', lambda: 64)
    monkeypatch.setenv('LOCAL_WORLD_SIZE', '8')
    monkeypatch.setenv('SLURM_CPUS_PER_TASK', '3')
    cfg = loaders(workers=4)
    loader_utils.fit_loaders(cfg, cuda=True)
    assert cfg.train_dataloader.num_workers == 3


def test_at_least_one_worker_and_zero_stays_zero(monkeypatch):
    monkeypatch.delenv('SLURM_CPUS_PER_TASK', raising=False)
    monkeypatch.setattr(loader_utils, 'available_cpus', lambda: 2)
    monkeypatch.setenv('LOCAL_WORLD_SIZE', '4')
    cfg = loaders(workers=4)
    loader_utils.fit_loaders(cfg, cuda=False)
    assert cfg.train_dataloader.num_workers == 1
    assert cfg.train_dataloader.persistent_workers is True
    cfg = loaders(workers=0, persistent=True)
    loader_utils.fit_loaders(cfg, cuda=False)
    # torch refuses persistent workers without workers
    assert cfg.train_dataloader.persistent_workers is False


def test_pin_memory_follows_cuda():
    cfg = loaders()
    loader_utils.fit_loaders(cfg, cuda=True)
    assert cfg.train_dataloader.pin_memory is True
    cfg = loaders()
    loader_utils.fit_loaders(cfg, cuda=False)
    assert cfg.train_dataloader.pin_memory is False
    cfg = loaders(pin=True)
    loader_utils.fit_loaders(cfg, cuda=False)
    assert cfg.train_dataloader.pin_memory is False  # no CUDA: no pinning
    cfg = loaders(pin=False)
    loader_utils.fit_loaders(cfg, cuda=True)
    assert cfg.train_dataloader.pin_memory is False  # an explicit choice


def test_flagship_asks_for_four_persistent_training_workers():
    cfg = load_config(FLAGSHIP)
    assert cfg.train_dataloader.num_workers == 4
    assert cfg.train_dataloader.persistent_workers is True
    assert 'pin_memory' not in cfg.train_dataloader  # decided at start
