#!/usr/bin/env python3
"""Time full training steps of a config on synthetic COCO-like batches.

Builds the model and optimizer wrapper of CONFIG (and of --vs OTHER),
feeds synthetic batches with boxes and masks, and times complete training
steps (forward, loss, backward, optimizer step) after a warm-up,
alternating A and B step by step so that the machine's drift cancels.
Prints the median and spread of s/iter, images/s, peak memory and the
A/B speed ratio, and the data time per step apart from the step time.

Data: by default each batch is made in memory (mmdet's demo inputs); the
data time is then the time to make it. With --loader the batches come from
the config's own train_dataloader (its pipeline, workers, pinning, fitted
to this machine as tools/train.py does) over a synthetic COCO dataset of
HxW images written to a temporary folder, resizes set to HxW; the data time
is then how long each step waited for its batch, as mmengine's data_time.

Examples:
    python tools/analysis/benchmark.py configs/scratch/mask_rcnn_r50_gn_6x.py \
        --vs mmdet::scratch/mask-rcnn_r50-scratch_fpn_gn-all_6x_coco.py \
        --device cpu --batch 1 --size 320 480 --iters 10
    python tools/analysis/benchmark.py CONFIG --device cuda --batch 8 \
        --size 800 1216 --iters 50 --amp bf16 --json
    python tools/analysis/benchmark.py configs/scratch/mask_rcnn_r50_gn_6x.py \
        --device cpu --batch 2 --size 256 384 --iters 8 --loader --workers 2
"""
import argparse
import contextlib
import io
import json
import os.path as osp
import resource
import statistics
import sys
import tempfile
import time
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

import mmscratch  # noqa: F401
import torch

from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from mmscratch.utils.errors import UserInputError
from mmscratch.cli.config import load_config
from mmscratch.cli.launch import run_tool


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog='\n'.join(__doc__.splitlines()[2:]))
    parser.add_argument('config', help='config file (or mmdet::...)')
    parser.add_argument('--vs', help='a second config, timed alternately')
    parser.add_argument('--device', choices=['cpu', 'cuda'], default='cpu')
    parser.add_argument('--batch', type=int, default=2)
    parser.add_argument('--size', type=int, nargs=2, default=[320, 480],
                        metavar=('H', 'W'))
    parser.add_argument('--objects', type=int, default=8,
                        help='ground-truth objects per image')
    parser.add_argument('--iters', type=int, default=10,
                        help='timed steps per config')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--amp', choices=['fp16', 'bf16'])
    parser.add_argument('--loader', action='store_true',
                        help="batches from the config's train_dataloader "
                        'over synthetic images (see above)')
    parser.add_argument('--workers', type=int,
                        help='with --loader: num_workers instead of the '
                        "config's")
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--json', action='store_true',
                        help='print one JSON object instead of text')
    return parser.parse_args()


class Subject:
    """A model, its optimizer wrapper and a batch maker."""

    def __init__(self, path, args):
        self.path = path
        cfg = load_config(path)
        init_default_scope(cfg.get('default_scope', 'mmdet'))
        from mmdet.registry import MODELS
        torch.manual_seed(args.seed)
        self.model = MODELS.build(cfg.model).to(args.device)
        self.model.init_weights()
        self.model.train()
        optim_cfg = cfg.optim_wrapper.copy()
        if args.amp:
            optim_cfg.type = 'MixedPrecisionOptimWrapper'
            optim_cfg.dtype = 'float16' if args.amp == 'fp16' else \
                'bfloat16'
        self.optim = build_optim_wrapper(self.model, optim_cfg)
        head = cfg.model.roi_head.bbox_head
        head = head[-1] if isinstance(head, list) else head
        self.num_classes = head.num_classes
        self.with_mask = bool(cfg.model.roi_head.get('mask_head'))
        self.args = args
        self.times, self.data_times = [], []
        self.loader = None
        if args.loader:
            # quiet: pycocotools prints while the dataset loads
            with contextlib.redirect_stdout(io.StringIO()):
                self.loader = build_loader(cfg, args)
            self.batches = iter(self.loader)

    def batch(self):
        start = time.perf_counter()
        if self.loader is not None:
            packed = next(self.batches)
        else:
            from mmdet.testing import demo_mm_inputs
            h, w = self.args.size
            packed = demo_mm_inputs(
                self.args.batch, [[3, h, w]] * self.args.batch,
                num_items=[self.args.objects] * self.args.batch,
                num_classes=self.num_classes, with_mask=self.with_mask)
        self.data_times.append(time.perf_counter() - start)
        return packed

    def step(self, timed):
        packed = self.batch()
        sync = torch.cuda.synchronize if self.args.device == 'cuda' else \
            (lambda: None)
        sync()
        start = time.perf_counter()
        losses = self.model.train_step(packed, self.optim)
        sync()
        if timed:
            self.times.append(time.perf_counter() - start)
        loss = sum(v for k, v in losses.items() if 'loss' in k)
        if not torch.isfinite(torch.as_tensor(loss)):
            raise UserInputError(f'{self.path}: loss became {loss} while '
                                 'benchmarking')

    def summary(self):
        med = statistics.median(self.times)
        q = statistics.quantiles(self.times, n=4) if len(self.times) > 1 \
            else [med, med, med]
        timed = self.data_times[self.args.warmup:]
        result = dict(config=self.path, s_per_iter=med,
                      s_per_iter_q1=q[0], s_per_iter_q3=q[2],
                      images_per_s=self.args.batch / med,
                      data_s_per_batch=statistics.median(timed),
                      data_s_max=max(timed))
        if self.loader is not None:
            result['loader'] = dict(
                num_workers=self.loader.num_workers,
                persistent_workers=self.loader.persistent_workers,
                pin_memory=self.loader.pin_memory)
        return result


