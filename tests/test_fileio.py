"""The atomic_local file backend."""
import os

import pytest
from mmengine.fileio import get_file_backend

from mmscratch.fileio import AtomicLocalBackend, atomic_write


def test_writes_whole_files_with_normal_permissions(tmp_path):
    path = tmp_path / 'f.bin'
    atomic_write(b'abc', path)
    assert path.read_bytes() == b'abc'
    mask = os.umask(0)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask
    atomic_write('text', path)
    assert path.read_text() == 'text'
    assert os.listdir(tmp_path) == ['f.bin']


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path,
                                                        monkeypatch):
    path = tmp_path / 'f.bin'
    atomic_write(b'old', path)

    def no_space(fd):
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(os, 'fsync', no_space)
    with pytest.raises(OSError, match='No space'):
        atomic_write(b'new', path)
    monkeypatch.undo()
    assert path.read_bytes() == b'old'
    assert os.listdir(tmp_path) == ['f.bin']


def test_a_vanished_folder_is_an_error_not_recreated(tmp_path):
    gone = tmp_path / 'gone'
    with pytest.raises(FileNotFoundError):
        atomic_write(b'x', gone / 'f.bin')
    assert not gone.exists()


def test_registered_by_name_and_local_left_alone(tmp_path):
    backend = get_file_backend(str(tmp_path),
                               backend_args=dict(backend='atomic_local'))
    assert isinstance(backend, AtomicLocalBackend)
    backend.put_text('hi', str(tmp_path / 'a.txt'))
    assert (tmp_path / 'a.txt').read_text() == 'hi'
    assert type(get_file_backend(str(tmp_path))).__name__ == 'LocalBackend'
