#!/usr/bin/env python3
"""The paper's experiment in miniature: scratch vs pretrained on a CPU.

1. writes the synthetic shapes dataset (train/val) if absent;
2. pretrains the ResNet-18-GN backbone on a separate synthetic
   classification task (the stand-in for ImageNet) and saves it;
3. trains the pretrained config, then the scratch config with the same
   schedule, validating COCO bbox/mask AP along the way; the scratch run's
   ConvergenceHook compares it with the pretrained run's curve;
4. writes OUT/curves.png (AP vs iterations, and vs images seen including
   pretraining; LR drops marked), OUT/report.md (final APs, when scratch
   caught up or the gap left, compute budgets, commands) and the work dirs.

Reruns reuse the dataset, the pretrained backbone and finished runs unless
--force. Full logs stay in the work dirs; the console shows one line per
phase and a progress bar while training.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from tqdm import tqdm  # noqa: E402

from mmscratch.analysis import read_run  # noqa: E402
from mmscratch.datasets import (make_synthetic_coco,  # noqa: E402
                                synthetic_data_options)

SCRATCH = 'configs/demo/mask_rcnn_r18_gn_synthetic_vs_pretrained.py'
PRETRAINED = 'configs/demo/mask_rcnn_r18_gn_synthetic_pretrained.py'
METRICS = ('coco/bbox_mAP', 'coco/bbox_mAP_50', 'coco/segm_mAP',
           'coco/segm_mAP_50')

# (default, --quick): the default fits in 12 minutes on 2 CPU cores
SIZES = dict(
    train_images=(400, 48), val_images=(60, 12), iters=(300, 24),
    val_every=(50, 12), pretrain_iters=(200, 10),
    pretrain_images=(3000, 320))
# textures at 40% strength: hard enough to need features, easy enough for
# a clearly non-zero AP within the CPU budget (1.0 is the dataset default)
TEXTURE = 0.4


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument('--out', default='results/demo',
                        help='folder for the results and work dirs')
    parser.add_argument('--data', default='data/synthetic',
                        help='synthetic dataset folder (made if absent)')
    parser.add_argument('--quick', action='store_true',
                        help='tiny sizes (under 2 minutes), for tests')
    parser.add_argument('--iters', type=int,
                        help='detection iterations per run (batch 4)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--force', action='store_true',
                        help='regenerate data and pretraining, retrain')
    args = parser.parse_args()
    pick = 1 if args.quick else 0
    args.sizes = {k: v[pick] for k, v in SIZES.items()}
    if args.iters:
        args.sizes['iters'] = args.iters
        args.sizes['val_every'] = max(args.iters // 6, 1)
    return args


class LineProgress:
    """tqdm's interface for logs and pipes: a line every ``every`` seconds."""

    def __init__(self, total, desc, every=30):
        self.total, self.desc, self.every = total, desc, every
        self.n, self.start, self.last = 0, time.time(), time.time()

    def update(self, k=1):
        self.n += k
        now = time.time()
        if now - self.last >= self.every and 0 < self.n < self.total:
            self.last = now
            eta = (now - self.start) / self.n * (self.total - self.n)
            print(f'[demo] {self.desc}: {self.n}/{self.total} iterations, '
                  f'ETA {eta:.0f}s', flush=True)

    def set_postfix(self, **kwargs):
        pass

    def close(self):
        pass


def progress_bar(total, desc):
    """A tqdm bar on a terminal, periodic lines otherwise."""
    if sys.stdout.isatty():
        return tqdm(total=total, desc=desc, unit='it', mininterval=1,
                    leave=False)
    return LineProgress(total, desc)


