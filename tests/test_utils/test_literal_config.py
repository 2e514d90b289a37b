"""Config text read without running it."""
from mmscratch.utils.literal_config import literal_assignment


def test_literal_values_are_read():
    text = ("model = dict(type='MaskRCNN', backbone=dict(depth=50, "
            "norm_cfg=dict(type='GN', num_groups=32)), lrs=[0.1, -2], "
            "t=(1, None, True))\nother = 1\n")
    assert literal_assignment(text, 'model') == dict(
        type='MaskRCNN', backbone=dict(depth=50, norm_cfg=dict(
            type='GN', num_groups=32)), lrs=[0.1, -2], t=(1, None, True))
    assert literal_assignment(text, 'missing') is None


def test_nothing_is_executed(tmp_path):
    marker = tmp_path / 'ran'
    for payload in (
            f"model = __import__('os').system('touch {marker}')",
            f"model = dict(a=open('{marker}', 'w'))",
            f"import os\nos.system('touch {marker}')\nmodel = dict()",
            "model = dict(**{'a': 1})", 'model = [' * 5000,
            'model = ' + '(' * 200 + '1' + ')' * 200, None, 42):
        value = literal_assignment(payload, 'model')
        assert value in (None, {}, 1), value
    assert not marker.exists()
