"""Which checkpoint --resume without a path continues."""
import io
import os
import zipfile

import pytest

from mmscratch.cli.resume import (is_complete_checkpoint,
                                  latest_complete_checkpoint)
from mmscratch.utils.errors import UserInputError


def zip_file(path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w') as z:
        z.writestr('archive/data.pkl', b'x')
    path.write_bytes(buffer.getvalue())


def test_newest_complete_checkpoint_wins(tmp_path):
    for n in (2, 10):
        zip_file(tmp_path / f'iter_{n}.pth')
    (tmp_path / 'iter_12.pth').write_bytes(b'PK\x03\x04 cut short')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_12.pth'))
    assert not is_complete_checkpoint(str(tmp_path / 'iter_12.pth'))
    assert latest_complete_checkpoint(str(tmp_path)) == \
        str(tmp_path / 'iter_10.pth')


def test_nothing_to_resume(tmp_path):
    assert latest_complete_checkpoint(str(tmp_path)) is None
    (tmp_path / 'iter_4.pth').write_bytes(b'')
    assert latest_complete_checkpoint(str(tmp_path)) is None


def test_last_checkpoint_named_file_counts(tmp_path):
    zip_file(tmp_path / 'best_bbox.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path /
                                                  'best_bbox.pth'))
    assert latest_complete_checkpoint(str(tmp_path)) == \
        str(tmp_path / 'best_bbox.pth')


def test_last_checkpoint_of_another_folder_is_refused(tmp_path):
    """last_checkpoint naming a file elsewhere (another run's) stops in one
    line; a copied work dir's entry resolves to its own file of that name."""
    work, elsewhere = tmp_path / 'work', tmp_path / 'elsewhere'
    work.mkdir()
    elsewhere.mkdir()
    zip_file(work / 'iter_2.pth')
    zip_file(elsewhere / 'iter_90.pth')
    for entry in (str(elsewhere / 'iter_90.pth'), '../elsewhere/iter_90.pth'):
        (work / 'last_checkpoint').write_text(entry)
        with pytest.raises(UserInputError, match='a file of another folder'):
            latest_complete_checkpoint(str(work))
    (work / 'last_checkpoint').write_text(str(elsewhere / 'iter_2.pth'))
    assert latest_complete_checkpoint(str(work)) == str(work / 'iter_2.pth')


def test_last_checkpoint_wins_over_higher_numbers(tmp_path):
    """An older run's iter_90 left in a reused work dir does not win over
    the checkpoint last_checkpoint names, given relative or absolute."""
    zip_file(tmp_path / 'iter_90.pth')
    zip_file(tmp_path / 'iter_4.pth')
    for entry in ('iter_4.pth', str(tmp_path / 'iter_4.pth')):
        (tmp_path / 'last_checkpoint').write_text(entry)
        assert latest_complete_checkpoint(str(tmp_path)) == \
            str(tmp_path / 'iter_4.pth')


def test_without_last_checkpoint_the_newest_file_wins(tmp_path):
    zip_file(tmp_path / 'iter_4.pth')
    zip_file(tmp_path / 'iter_90.pth')
    os.utime(tmp_path / 'iter_90.pth', (1, 1))
    assert latest_complete_checkpoint(str(tmp_path)) == \
        str(tmp_path / 'iter_4.pth')


def test_a_copied_work_dir_resumes_its_highest_step(tmp_path):
    """cp without -p gives iter_8.pth a newer time than iter_10.pth (copied
    first): files written within a minute of each other are a copy, and
    the highest step wins; an older run's higher step does not."""
    zip_file(tmp_path / 'iter_10.pth')
    zip_file(tmp_path / 'iter_8.pth')
    os.utime(tmp_path / 'iter_10.pth', (1000, 1000))
    os.utime(tmp_path / 'iter_8.pth', (1001, 1001))
    assert latest_complete_checkpoint(str(tmp_path)) == \
        str(tmp_path / 'iter_10.pth')
    zip_file(tmp_path / 'iter_90.pth')
    os.utime(tmp_path / 'iter_90.pth', (100, 100))  # an older run's
    assert latest_complete_checkpoint(str(tmp_path)) == \
        str(tmp_path / 'iter_10.pth')
