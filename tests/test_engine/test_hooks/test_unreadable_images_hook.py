"""UnreadableImagesHook (mock runner) and the dataset's skipping."""
from unittest.mock import MagicMock

import pytest
from mmdet.structures import DetDataSample

from mmscratch.engine.hooks import (TooManyUnreadableImagesError,
                                    UnreadableImagesHook)


def batch(*skipped):
    samples = [DetDataSample()]
    if skipped:
        samples[0].set_metainfo(dict(unreadable_images=list(skipped)))
    return dict(inputs=[], data_samples=samples)


def runner(images):
    run = MagicMock()
    run.iter = 0
    run.train_dataloader.dataset.__len__.return_value = images
    return run


def test_counts_each_file_once_and_stops_past_the_share():
    hook = UnreadableImagesHook(max_share=0.02)
    run = runner(100)
    hook.after_train_iter(run, 0, batch('a.png'))
    hook.after_train_iter(run, 1, batch('a.png'))  # the same file again
    hook.after_train_iter(run, 2, batch())
    assert hook.unreadable == {'a.png': 2}
    hook.after_train_iter(run, 3, batch('b.png'))  # 2 of 100: at the share
    with pytest.raises(TooManyUnreadableImagesError,
                       match=r'3 of the 100 training images cannot be '
                       r'decoded \(more than max_share=0.02\)'):
        hook.after_train_iter(run, 4, batch('c.png'))


@pytest.mark.parametrize('share', [-0.1, 1.5, 'all'])
def test_rejects_a_share_outside_0_1(share):
    with pytest.raises(ValueError, match='max_share'):
        UnreadableImagesHook(max_share=share)


def test_dataset_skips_undecodable_images_only(synthetic_data, tmp_path):
    """An undecodable image is replaced by the next one and reported; a
    pipeline error on a readable image is raised as it is."""
    import shutil

    from mmengine.registry import init_default_scope

    from mmscratch.datasets import CATEGORIES, SeededSkippingCocoDataset
    init_default_scope('mmdet')
    root = str(tmp_path / 'data')
    shutil.copytree(synthetic_data, root)

    def build(pipeline):
        return SeededSkippingCocoDataset(
            data_root=root, ann_file='annotations/instances_train.json',
            data_prefix=dict(img='train/'), pipeline=pipeline,
            metainfo=dict(classes=CATEGORIES))
    ds = build([dict(type='LoadImageFromFile'),
                dict(type='PackDetInputs')])
    first = ds.get_data_info(0)['img_path']
    open(first, 'w').write('not an image')
    data = ds[0]
    assert data['data_samples'].img_path == ds.get_data_info(1)['img_path']
    assert data['data_samples'].unreadable_images == [first]
    assert 'unreadable_images' not in ds[1]['data_samples']
    broken = build([dict(type='LoadImageFromFile'),
                    dict(type='Resize', scale='not a scale')])
    with pytest.raises(Exception) as err:
        broken[1]
    assert 'unreadable' not in str(err.value)
