"""One COCO reader for the pre-flight, the subset maker and the bootstrap."""
import json

import pytest

from mmscratch.analysis.bootstrap import load_gt
from mmscratch.datasets import read_coco_file
from mmscratch.utils.errors import UserInputError

GOOD = dict(images=[dict(id=1, file_name='a.jpg', width=4, height=3)],
            annotations=[dict(id=1, image_id=1, category_id=1, area=4.0,
                              bbox=[0, 0, 2, 2], iscrowd=0)],
            categories=[dict(id=1, name='thing')])


@pytest.mark.parametrize('edit,match', [
    (lambda d: d.pop('categories'), 'lacks the COCO keys categories'),
    (lambda d: d['images'][0].pop('width'), 'image record #0'),
    (lambda d: d['annotations'][0].update(bbox=[0, 0, 2]),
     'a COCO box is [x, y, width, height]'),
    (lambda d: d['categories'].append(dict(id=2, name='thing')),
     "category name 'thing' is listed twice"),
])
def test_every_reader_refuses_the_same_files(tmp_path, edit, match):
    data = json.loads(json.dumps(GOOD))
    edit(data)
    path = tmp_path / 'bad.json'
    path.write_text(json.dumps(data))
    messages = []
    for read in (read_coco_file, load_gt,
                 lambda p: read_coco_file(p, where='val_dataloader')):
        with pytest.raises(UserInputError) as err:
            read(str(path))
        assert match in str(err.value) and '\n' not in str(err.value)
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert messages[2].startswith('val_dataloader: ')


def test_a_good_file_reads_everywhere(tmp_path):
    path = tmp_path / 'good.json'
    path.write_text('\ufeff' + json.dumps(GOOD))  # a byte order mark too
    assert read_coco_file(str(path)) == GOOD
    assert load_gt(str(path)).getImgIds() == [1]
    with pytest.raises(UserInputError, match='does not exist'):
        read_coco_file(str(tmp_path / 'missing.json'))
