"""Docs that list code: every hook of the default runtime is in hooks.md."""
import os.path as osp
import re

from mmengine.config import Config

from conftest import ROOT


def test_hooks_md_lists_every_default_hook_of_ours():
    import mmscratch
    from mmengine.hooks import Hook
    table = dict(re.findall(r'^\| `(\w+)` \| `(\w+)` \|',
                            open(osp.join(ROOT, 'docs/hooks.md')).read(),
                            re.M))
    ours = {name for name in mmscratch.__all__
            if isinstance(getattr(mmscratch, name), type) and
            issubclass(getattr(mmscratch, name), Hook)}
    assert set(table.values()) == ours
    runtime = Config.fromfile(osp.join(
        ROOT, 'configs/_base_/scratch_runtime.py')).default_hooks
    keys = {key for key, hook in runtime.items() if hook.type in ours}
    assert keys == set(table)
    assert all(runtime[key].type == table[key] for key in keys)


def test_demo_times_are_said_once():
    """The README, the getting-started page and tools/demo.py --help give
    the measured demo times of tools/demo.py."""
    import importlib.util
    import subprocess
    import sys

    spec = importlib.util.spec_from_file_location(
        'demo_tool', osp.join(ROOT, 'tools', 'demo.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    MINUTES = tool.MINUTES

    for name in ('README.md', 'docs/get_started.md'):
        text = ' '.join(open(osp.join(ROOT, name)).read().split())
        assert f'{MINUTES["default"]} minutes on 2' in text, name
        assert f'about {MINUTES["quick"]} minutes' in text, name
        assert f'about {MINUTES["long"]} minutes' in text, name
    help_text = subprocess.run(
        [sys.executable, 'tools/demo.py', '--help'], cwd=ROOT,
        capture_output=True, text=True).stdout
    help_text = ' '.join(help_text.split())
    assert f'about {MINUTES["default"]} minutes on 2 CPU cores' in help_text
    assert f'about {MINUTES["quick"]} minutes' in help_text
    assert f'about {MINUTES["long"]} minutes' in help_text