def build_loader(cfg, args):
    """The config's train_dataloader over the synthetic data of args."""
    from mmengine.runner import Runner

    from mmscratch.datasets import CATEGORIES
    from mmscratch.utils.cfg_tree import loader_datasets
    from mmscratch.cli.loader import fit_loaders
    h, w = args.size
    loader = cfg.train_dataloader
    loader.batch_size = args.batch
    if args.workers is not None:
        loader.num_workers = args.workers
    fit_loaders(cfg, ['train_dataloader'], cuda=args.device == 'cuda')
    # every leaf dataset, through wrappers (RepeatDataset, ConcatDataset)
    for _, dataset in loader_datasets(cfg, ['train_dataloader']):
        dataset.update(data_root=args.data_root,
                       ann_file='annotations/instances_train.json',
                       data_prefix=dict(img='train/'),
                       metainfo=dict(classes=CATEGORIES))
        dataset.pipeline = [
            dict(type='Resize', scale=(w, h), keep_ratio=True)
            if 'Resize' in t['type'] else t for t in dataset.pipeline]
    return Runner.build_dataloader(loader, seed=args.seed)


def peak_memory(device):
    if device == 'cuda':
        return torch.cuda.max_memory_allocated() / 2**30, 'GPU GiB (max)'
    # ru_maxrss is in KiB on Linux: the peak resident set of this process
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, \
        'host GiB (process peak RSS)'


def main():
    args = parse_args()
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise UserInputError('--device cuda: no CUDA device here')
    if args.workers is not None and not args.loader:
        raise UserInputError('--workers needs --loader')
    MMLogger.get_instance('benchmark', log_level='WARNING')
    with tempfile.TemporaryDirectory() as tmp:
        if args.loader:
            from mmscratch.datasets import make_synthetic_coco
            args.data_root = tmp + '/'
            # enough images that every worker has its own to decode
            make_synthetic_coco(tmp, dict(train=max(16, 4 * args.batch)),
                                image_size=tuple(args.size), seed=args.seed)
        report(args, [Subject(path, args)
                      for path in [args.config, args.vs] if path])


def report(args, subjects):
    """Run the alternating steps and print (or --json) the figures."""
    for i in range(args.warmup + args.iters):
        for subject in subjects:  # alternate A, B, A, B, ...
            subject.step(timed=i >= args.warmup)
    result = dict(device=args.device, batch=args.batch, size=args.size,
                  amp=args.amp, iters=args.iters,
                  runs=[s.summary() for s in subjects])
    mem, unit = peak_memory(args.device)
    result['peak_memory'] = mem
    result['peak_memory_unit'] = unit
    if args.vs:
        a, b = result['runs']
        # > 1: CONFIG is faster than --vs
        result['speed_ratio'] = b['s_per_iter'] / a['s_per_iter']
    if args.json:
        print(json.dumps(result))
        return
    print(f'device {args.device}, batch {args.batch}, size '
          f'{args.size[0]}x{args.size[1]}, amp {args.amp or "off"}, '
          f'{args.iters} timed steps after {args.warmup} warm-up')
    data = 'waiting for the loader' if args.loader else 'making the batch'
    for run in result['runs']:
        print(f'{run["config"]}\n  {run["s_per_iter"]:.4f} s/iter (median; '
              f'quartiles {run["s_per_iter_q1"]:.4f}-'
              f'{run["s_per_iter_q3"]:.4f}), {run["images_per_s"]:.2f} '
              f'images/s\n  data time ({data}) {run["data_s_per_batch"]:.4f}'
              f' s/iter median, {run["data_s_max"]:.4f} max')
        if 'loader' in run:
            print('  loader: ' + ', '.join(
                f'{k} {v}' for k, v in run['loader'].items()))
    print(f'peak memory: {mem:.2f} {unit}')
    if args.vs:
        print(f'speed ratio (--vs time / CONFIG time): '
              f'{result["speed_ratio"]:.3f}')


if __name__ == '__main__':
    run_tool(main)
