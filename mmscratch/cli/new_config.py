"""A ready config for a user's COCO-format dataset (tools/dataset/
new_config.py): classes, image size and schedule read from the files."""
import os.path as osp
import statistics
import textwrap
from typing import Optional

from ..analysis.schedule import paper_schedule
from ..datasets.coco_file import read_coco_file
from ..utils.checkout import REPO, tool_command
from ..utils.errors import UserInputError

# (scratch, pretrained twin) per task
BASES = {
    'mask': ('configs/scratch/mask_rcnn_r50_gn_6x.py',
             'configs/pretrained/mask_rcnn_r50_gn_in1k_6x.py'),
    'box': ('configs/scratch/faster_rcnn_r50_gn_6x.py',
            'configs/pretrained/faster_rcnn_r50_gn_in1k_6x.py'),
}
COCO_SCALE = (1333, 800)  # the configs' scale: never more than this
VALIDATIONS = 10  # validations (and checkpoints) per run


def has_masks(data: dict) -> bool:
    """Whether most annotations carry a segmentation (instance masks)."""
    anns = data['annotations']
    return sum(1 for a in anns if a.get('segmentation')) * 2 >= len(anns)


def image_scale(data: dict) -> tuple:
    """(long side, short side) of the median training image, at most the
    COCO configs' (1333, 800)."""
    longs = [max(i['width'], i['height']) for i in data['images']]
    shorts = [min(i['width'], i['height']) for i in data['images']]
    long, short = (int(statistics.median(v)) for v in (longs, shorts))
    factor = min(1.0, COCO_SCALE[0] / long, COCO_SCALE[1] / short)
    return round(long * factor), round(short * factor)


def _folder(path: str, what: str) -> str:
    path = osp.abspath(path)
    if not osp.isdir(path):
        raise UserInputError(f'{what} {path} is not a folder; give the '
                             'folder the file_name entries are relative to')
    return path.rstrip('/') + '/'


def new_config(train_ann: str, train_img: str, val_ann: str, val_img: str,
               pretrained: bool = False, epochs: float = 100,
               batch_per_gpu: int = 2, gpus: int = 1,
               name: Optional[str] = None) -> str:
    """The text of a config that trains the flagship recipe (Mask R-CNN,
    or Faster R-CNN for box-only files; R50-FPN, GN, from scratch or its
    pretrained twin) on the given files, with the paper's schedule rule
    for ``epochs`` over the annotated training images.

    Raises:
        UserInputError: a file or folder is missing or malformed.
    """
    if epochs <= 0 or batch_per_gpu <= 0 or gpus <= 0:
        raise UserInputError('--epochs, --batch-per-gpu and --gpus must be '
                             'positive')
    train = read_coco_file(train_ann, 'train annotations')
    read_coco_file(val_ann, 'val annotations')
    train_img, val_img = (_folder(p, what) for p, what in (
        (train_img, '--train-img'), (val_img, '--val-img')))
    cats = sorted(train['categories'], key=lambda c: c['id'])
    if not cats:
        raise UserInputError(f'{train_ann} lists no categories')
    annotated = {a['image_id'] for a in train['annotations']
                 if not a.get('iscrowd')}
    if not annotated:
        raise UserInputError(f'{train_ann} has no annotations to train on')
    task = 'mask' if has_masks(train) else 'box'
    base = osp.join(REPO, BASES[task][int(pretrained)])
    train_cmd = tool_command('train')
    batch = batch_per_gpu * gpus
    plan = paper_schedule(len(annotated), batch, epochs=epochs)
    interval = max(1, plan.max_iters // VALIDATIONS)
    long, short = image_scale(train)
    classes = tuple(c['name'] for c in cats)
    ids = ', '.join(str(c['id']) for c in cats[:12]) + \
        (', ...' if len(cats) > 12 else '')
    masks = task == 'mask'
    heads = 'bbox_head=dict(num_classes=len(classes))' + (
        ',\n    mask_head=dict(num_classes=len(classes))' if masks else '')
    steps = (f"before_end={[plan.max_iters - m for m in plan.milestones]}"
             if plan.rule == 'before_end' else 'fractions=[2 / 3, 8 / 9]')
    load = f'dict(type=\'LoadAnnotations\', with_bbox=True, ' \
        f'with_mask={masks})'
    about = textwrap.fill(
        f'{name or "A config"} for the COCO-format dataset {train_ann}, '
        f'written by tools/dataset/new_config.py: {len(classes)} classes, '
        f'{len(annotated)} of {len(train["images"])} training images '
        f'annotated, median image {long}x{short}; '
        f'{"pretrained backbone" if pretrained else "from scratch"}, '
        f'{epochs:g} epochs at a total batch of {batch} ({gpus} GPU(s) x '
        f'{batch_per_gpu}): {plan.max_iters} iterations, the paper\'s rule '
        '(tools/analysis/schedule.py). Check it, then train:', 77,
        initial_indent='# ', subsequent_indent='# ',
        break_long_words=False, break_on_hyphens=False)
    return f'''\
{about}
#   {train_cmd} THIS_FILE --check-only
#   {train_cmd} THIS_FILE           ({tool_command('dist-train')} for GPUs)
_base_ = '{base}'

# the file's categories in id order ({ids})
classes = {classes!r}
metainfo = dict(classes=classes)
model = dict(roi_head=dict(
    {heads}))

# (long side, short side) of the median training image
image_scale = ({long}, {short})
train_pipeline = [
    dict(type='LoadImageFromFile'),
    {load},
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=image_scale, keep_ratio=True),
    {load},
    dict(type='PackDetInputs', meta_keys=(
        'img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size={batch_per_gpu},
    dataset=dict(
        data_root='', metainfo=metainfo, pipeline=train_pipeline,
        ann_file='{osp.abspath(train_ann)}',
        data_prefix=dict(img='{train_img}')))
val_dataloader = dict(
    dataset=dict(
        data_root='', metainfo=metainfo, pipeline=test_pipeline,
        ann_file='{osp.abspath(val_ann)}',
        data_prefix=dict(img='{val_img}')))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file='{osp.abspath(val_ann)}')
test_evaluator = val_evaluator

# the schedule: LR {plan.lr:g} (0.02 x {batch}/16), warm-up of
# {plan.warmup_iters} iterations, LR / 10 at {plan.milestones[0]} and
# {plan.milestones[1]}; validation and checkpoint every {interval}
train_cfg = dict(max_iters={plan.max_iters}, val_interval={interval})
optim_wrapper = dict(optimizer=dict(lr={plan.lr!r}))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0,
         end={plan.warmup_iters}),
    dict(type='RelativeMultiStepLR', by_epoch=False, {steps},
         gamma=0.1),
]
auto_scale_lr = dict(base_batch_size={batch})
default_hooks = dict(checkpoint=dict(interval={interval}))
'''
