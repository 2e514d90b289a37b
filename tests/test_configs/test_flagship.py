"""The flagship config: the paper's recipe, checked on the built model."""
import torch.nn as nn
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmdet.registry import MODELS

from conftest import FLAGSHIP
from mmscratch.analysis import lr_steps


def test_schedule_is_the_papers_6x():
    cfg = Config.fromfile(FLAGSHIP)
    assert cfg.train_cfg.type == 'PositionedIterBasedTrainLoop'
    assert cfg.train_cfg.max_iters == 540000
    warmup, steps = cfg.param_scheduler
    assert warmup.type == 'LinearLR' and not warmup.by_epoch
    assert steps.type == 'RelativeMultiStepLR'
    assert steps.before_end == [60000, 20000]
    assert lr_steps(cfg) == [540000 - 60000, 540000 - 20000]
    assert steps.gamma == 0.1 and not steps.by_epoch
    opt = cfg.optim_wrapper.optimizer
    assert (opt.type, opt.lr, opt.momentum, opt.weight_decay) == \
        ('SGD', 0.02, 0.9, 1e-4)
    assert cfg.optim_wrapper.paramwise_cfg.norm_decay_mult == 0
    assert cfg.train_dataloader.batch_size * 8 == 16
    assert cfg.auto_scale_lr.base_batch_size == 16
    assert cfg.train_dataloader.dataset.data_root == 'data/coco/'
    assert cfg.load_from is None
    assert 'mmscratch' in cfg.custom_imports.imports


def test_built_model_is_gn_everywhere_kaiming_and_unfrozen():
    cfg = Config.fromfile(FLAGSHIP)
    assert cfg.model.backbone.frozen_stages == -1
    assert cfg.model.backbone.init_cfg is None
    init_default_scope('mmdet')
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    for part in (model.backbone, model.neck, model.roi_head.bbox_head,
                 model.roi_head.mask_head):
        norms = [m for m in part.modules() if isinstance(
            m, (nn.GroupNorm, nn.modules.batchnorm._BatchNorm))]
        assert norms, f'{type(part).__name__} has no norm layers'
        assert all(isinstance(m, nn.GroupNorm) and m.num_groups == 32
                   for m in norms)
    assert type(model.roi_head.bbox_head).__name__ == \
        'Shared4Conv1FCBBoxHead'
    assert all(p.requires_grad for p in model.parameters())
    # Kaiming normal (fan_out, relu) on the backbone convs
    conv = model.backbone.layer3[0].conv2
    fan_out = conv.out_channels * conv.kernel_size[0] * conv.kernel_size[1]
    expected = (2.0 / fan_out) ** 0.5
    assert abs(conv.weight.std().item() - expected) / expected < 0.05
