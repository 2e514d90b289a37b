"""Train and evaluate a small scratch Mask R-CNN on synthetic data (CPU).

Steps: generate the synthetic dataset (if absent), train the CPU-sized
scratch config with tools/train.py, evaluate the last checkpoint with
tools/test.py, and print the COCO AP and where everything was written. Full
logs go to the work dirs; the console shows one line per step.
"""
import argparse
import os
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

from mmscratch.analysis import read_run  # noqa: E402
from mmscratch.datasets import make_synthetic_coco  # noqa: E402

CONFIG = 'configs/demo/mask_rcnn_r18_gn_synthetic.py'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--out', default='results/demo',
                        help='folder for work dirs and results')
    parser.add_argument('--data', default='data/synthetic',
                        help='synthetic dataset folder (made if absent)')
    parser.add_argument('--iters', type=int, default=300,
                        help='training iterations (batch 4)')
    parser.add_argument('--train-images', type=int, default=400)
    parser.add_argument('--val-images', type=int, default=60)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--force', action='store_true',
                        help='regenerate the data and retrain')
    return parser.parse_args()


def step(msg: str) -> float:
    print(f'[demo] {msg}', flush=True)
    return time.time()


def run(cmd, log_path: str) -> None:
    """Run a tool, its output into ``log_path``; show the tail on failure."""
    with open(log_path, 'w') as log:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=log,
                              stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        with open(log_path) as f:
            tail = f.read().splitlines()[-15:]
        print('\n'.join(tail), file=sys.stderr)
        sys.exit(f'[demo] failed: {" ".join(cmd)} (log: {log_path})')


def main():
    args = parse_args()
    os.makedirs(args.out, exist_ok=True)
    data = osp.abspath(args.data)
    ann = osp.join(data, 'annotations', 'instances_train.json')
    if args.force or not osp.isfile(ann):
        t = step(f'writing {args.train_images}+{args.val_images} synthetic '
                 f'images to {data}')
        make_synthetic_coco(data, dict(train=args.train_images,
                                       val=args.val_images), seed=args.seed)
        step(f'data ready in {time.time() - t:.1f}s')
    else:
        step(f'reusing the dataset in {data}')

    work_dir = osp.abspath(osp.join(args.out, 'scratch'))
    every = max(args.iters // 3, 1)
    options = [
        f'train_dataloader.dataset.data_root={data}/',
        f'val_dataloader.dataset.data_root={data}/',
        f'test_dataloader.dataset.data_root={data}/',
        f'val_evaluator.ann_file={data}/annotations/instances_val.json',
        f'test_evaluator.ann_file={data}/annotations/instances_val.json',
        f'randomness.seed={args.seed}',
    ]
    schedule = [
        f'train_cfg.max_iters={args.iters}',
        f'train_cfg.val_interval={every}',
        f'default_hooks.checkpoint.interval={every}',
        f'param_scheduler.1.end={args.iters}',
        f'param_scheduler.1.milestones=[{args.iters * 2 // 3},'
        f'{args.iters * 8 // 9}]',
    ]
    ckpt = osp.join(work_dir, f'iter_{args.iters}.pth')
    train_cmd = [sys.executable, 'tools/train.py', CONFIG, '--work-dir',
                 work_dir, '--cfg-options'] + options + schedule
    if args.force or not osp.isfile(ckpt):
        log_path = osp.join(args.out, 'train.log')
        t = step(f'training {CONFIG} for {args.iters} iterations '
                 f'(log: {log_path})')
        run(train_cmd, log_path)
        step(f'trained in {time.time() - t:.0f}s')
    else:
        step(f'reusing the trained checkpoint {ckpt}')

    test_dir = osp.join(work_dir, 'test')
    predictions = osp.join(args.out, 'predictions.pkl')
    test_cmd = [sys.executable, 'tools/test.py', CONFIG, ckpt, '--work-dir',
                test_dir, '--out', predictions, '--cfg-options'] + options
    log_path = osp.join(args.out, 'test.log')
    t = step('evaluating COCO bbox and mask AP on the validation images '
             f'(log: {log_path})')
    run(test_cmd, log_path)
    step(f'evaluated in {time.time() - t:.0f}s')

    log = read_run(work_dir)
    print()
    print('iteration  bbox mAP  segm mAP')
    for (it, box), (_, seg) in zip(log.metric('coco/bbox_mAP'),
                                   log.metric('coco/segm_mAP')):
        print(f'{it:9d}  {box:8.3f}  {seg:8.3f}')
    print()
    print(f'work dir:    {work_dir}')
    print(f'checkpoint:  {ckpt}')
    print(f'predictions: {predictions}')
    print('rerun:       ' + ' '.join(train_cmd[1:]))


if __name__ == '__main__':
    main()
