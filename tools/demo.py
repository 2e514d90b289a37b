#!/usr/bin/env python3
"""The paper's findings in miniature: scratch vs pretrained on a CPU.

1. writes the synthetic shapes dataset (train/val) and its 3% training
   subset if absent;
2. pretrains the ResNet-18-GN backbone on a separate synthetic
   classification task (the stand-in for ImageNet);
3. trains Mask R-CNN from the pretrained backbone and from scratch at three
   schedule lengths (1x, 2x, 4x of a base length), and both on the 3%
   subset at 2x, the 1x, 4x and 3% pairs with three training seeds each:
   every run an ordinary tools/train.py run in OUT/<run name>;
4. compares each (pretrained, scratch) pair with a bootstrap over the
   validation images and the seeds, gives each finding a verdict against
   a margin declared in mmscratch/demo/plan.py (equivalent, different or
   not shown) next to the paper's numbers, and writes OUT/report.md
   (verdicts, per-seed APs, tables, images to reach the pretrained AP,
   times, commands) and the figures OUT/figure1.png, OUT/table1.png and
   OUT/less_data.png.

Reruns reuse finished parts (--force redoes them); a run stopped by Ctrl-C
continues from its last checkpoint. Full logs stay in the work dirs; the
console shows one line per stage and progress while training. --seed sets
the data, the pretraining and the bootstrap; the runs' training seeds are
the plan's (0, 1, 2).
"""
import argparse
import os.path as osp
import sys
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmscratch.demo.plan import MINUTES  # noqa: E402
from mmscratch.demo.run import run_demo  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(
        description=f'{__doc__.splitlines()[0]} (about '
        f'{MINUTES["default"]} minutes on 2 CPU cores)',
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument('--out', default='results/demo',
                        help='folder for the results and work dirs')
    parser.add_argument('--data', default='data/synthetic',
                        help='synthetic dataset folder (made if absent)')
    parser.add_argument('--quick', action='store_true',
                        help=f'tiny sizes (about {MINUTES["quick"]} '
                        'minutes), for tests')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--samples', type=int, default=1000,
                        help='bootstrap resamples per comparison')
    parser.add_argument('--jobs', type=int, default=2,
                        help='runs trained at once (they share the CPUs)')
    parser.add_argument('--force', action='store_true',
                        help='regenerate data and pretraining, retrain')
    return parser.parse_args()


if __name__ == '__main__':
    run_demo(parse_args())
