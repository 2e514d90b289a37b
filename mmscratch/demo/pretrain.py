"""Backbone pretraining on the synthetic classification task (demo).

Stands in for ImageNet pretraining: the backbone of a detection config is
trained to classify the images of
:data:`~mmscratch.demo.pretrain_data.PRETRAIN_CLASSES` (global average
pooling + one linear layer), then its weights are saved in a file that
``init_cfg=dict(type='Pretrained', checkpoint=...)`` loads, with the
compute spent, for ComputeBudgetHook's ``pretrain`` argument.
"""
import json
import math
import os
import os.path as osp
import time
from typing import Callable, Optional

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.registry import init_default_scope

from .pretrain_data import PRETRAIN_CLASSES, make_classification_images

# the detectors' DetDataPreprocessor defaults (RGB)
MEAN = (123.675, 116.28, 103.53)
STD = (58.395, 57.12, 57.375)


def pretrain_backbone(backbone_cfg: dict,
                      out_dir: str,
                      iters: int = 300,
                      batch_size: int = 32,
                      lr: float = 0.02,
                      image_size: int = 48,
                      texture: float = 1.0,
                      num_images: int = 4000,
                      seed: int = 0,
                      progress: Optional[Callable[[int, float], None]] = None
                      ) -> dict:
    """Train ``backbone_cfg`` on the classification task; save it.

    Writes ``out_dir/backbone.pth`` (the backbone's state dict) and
    ``out_dir/budget.json`` (images, instances and pixels seen; accuracy).

    Args:
        backbone_cfg (dict): an mmdet backbone config (e.g. ResNet-18 GN).
        out_dir (str): folder for the two files.
        iters (int): SGD steps. Defaults to 300.
        batch_size (int): images per step. Defaults to 32.
        lr (float): peak LR of the cosine schedule. Defaults to 0.02.
        image_size (int): image side. Defaults to 48.
        texture (float): texture strength of the images (see
            :func:`make_classification_images`). Defaults to 1.
        num_images (int): training images (plus 10% held out). Defaults
            to 4000.
        seed (int): random seed. Defaults to 0.
        progress (callable, optional): called as ``progress(step, loss)``.

    Returns:
        dict: what budget.json holds.
    """
    from mmdet.registry import MODELS
    torch.manual_seed(seed)
    init_default_scope('mmdet')
    backbone = MODELS.build(dict(backbone_cfg, init_cfg=None))
    backbone.init_weights()
    with torch.no_grad():
        dummy = backbone(torch.zeros(1, 3, image_size, image_size))
    head = nn.Linear(dummy[-1].shape[1], len(PRETRAIN_CLASSES))
    held_out = max(num_images // 10, batch_size)
    images, labels = make_classification_images(num_images + held_out,
                                                image_size, seed, texture)
    data = torch.from_numpy(images).permute(0, 3, 1, 2).float()
    data = (data - torch.tensor(MEAN).view(1, 3, 1, 1)) / \
        torch.tensor(STD).view(1, 3, 1, 1)
    targets = torch.from_numpy(labels).long()
    train_x, val_x = data[:num_images], data[num_images:]
    train_y, val_y = targets[:num_images], targets[num_images:]

    params = list(backbone.parameters()) + list(head.parameters())
    optim = torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=1e-4)
    rng = np.random.default_rng(seed)
    backbone.train()
    start = time.time()
    for step in range(iters):
        scale = 0.5 * (1 + math.cos(math.pi * step / iters))
        for group in optim.param_groups:
            group['lr'] = lr * min(1.0, (step + 1) / 20) * scale
        idx = torch.from_numpy(rng.integers(num_images, size=batch_size))
        x = train_x[idx]
        flip = torch.rand(batch_size) < 0.5
        x[flip] = x[flip].flip(-1)
        logits = head(backbone(x)[-1].mean(dim=(2, 3)))
        loss = F.cross_entropy(logits, train_y[idx])
        optim.zero_grad()
        loss.backward()
        optim.step()
        if progress is not None:
            progress(step + 1, loss.item())
    backbone.eval()
    with torch.no_grad():
        pred = torch.cat([
            head(backbone(val_x[i:i + 64])[-1].mean(dim=(2, 3))).argmax(1)
            for i in range(0, len(val_x), 64)
        ])
    budget = dict(
        images=iters * batch_size,
        instances=iters * batch_size,  # one labelled object per image
        pixels=iters * batch_size * image_size * image_size,
        accuracy=float((pred == val_y).float().mean()),
        chance=1.0 / len(PRETRAIN_CLASSES),
        iters=iters, batch_size=batch_size, image_size=image_size,
        seconds=time.time() - start)
    os.makedirs(out_dir, exist_ok=True)
    torch.save(dict(state_dict=backbone.state_dict(),
                    meta=dict(task='synthetic shapes classification',
                              classes=list(PRETRAIN_CLASSES))),
               osp.join(out_dir, 'backbone.pth'))
    with open(osp.join(out_dir, 'budget.json'), 'w') as f:
        json.dump(budget, f, indent=2)
    return budget
