"""The demo's stages: data, pretraining, the runs (two at a time), report.

``tools/demo.py`` parses the arguments and calls :func:`run_demo`.
"""
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time

from tqdm import tqdm

from ..datasets import make_coco_subset, make_synthetic_coco, read_coco_file
from ..runs import read_run
from ..utils.checkout import REPO
from .compare import Comparisons
from .plan import (DATASET, LESS_DATA, PRETRAINED, plan, sizes, subset_file,
                   train_options)
from .pretrain import pretrain_backbone
from .report import write_all



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
    """The stages of the demo, each reusing what a previous invocation
    finished; ``args`` as tools/demo.py parses them."""

    def __init__(self, args):
        self.args = args
        self.size = sizes(args.quick)
        self.out = osp.abspath(args.out)
        self.data = osp.abspath(args.data)
        self.commands = {}
        self.start = time.time()
        os.makedirs(self.out, exist_ok=True)
        self.timings_file = osp.join(self.out, 'timings.json')
        self.timings = {}
        if osp.isfile(self.timings_file) and not args.force:
            with open(self.timings_file) as f:
                self.timings = json.load(f)

    def say(self, msg):
        print(f'[demo {time.time() - self.start:5.0f}s] {msg}', flush=True)

    def timed(self, stage, seconds):
        self.timings[stage] = round(seconds, 1)
        with open(self.timings_file, 'w') as f:
            json.dump(self.timings, f, indent=1)

    # 1. data ---------------------------------------------------------------
    def make_data(self):
        ann = osp.join(self.data, 'annotations', 'instances_train.json')
        fraction = LESS_DATA[0]
        subset = osp.join(self.data, subset_file(fraction))
        n_train, n_val = self.size['train_images'], self.size['val_images']
        command = (
            f'python tools/dataset/make_synthetic_coco.py {self.data} '
            f'--train {n_train} --val {n_val} --size '
            f'{" ".join(map(str, DATASET["image_size"]))} --max-objects '
            f'{DATASET["max_objects"]} --size-range '
            f'{" ".join(map(str, DATASET["size_range"]))} --texture '
            f'{DATASET["texture"]} --seed {self.args.seed} && python '
            f'tools/dataset/make_coco_subset.py {ann} {subset} --fraction '
            f'{fraction} --seed {self.args.seed}')
        self.commands['data'] = command
        marker = osp.join(self.data, 'demo_data.txt')
        if osp.isfile(marker) and open(marker).read() == command and \
                not self.args.force:
            self.say(f'reusing the dataset in {self.data}')
            return
        start = time.time()
        make_synthetic_coco(self.data, dict(train=n_train, val=n_val),
                            seed=self.args.seed, **DATASET)
        with open(subset, 'w') as f:
            json.dump(make_coco_subset(read_coco_file(ann), fraction=fraction,
                                       seed=self.args.seed), f)
        with open(marker, 'w') as f:
            f.write(command)
        self.timed('data', time.time() - start)
        self.say(f'wrote {n_train}+{n_val} synthetic images to {self.data} '
                 f'and a {fraction:.0%} training subset')

    # 2. pretraining ---------------------------------------------------------
    def pretrain(self):
        out = osp.join(self.out, 'pretrain')
        budget_file = osp.join(out, 'budget.json')
        iters = self.size['pretrain_iters']
        self.commands['pretrain'] = (
            f'python tools/dataset/pretrain_demo_backbone.py {PRETRAINED} '
            f'{out} --iters {iters} --num-images '
            f'{self.size["pretrain_images"]} --texture {DATASET["texture"]} '
            f'--seed {self.args.seed}')
        if osp.isfile(budget_file) and not self.args.force:
            with open(budget_file) as f:
                self.budget = json.load(f)
            if self.budget['iters'] == iters:
                self.say(f'reusing the pretrained backbone in {out}')
                return
        from mmengine.config import Config
        from mmengine.logging import MMLogger

        MMLogger.get_instance('demo_pretrain', log_level='WARNING')
        backbone = Config.fromfile(osp.join(REPO, PRETRAINED)).model.backbone
        self.say(f'pretraining the backbone on the synthetic classification '
                 f'task ({iters} iterations x 32 images)')
        bar = progress_bar(iters, 'pretrain')

        def progress(step, loss):
            bar.update(1)
            bar.set_postfix(loss=f'{loss:.2f}', refresh=False)
        self.budget = pretrain_backbone(
            backbone.to_dict(), out, iters=iters,
            num_images=self.size['pretrain_images'],
            texture=DATASET['texture'],
            seed=self.args.seed, progress=progress)
        bar.close()
        self.timed('pretrain', self.budget['seconds'])
        self.say(f'pretrained in {self.budget["seconds"]:.0f}s: held-out '
                 f'accuracy {self.budget["accuracy"]:.1%} (chance '
                 f'{self.budget["chance"]:.1%})')

    # 3. detection runs -----------------------------------------------------
    def launch(self, run, threads):
        """Start ``run`` as a tools/train.py process (continuing it if a
        rerun finds it stopped); None if it is finished already."""
        work_dir = osp.join(self.out, run.name)
        cmd = ['tools/train.py', run.config, '--work-dir', work_dir,
               '--cfg-options'] + train_options(
                   run, self.size, self.data, self.out)
        command = 'python ' + ' '.join(cmd)
        self.commands[run.name] = command
        marker = osp.join(work_dir, 'demo_run.json')
        started = osp.join(work_dir, 'demo_command.txt')
        if osp.isfile(marker) and not self.args.force:
            with open(marker) as f:
                if json.load(f)['command'] == command:
                    self.say(f'reusing the finished {run.name} run')
                    return None
        resume = []
        if not self.args.force and osp.isfile(started) and \
                open(started).read() == command:
            resume = ['--resume']  # stopped before: continue
        elif osp.isdir(work_dir):
            shutil.rmtree(work_dir)  # another command, or --force
        os.makedirs(work_dir, exist_ok=True)
        with open(started, 'w') as f:
            f.write(command)
        log_path = osp.join(work_dir, 'demo.log')
        iters = run.schedule * self.size['base_iters']
        self.say(f'training {run.name}: {iters} iterations'
                 + (' (continuing)' if resume else '')
                 + f' (log: {log_path})')
        env = dict(os.environ, OMP_NUM_THREADS=str(threads),
                   MKL_NUM_THREADS=str(threads))
        log = open(log_path, 'a')
        proc = subprocess.Popen([sys.executable] + cmd + resume, cwd=REPO,
                                stdout=log, stderr=subprocess.STDOUT,
                                env=env)
        return dict(run=run, proc=proc, log=log, log_path=log_path,
                    work_dir=work_dir, command=command, start=time.time(),
                    bar=progress_bar(iters, run.name))

    def train_all(self, runs, jobs):
        """Train ``runs`` in order, ``jobs`` at a time (the CPU threads
        shared between them)."""
        threads = max((os.cpu_count() or 1) // jobs, 1)
        queue, active = list(runs), []
        try:
            while queue or active:
                while queue and len(active) < jobs:
                    handle = self.launch(queue.pop(0), threads)
                    if handle is not None:
                        active.append(handle)
                time.sleep(1)
                for handle in list(active):
                    bar = handle['bar']
                    bar.update(max(
                        self._logged_iter(handle['work_dir']) - bar.n, 0))
                    if handle['proc'].poll() is not None:
                        active.remove(handle)
                        self.finish(handle)
        except KeyboardInterrupt:
            for handle in active:
                handle['proc'].wait()
            raise

    def finish(self, handle):
        handle['bar'].close()
        handle['log'].close()
        run = handle['run']
        if handle['proc'].returncode != 0:
            with open(handle['log_path']) as f:
                print(''.join(f.readlines()[-15:]), file=sys.stderr)
            sys.exit(f'[demo] the {run.name} run failed (log: '
                     f'{handle["log_path"]})')
        seconds = time.time() - handle['start']
        with open(osp.join(handle['work_dir'], 'demo_run.json'), 'w') as f:
            json.dump(dict(command=handle['command'],
                           seconds=round(seconds, 1)), f)
        self.timed(run.name, seconds)
        log = read_run(handle['work_dir'])
        box, mask = (log.final(f'coco/{m}_mAP') for m in ('bbox', 'segm'))
        self.say(f'{run.name} done in {seconds:.0f}s: ' + (
            f'box AP {box:.3f}, mask AP {mask:.3f}' if box is not None
            else 'no detections at the last validation'))

    @staticmethod
    def _logged_iter(work_dir):
        try:
            run = read_run(work_dir)
        except Exception:  # not written yet
            return 0
        return run.train[-1]['step'] if run.train else 0

    # 4. report -------------------------------------------------------------
    def report(self, runs, pairs):
        start = time.time()
        ann = osp.join(self.data, 'annotations', 'instances_val.json')
        self.say(f'comparing {len(pairs)} pairs: bootstrap over the '
                 f'validation images and the seeds ({self.args.samples} '
                 'resamples)')
        comparisons = Comparisons(self.out, runs, ann, self.args.samples,
                                  self.args.seed)
        self.timed('report', time.time() - start)
        verdicts = write_all(self.out, runs, pairs, comparisons,
                             self.budget, self.size, self.commands,
                             self.timings, ann)
        self.say(f'wrote {self.out}/report.md, figure1.png, table1.png, '
                 'less_data.png')
        for line in verdicts:
            print(line)


def run_demo(args) -> None:
    """All stages; Ctrl-C stops with a line saying how to continue."""
    demo = Demo(args)
    runs, pairs = plan()
    try:
        demo.make_data()
        demo.pretrain()
        demo.train_all(runs, args.jobs)
    except KeyboardInterrupt:
        sys.exit('\n[demo] stopped; run the same command again to continue '
                 'where it stopped')
    demo.timed('wall', time.time() - demo.start)
    demo.report(runs, pairs)
    demo.say('done')
