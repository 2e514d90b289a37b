"""The ``mmscratch`` command: every tool it names exists; bad names are
one line."""
import os.path as osp

import pytest

from mmscratch.cli.main import TOOLS, main
from mmscratch.utils.checkout import REPO, repo_file, tool_command


def test_every_tool_exists_and_every_script_is_a_tool():
    for script in TOOLS.values():
        assert osp.isfile(osp.join(REPO, 'tools', script)), script
    import glob
    scripts = {osp.relpath(p, osp.join(REPO, 'tools'))
               for p in glob.glob(osp.join(REPO, 'tools', '**', '*.*'),
                                  recursive=True)}
    # launch.sh is sourced by the launchers; setup_env.sh needs a checkout
    assert scripts - set(TOOLS.values()) == {'launch.sh', 'setup_env.sh'}


def test_unknown_tool_and_usage(capsys):
    with pytest.raises(SystemExit) as err:
        main(['trian'])
    assert str(err.value).startswith("error: mmscratch has no tool 'trian'")
    with pytest.raises(SystemExit) as err:
        main([])
    assert err.value.code == 2
    assert 'usage: mmscratch TOOL [ARGS]' in capsys.readouterr().out


def test_configs_found_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    flagship = osp.join(REPO, 'configs/scratch/mask_rcnn_r50_gn_6x.py')
    assert repo_file('configs/scratch/mask_rcnn_r50_gn_6x.py') == flagship
    assert repo_file('mmscratch::scratch/mask_rcnn_r50_gn_6x.py') == \
        flagship
    assert repo_file('mine.py') == 'mine.py'  # not ours: as given
    assert tool_command('train') == 'python tools/train.py'  # a checkout
    assert tool_command('dist-train') == 'tools/dist_train.sh'
