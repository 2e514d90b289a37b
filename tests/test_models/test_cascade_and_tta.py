"""LastStageMaskCascadeRoIHead and InstanceSegTTAModel on small inputs."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData

import mmscratch  # noqa: F401
from conftest import ROOT
from mmscratch.models import InstanceSegTTAModel
from mmdet.registry import MODELS
from mmdet.structures import DetDataSample
from mmdet.testing import demo_mm_inputs

CASCADE = osp.join(ROOT,
                   'configs/scratch/cascade_mask_rcnn_x152_gn_trainaug_9x.py')


def small_cascade():
    cfg = Config.fromfile(CASCADE)
    model = cfg.model
    model.backbone = dict(type='ResNet', depth=18, frozen_stages=-1,
                          norm_cfg=dict(type='GN', num_groups=32),
                          norm_eval=False, init_cfg=None)
    model.neck.in_channels = [64, 128, 256, 512]
    for head in model.roi_head.bbox_head:
        head.num_classes = 3
    model.roi_head.mask_head.num_classes = 3
    init_default_scope('mmdet')
    return MODELS.build(model)


@pytest.mark.slow
def test_mask_branch_trains_and_predicts_on_last_stage_only():
    torch.manual_seed(0)
    model = small_cascade()
    assert len(model.roi_head.mask_head) == 1
    packed = demo_mm_inputs(2, [[3, 96, 96], [3, 96, 96]], num_items=[3, 2],
                            num_classes=3, with_mask=True)
    data = model.data_preprocessor(packed, True)
    losses = model(**data, mode='loss')
    assert 's2.loss_mask' in losses
    assert not any(k.startswith(('s0.loss_mask', 's1.loss_mask'))
                   for k in losses)
    total = sum(v for k, v in losses.items() if 'loss' in k and
                isinstance(v, torch.Tensor))
    total.backward()
    assert model.roi_head.mask_head[0].conv_logits.weight.grad is not None
    model.eval()
    with torch.no_grad():
        preds = model(**model.data_preprocessor(packed, False),
                      mode='predict')
    for p in preds:
        inst = p.pred_instances
        assert inst.masks.shape[1:] == (96, 96)
        assert len(inst.masks) == len(inst.bboxes)


def sample(bboxes, scores, masks, flip):
    s = DetDataSample(metainfo=dict(ori_shape=(4, 6), img_shape=(4, 6),
                                    flip=flip, flip_direction='horizontal'))
    s.pred_instances = InstanceData(
        bboxes=torch.tensor(bboxes, dtype=torch.float32),
        scores=torch.tensor(scores), labels=torch.zeros(len(scores)).long(),
        masks=masks)
    return s


def test_tta_flips_masks_back_and_keeps_the_winners_mask():
    # only the merge step is under test: no wrapped detector needed
    tta = InstanceSegTTAModel.__new__(InstanceSegTTAModel)
    tta.tta_cfg = Config(dict(nms=dict(type='nms', iou_threshold=0.5),
                              max_per_img=10))
    left = torch.zeros(1, 4, 6, dtype=torch.bool)
    left[0, :, :2] = True  # object on the left
    plain = sample([[0, 0, 2, 4]], [0.6], left, flip=False)
    # the flipped view sees it on the right, with a higher score
    flipped = sample([[4, 0, 6, 4]], [0.9], torch.flip(left, (-1, )),
                     flip=True)
    merged = tta._merge_single_sample([plain, flipped]).pred_instances
    assert len(merged) == 1  # the two views overlap after the flip back
    assert merged.scores.item() == pytest.approx(0.9)
    assert torch.equal(merged.bboxes[0], torch.tensor([0., 0., 2., 4.]))
    assert torch.equal(merged.masks[0], left[0])


@pytest.mark.slow
def test_tools_test_tta_end_to_end(synthetic_data, tmp_path):
    """tools/test.py --tta with the TTA settings of the X152 config."""
    from conftest import DEMO_CONFIG, data_options, run_tool
    work = tmp_path / 'work'
    opts = data_options(synthetic_data)
    proc = run_tool(['tools/train.py', DEMO_CONFIG, '--work-dir', str(work),
                     '--cfg-options', 'train_cfg.max_iters=8',
                     'train_cfg.val_begin=100',
                     'default_hooks.checkpoint.interval=8'] + opts)
    assert proc.returncode == 0, proc.stderr[-2000:]
    tta_cfg = tmp_path / 'demo_tta.py'
    tta_src = osp.join(ROOT, 'configs/scratch/'
                       'cascade_mask_rcnn_x152_gn_trainaug_9x_tta.py')
    tta = Config.fromfile(tta_src)
    scales = [(96, 96), (128, 128)]
    tta_cfg.write_text(
        f"_base_ = '{DEMO_CONFIG}'\n"
        f'tta_model = {tta.tta_model.to_dict()!r}\n'
        "tta_pipeline = [dict(type='LoadImageFromFile'), dict("
        "type='TestTimeAug', transforms=["
        f"[dict(type='Resize', scale=s, keep_ratio=True) for s in {scales}],"
        "[dict(type='RandomFlip', prob=1.), dict(type='RandomFlip', "
        "prob=0.)], [dict(type='LoadAnnotations', with_bbox=True, "
        "with_mask=True)], [dict(type='PackDetInputs', meta_keys=("
        "'img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor', "
        "'flip', 'flip_direction'))]])]\n"
        'test_dataloader = dict(batch_size=1)\n')
    pkl = tmp_path / 'tta.pkl'
    # score_thr 0: an 8-iteration model still returns detections to merge
    proc = run_tool(['tools/test.py', str(tta_cfg), str(work / 'iter_8.pth'),
                     '--tta', '--work-dir', str(tmp_path / 'test'),
                     '--out', str(pkl), '--cfg-options',
                     'model.test_cfg.rcnn.score_thr=0.0'] + opts)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert 'coco/segm_mAP' in out  # masks survived the merge
    import pickle
    with open(pkl, 'rb') as f:
        preds = pickle.load(f)
    assert len(preds) == 12
    inst = preds[0]['pred_instances']
    assert 0 < len(inst['masks']) == len(inst['bboxes']) <= 100
    # a config without TTA settings is refused in one line
    proc = run_tool(['tools/test.py', DEMO_CONFIG, str(work / 'iter_8.pth'),
                     '--tta'] + ['--cfg-options'] + opts)
    assert proc.returncode == 2 and 'has no tta_model' in proc.stderr