class Demo:

    def __init__(self, args):
        self.args = args
        self.sizes = args.sizes
        self.out = osp.abspath(args.out)
        self.data = osp.abspath(args.data)
        self.commands = {}
        self.start = time.time()
        os.makedirs(self.out, exist_ok=True)

    def say(self, msg):
        print(f'[demo {time.time() - self.start:5.0f}s] {msg}', flush=True)

    # 1. data ---------------------------------------------------------------
    def make_data(self):
        ann = osp.join(self.data, 'annotations', 'instances_train.json')
        cmd = (f'python tools/dataset/make_synthetic_coco.py {self.data} '
               f'--train {self.sizes["train_images"]} --val '
               f'{self.sizes["val_images"]} --seed {self.args.seed} '
               f'--texture {TEXTURE}')
        self.commands['data'] = cmd
        if osp.isfile(ann) and not self.args.force:
            with open(ann) as f:
                n = len(json.load(f)['images'])
            self.say(f'reusing the dataset in {self.data} ({n} train images)')
            return
        make_synthetic_coco(self.data, dict(
            train=self.sizes['train_images'], val=self.sizes['val_images']),
            seed=self.args.seed, texture=TEXTURE)
        self.say(f'wrote {self.sizes["train_images"]}+'
                 f'{self.sizes["val_images"]} synthetic images to '
                 f'{self.data}')

    # 2. pretraining ---------------------------------------------------------
    def pretrain(self):
        out = osp.join(self.out, 'pretrain')
        budget_file = osp.join(out, 'budget.json')
        iters = self.sizes['pretrain_iters']
        self.commands['pretrain'] = (
            f'python tools/dataset/pretrain_demo_backbone.py {PRETRAINED} '
            f'{out} --iters {iters} --num-images '
            f'{self.sizes["pretrain_images"]} --texture {TEXTURE} '
            f'--seed {self.args.seed}')
        if osp.isfile(budget_file) and not self.args.force:
            with open(budget_file) as f:
                self.budget = json.load(f)
            self.say(f'reusing the pretrained backbone in {out}')
            return
        from mmengine.config import Config
        from mmengine.logging import MMLogger

        from mmscratch.demo.pretrain import pretrain_backbone
        MMLogger.get_instance('demo_pretrain', log_level='WARNING')
        backbone = Config.fromfile(osp.join(ROOT, PRETRAINED)).model.backbone
        self.say(f'pretraining ResNet-18-GN on the synthetic classification '
                 f'task ({iters} iterations x 32 images)')
        bar = progress_bar(iters, 'pretrain')

        def progress(step, loss):
            bar.update(1)
            bar.set_postfix(loss=f'{loss:.2f}', refresh=False)
        self.budget = pretrain_backbone(
            backbone.to_dict(), out, iters=iters,
            num_images=self.sizes['pretrain_images'], texture=TEXTURE,
            seed=self.args.seed, progress=progress)
        bar.close()
        self.say(f'pretrained in {self.budget["seconds"]:.0f}s: held-out '
                 f'accuracy {self.budget["accuracy"]:.1%} (chance '
                 f'{self.budget["chance"]:.1%})')

    # 3. detection runs -----------------------------------------------------
    def options(self, pretrained_dir):
        iters, every = self.sizes['iters'], self.sizes['val_every']
        root = self.data + '/'
        pre = osp.join(self.out, 'pretrain')
        return [
            f'{k}={v}' for k, v in synthetic_data_options(root).items()] + [
            f'randomness.seed={self.args.seed}',
            f'train_cfg.max_iters={iters}',
            f'train_cfg.val_interval={every}',
            f'default_hooks.checkpoint.interval={iters}',
        ], {
            'pretrained': [
                f'model.backbone.init_cfg.checkpoint={pre}/backbone.pth',
                f'default_hooks.compute_budget.pretrain={pre}/budget.json'],
            'scratch': [
                f'default_hooks.convergence.baseline={pretrained_dir}'],
        }

    def train(self, name, config):
        work_dir = osp.join(self.out, name)
        common, extra = self.options(osp.join(self.out, 'pretrained'))
        cmd = ['tools/train.py', config, '--work-dir', work_dir,
               '--cfg-options'] + common + extra[name]
        self.commands[name] = 'python ' + ' '.join(cmd)
        iters = self.sizes['iters']
        done = osp.join(work_dir, f'iter_{iters}.pth')
        if osp.isfile(done) and not self.args.force:
            self.say(f'reusing the finished {name} run in {work_dir}')
            return
        if osp.isdir(work_dir):
            shutil.rmtree(work_dir)  # a changed or unfinished run
        os.makedirs(work_dir)
        log_path = osp.join(self.out, f'{name}.log')
        self.say(f'training the {name} run: {iters} iterations, validation '
                 f'every {self.sizes["val_every"]} (log: {log_path})')
        with open(log_path, 'w') as log:
            proc = subprocess.Popen([sys.executable] + cmd, cwd=ROOT,
                                    stdout=log, stderr=subprocess.STDOUT)
            bar = progress_bar(iters, name)
            while proc.poll() is None:
                time.sleep(2)
                bar.update(max(self._logged_iter(work_dir) - bar.n, 0))
            bar.close()
        if proc.returncode != 0:
            with open(log_path) as f:
                print(''.join(f.readlines()[-15:]), file=sys.stderr)
            sys.exit(f'[demo] the {name} run failed (log: {log_path})')
        run = read_run(work_dir)
        self.say(f'{name} run done: bbox AP {run.final("coco/bbox_mAP"):.3f},'
                 f' mask AP {run.final("coco/segm_mAP"):.3f}')

    @staticmethod
    def _logged_iter(work_dir):
        try:
            run = read_run(work_dir)
        except Exception:  # not written yet
            return 0
        return run.train[-1]['step'] if run.train else 0

    # 4. report -------------------------------------------------------------
    def report(self):
        from mmscratch.cli.config import load_config
        from mmscratch.demo.report import write_curves, write_report
        from mmscratch.analysis.schedule import lr_steps
        runs = {name: read_run(osp.join(self.out, name))
                for name in ('scratch', 'pretrained')}
        with open(osp.join(self.out, 'scratch', 'convergence.json')) as f:
            convergence = json.load(f)
        cfg = load_config(osp.join(ROOT, SCRATCH))
        cfg.train_cfg.max_iters = self.sizes['iters']  # as options() sets
        write_curves(runs, self.budget, osp.join(self.out, 'curves.png'),
                     drops=lr_steps(cfg))
        text = write_report(runs, convergence, self.budget, self.sizes,
                            self.commands, osp.join(self.out, 'report.md'))
        verdict = [ln for ln in text.splitlines()
                   if ln.startswith('**Verdict')]
        self.say(f'wrote {self.out}/report.md and {self.out}/curves.png')
        if verdict:
            print(verdict[0].replace('**', ''))


def main():
    args = parse_args()
    demo = Demo(args)
    demo.make_data()
    demo.pretrain()
    demo.train('pretrained', PRETRAINED)
    demo.train('scratch', SCRATCH)
    demo.report()
    demo.say('done')


if __name__ == '__main__':
    main()
