"""read_json: parsed content, or one line naming the file and the fix."""
import pytest

from mmscratch.utils.errors import UserInputError, read_json


def test_read_json(tmp_path):
    good = tmp_path / 'good.json'
    good.write_text('{"a": [1, 2]}')
    assert read_json(str(good), 'table') == {'a': [1, 2]}
    bad = tmp_path / 'bad.json'
    bad.write_text('{"a": [1, ')
    with pytest.raises(UserInputError) as info:
        read_json(str(bad), 'baseline', '; fix it')
    message = str(info.value)
    assert message.startswith(f'baseline {bad} is not valid JSON (')
    assert message.endswith('; fix it') and '\n' not in message
    binary = tmp_path / 'binary.json'
    binary.write_bytes(b'\xff\xfe\x00garbage')
    with pytest.raises(UserInputError, match='is not valid JSON'):
        read_json(str(binary), 'annotation file')
