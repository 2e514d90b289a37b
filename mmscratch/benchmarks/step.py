"""``benchmark.py step``: full training steps of a config, A/B.

Builds the model and optimizer wrapper of CONFIG (and of --vs OTHER),
feeds synthetic batches with boxes and masks, and times complete training
steps (forward, loss, backward, optimizer step) after a warm-up,
alternating A and B step by step so that the machine's drift cancels:
the median and spread of s/iter, images/s, peak memory, the A/B speed
ratio, and the data time per step apart from the step time.

Data: by default each batch is made in memory (mmdet's demo inputs); the
data time is then the time to make it. With --loader the batches come from
the config's own train_dataloader (its pipeline, workers, pinning, fitted
to this machine as tools/train.py does) over a synthetic COCO dataset of
HxW images written to a temporary folder, resizes set to HxW; the data time
is then how long each step waited for its batch, as mmengine's data_time.
"""
import contextlib
import io
import statistics
import tempfile
import time

import torch
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope

from ..cli.config import load_config
from ..utils.errors import UserInputError
from .common import emit, peak_gib

def add_arguments(parser) -> None:
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

    from ..cli.loader import fit_loaders
    from ..datasets import CATEGORIES
    from ..utils.cfg_tree import loader_datasets
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
    return peak_gib(), 'host GiB (process peak RSS)'


def run(args) -> None:
    if args.device == 'cuda' and not torch.cuda.is_available():
        raise UserInputError('--device cuda: no CUDA device here')
    if args.workers is not None and not args.loader:
        raise UserInputError('--workers needs --loader')
    MMLogger.get_instance('benchmark', log_level='WARNING')
    with tempfile.TemporaryDirectory() as tmp:
        if args.loader:
            from ..datasets import make_synthetic_coco
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
    lines = [f'device {args.device}, batch {args.batch}, size '
             f'{args.size[0]}x{args.size[1]}, amp {args.amp or "off"}, '
             f'{args.iters} timed steps after {args.warmup} warm-up']
    data = 'waiting for the loader' if args.loader else 'making the batch'
    for arm in result['runs']:
        lines.append(
            f'{arm["config"]}\n  {arm["s_per_iter"]:.4f} s/iter (median; '
            f'quartiles {arm["s_per_iter_q1"]:.4f}-'
            f'{arm["s_per_iter_q3"]:.4f}), {arm["images_per_s"]:.2f} '
            f'images/s\n  data time ({data}) {arm["data_s_per_batch"]:.4f}'
            f' s/iter median, {arm["data_s_max"]:.4f} max')
        if 'loader' in arm:
            lines.append('  loader: ' + ', '.join(
                f'{k} {v}' for k, v in arm['loader'].items()))
    lines.append(f'peak memory: {mem:.2f} {unit}')
    if args.vs:
        lines.append(f'speed ratio (--vs time / CONFIG time): '
                     f'{result["speed_ratio"]:.3f}')
    emit(args, result, lines)

