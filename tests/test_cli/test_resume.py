"""Which checkpoint --resume without a path continues."""
import io
import zipfile

from mmscratch.cli.resume import (is_complete_checkpoint,
                                  latest_complete_checkpoint)


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


def test_last_checkpoint_outside_the_work_dir_is_ignored(tmp_path, capsys):
    """A moved or tampered work dir: last_checkpoint naming a file
    elsewhere is not followed; the work dir's own checkpoints are."""
    work, elsewhere = tmp_path / 'work', tmp_path / 'elsewhere'
    work.mkdir()
    elsewhere.mkdir()
    zip_file(work / 'iter_2.pth')
    zip_file(elsewhere / 'iter_90.pth')
    (work / 'last_checkpoint').write_text(str(elsewhere / 'iter_90.pth'))
    assert latest_complete_checkpoint(str(work)) == str(work / 'iter_2.pth')
    assert 'outside the work dir; it is ignored' in capsys.readouterr().err
    (work / 'last_checkpoint').write_text('../elsewhere/iter_90.pth')
    assert latest_complete_checkpoint(str(work)) == str(work / 'iter_2.pth')
