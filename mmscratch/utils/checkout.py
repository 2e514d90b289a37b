"""The checkout mmscratch is installed from (``pip install -e .``): its
configs and tools, which the demo and the benchmarks run."""
import os.path as osp

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
