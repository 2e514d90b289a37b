"""``mmscratch TOOL [ARGS]``: run a tool of mmscratch from any folder.

The tools are the scripts of ``tools/`` (in a checkout, or the copies an
installed wheel holds), so ``mmscratch train CONFIG`` is ``python
tools/train.py CONFIG`` and ``mmscratch dist-train CONFIG 8`` is
``tools/dist_train.sh CONFIG 8``. ``mmscratch TOOL -h`` shows a tool's
options.
"""
import os
import os.path as osp
import runpy
import sys

from ..utils.checkout import REPO

TOOLS = {
    'train': 'train.py',
    'test': 'test.py',
    'study': 'study.py',
    'demo': 'demo.py',
    'dist-train': 'dist_train.sh',
    'dist-test': 'dist_test.sh',
    'slurm-train': 'slurm_train.sh',
    'slurm-test': 'slurm_test.sh',
    'new-config': 'dataset/new_config.py',
    'make-synthetic-coco': 'dataset/make_synthetic_coco.py',
    'make-coco-subset': 'dataset/make_coco_subset.py',
    'pretrain-demo-backbone': 'dataset/pretrain_demo_backbone.py',
    'summarize': 'analysis/summarize.py',
    'plot-curves': 'analysis/plot_curves.py',
    'compare-runs': 'analysis/compare_runs.py',
    'schedule': 'analysis/schedule.py',
    'audit-config': 'analysis/audit_config.py',
    'benchmark': 'analysis/benchmark.py',
}


def usage() -> str:
    names = ', '.join(TOOLS)
    return (f'{__doc__.strip()}\n\nusage: mmscratch TOOL [ARGS]\n'
            f'tools: {names}\n(the files: {osp.join(REPO, "tools")})')


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ('-h', '--help'):
        print(usage())
        sys.exit(0 if argv else 2)
    name, args = argv[0], argv[1:]
    if name not in TOOLS:
        sys.exit(f'error: mmscratch has no tool {name!r}; one of: '
                 f'{", ".join(TOOLS)}')
    path = osp.join(REPO, 'tools', TOOLS[name])
    if not osp.isfile(path):
        sys.exit(f'error: {path} is missing: reinstall mmscratch')
    if path.endswith('.sh'):
        os.execvp('bash', ['bash', path] + args)
    sys.argv = [path] + args
    runpy.run_path(path, run_name='__main__')
