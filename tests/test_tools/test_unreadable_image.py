"""A training image that passes the pre-flight but cannot be decoded when
drawn: the run skips it, finishes, and names the file and the count."""
import os
import struct
import zlib

import pytest

from conftest import DEMO_CONFIG, copy_data, edit_ann, run_tool, \
    tiny_train_options

pytestmark = pytest.mark.slow


def spoil_png_data(path):
    """Replace the pixel data (IDAT) of a PNG by bytes that do not inflate,
    with valid chunk checksums: the header and checksums read fine, the
    decoding fails."""
    data = open(path, 'rb').read()
    out, pos = [data[:8]], 8
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IDAT':
            body = bytes((b * 7 + 13) % 256 for b in body)
        out.append(struct.pack('>I4s', length, kind) + body +
                   struct.pack('>I', zlib.crc32(kind + body)))
        pos += 12 + length
    open(path, 'wb').write(b''.join(out))


def keep_first_images(data, n):
    data['images'] = data['images'][:n]
    ids = {img['id'] for img in data['images']}
    data['annotations'] = [a for a in data['annotations']
                           if a['image_id'] in ids]


def test_training_skips_an_undecodable_image(synthetic_data, tmp_path):
    from mmscratch.cli.data_check import read_image_size
    from mmscratch.datasets.coco import decodable
    root = copy_data(synthetic_data, tmp_path / 'data')
    edit_ann(root, lambda d: keep_first_images(d, 8))
    bad = os.path.join(root, 'train', '000005.png')
    spoil_png_data(bad)
    assert read_image_size(bad) == (96, 96)  # the pre-flight passes it
    assert not decodable(bad)
    # 4 iterations of batch 2 draw each of the 8 images once
    proc = run_tool(
        ['tools/train.py', DEMO_CONFIG, '--work-dir', str(tmp_path / 'w'),
         '--cfg-options'] + tiny_train_options(root, iters=4) +
        ['default_hooks.unreadable_images.max_share=0.2',
         'train_cfg.val_begin=100'])
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stdout + proc.stderr
    assert f'skipped unreadable image {bad} at iteration' in log
    assert f'1 unreadable training image(s) skipped 1 time(s) in this ' \
        f'launch: {bad}' in log
    assert (tmp_path / 'w' / 'iter_4.pth').is_file()
