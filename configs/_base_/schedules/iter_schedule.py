# The paper's optimisation recipe, shared by every schedule_{k}x.py: SGD at
# batch 16 (8 GPUs x 2 images), LR 0.02, momentum 0.9, weight decay 1e-4 but
# none on norm parameters, linear warm-up. Each schedule file sets
# max_iters = k x 90k and the LR steps at max_iters - 60k and - 20k.
# The iteration counts assume 16 images per step: for another total batch B,
# run with --auto-scale-lr (LR x B/16) and scale the iterations by 16/B
# (tools/analysis/schedule.py prints the numbers).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=dict(norm_decay_mult=0.))

warmup = dict(
    type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1000)

val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

auto_scale_lr = dict(enable=False, base_batch_size=16)
