"""What tools/demo.py trains: the runs, their sizes and their options."""
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Tuple

from ..datasets import synthetic_data_options

SCRATCH = 'configs/demo/mask_rcnn_r18_gn_synthetic.py'
PRETRAINED = 'configs/demo/mask_rcnn_r18_gn_synthetic_pretrained.py'
# schedule lengths, as multiples of the base length (the paper's 2x..6x)
SCHEDULES = (1, 2, 4)
# the less-data runs: this share of the training images, at this schedule
LESS_DATA = (0.1, 4)
# the synthetic shapes: 64x64 images (the demo config's image_size), up to
# 4 shapes of a quarter to 60% of the image side, textures at 40% strength
# (hard enough to need features, easy enough to learn on a CPU budget)
DATASET = dict(image_size=(64, 64), max_objects=4, size_range=(0.25, 0.6),
               texture=0.4)

# (default, --quick): the default fits in 12 minutes on 2 CPU cores
SIZES = dict(
    train_images=(2000, 40), val_images=(300, 16), base_iters=(120, 4),
    curve_points=(4, 2), pretrain_iters=(500, 4),
    pretrain_images=(3000, 160),
    # detections kept at validation: the config's 0.05, and all for the
    # few-iteration runs of --quick (whose scores are all low)
    score_thr=(0.05, 0.0))


@dataclass(frozen=True)
class Run:
    """One tools/train.py run of the demo."""
    init: str  # 'scratch' or 'pretrained'
    schedule: int  # multiple of the base length
    fraction: float = 1.0  # share of the training images

    @property
    def name(self) -> str:
        data = '' if self.fraction == 1 else \
            f'_{round(100 * self.fraction)}pct'
        return f'{self.init}_{self.schedule}x{data}'

    @property
    def config(self) -> str:
        return PRETRAINED if self.init == 'pretrained' else SCRATCH


def sizes(quick: bool) -> Dict[str, int]:
    return {k: v[1 if quick else 0] for k, v in SIZES.items()}


def subset_file(fraction: float) -> str:
    """The annotation file of the less-data runs, under the data root."""
    return f'annotations/instances_train_{round(100 * fraction)}pct.json'


def plan() -> Tuple[List[Run], List[Tuple[Run, Run]]]:
    """The runs (in training order) and the (pretrained, scratch) pairs the
    report compares: one per schedule length, then the less-data pair."""
    fraction, schedule = LESS_DATA
    pairs = [(Run('pretrained', s), Run('scratch', s)) for s in SCHEDULES]
    pairs.append((Run('pretrained', schedule, fraction),
                  Run('scratch', schedule, fraction)))
    runs = [run for pair in pairs for run in pair]
    return runs, pairs


def train_options(run: Run, size: Dict[str, int], data: str, out: str,
                  seed: int) -> List[str]:
    """--cfg-options of ``run``: data, length, validation, outputs."""
    iters = run.schedule * size['base_iters']
    longest = run.schedule == max(SCHEDULES) and run.fraction == 1
    # the longest runs validate along the way (Figure 1), the others at
    # their end only; a checkpoint at each validation for Ctrl-C resumes
    every = max(iters // size['curve_points'], 1) if longest else iters
    work = osp.join(out, run.name)
    options = synthetic_data_options(data.rstrip('/') + '/')
    if run.fraction != 1:
        options['train_dataloader.dataset.ann_file'] = subset_file(
            run.fraction)
    options.update({
        'randomness.seed': seed,
        'train_cfg.max_iters': iters,
        'train_cfg.val_interval': every,
        'default_hooks.checkpoint.interval': every,
        'default_hooks.checkpoint.max_keep_ckpts': 1,
        'val_evaluator.outfile_prefix': osp.join(work, 'val_preds'),
        'model.test_cfg.rcnn.score_thr': size['score_thr'],
    })
    if run.init == 'pretrained':
        pre = osp.join(out, 'pretrain')
        options['model.backbone.init_cfg.checkpoint'] = osp.join(
            pre, 'backbone.pth')
        options['default_hooks.compute_budget.pretrain'] = osp.join(
            pre, 'budget.json')
    return [f'{k}={v}' for k, v in options.items()]
