"""The private upstream code mmscratch builds on is the code it was
written against (mmscratch/utils/upstream.py)."""
from mmscratch.utils import upstream


def test_pinned_upstream_code_is_unchanged():
    changed = upstream.changed_upstream()
    assert not changed, '; '.join(
        f'{name} changed upstream: review {ours}, then update its digest '
        'in mmscratch/utils/upstream.py' for name, ours in changed.items())


def test_a_change_is_seen(monkeypatch):
    monkeypatch.setitem(upstream.DIGESTS, '_InfiniteIterator', '0' * 64)
    assert list(upstream.changed_upstream()) == [
        'mmengine _InfiniteDataloaderIterator']


def test_no_private_upstream_name_is_imported_elsewhere():
    import ast
    import glob
    import os.path as osp

    from conftest import ROOT
    found = []
    for path in glob.glob(osp.join(ROOT, 'mmscratch', '**', '*.py'),
                          recursive=True):
        if path.endswith(osp.join('utils', 'upstream.py')):
            continue
        for node in ast.walk(ast.parse(open(path).read())):
            if isinstance(node, ast.ImportFrom) and node.module and \
                    node.module.split('.')[0] in ('mmengine', 'mmdet'):
                found += [f'{osp.relpath(path, ROOT)}: {a.name}'
                          for a in node.names if a.name.startswith('_')]
    assert found == []
