"""The layer rule: runtime code does not know the tools above it."""
import ast
import glob
import os.path as osp

import pytest

from conftest import ROOT

RUNTIME = ('engine', 'datasets', 'checkpoint', 'evaluation', 'models')
ABOVE = ('cli', 'analysis', 'demo', 'study')


def imported_modules(path: str, root: str):
    """Absolute names of the modules a file below ``root`` imports."""
    package = osp.relpath(osp.dirname(path), root).split(osp.sep)
    for node in ast.walk(ast.parse(open(path).read(), path)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] \
                if node.level else []
            name = '.'.join(base + ([node.module] if node.module else []))
            yield name
            yield from (f'{name}.{a.name}' for a in node.names)


def violations(path: str, root: str = ROOT):
    return sorted({name for name in imported_modules(path, root)
                   if name.split('.')[:2] in (['mmscratch', a]
                                              for a in ABOVE)})


@pytest.mark.parametrize('layer', RUNTIME)
def test_runtime_imports_no_tool_layer(layer):
    files = glob.glob(osp.join(ROOT, 'mmscratch', layer, '**', '*.py'),
                      recursive=True)
    assert files
    found = {osp.relpath(f, ROOT): violations(f) for f in files}
    assert not {f: v for f, v in found.items() if v}


def test_the_rule_sees_relative_and_absolute_imports(tmp_path):
    hooks = tmp_path / 'mmscratch' / 'engine' / 'hooks'
    hooks.mkdir(parents=True)
    bad = hooks / 'bad.py'
    bad.write_text('from ...cli.config import x\nimport mmscratch.demo\n'
                   'from ... import analysis\nfrom ...runs import logs\n')
    assert violations(str(bad), str(tmp_path)) == [
        'mmscratch.analysis', 'mmscratch.cli.config',
        'mmscratch.cli.config.x', 'mmscratch.demo']
