"""Figure and report of tools/demo.py, built from the runs' logs."""
from typing import Dict

from ..analysis.logs import RunLog, images_at, lr_drops
from ..analysis.plot import new_figure, plot_curves

LABELS = dict(scratch='random init (scratch)', pretrained='pretrained')


def write_curves(runs: Dict[str, RunLog], budget: dict, out_file: str,
                 drops=None):
    """Two panels: AP vs iterations, and vs images seen incl. pretraining.

    ``drops`` are the LR drop iterations; by default they are read from the
    logged LR (as precise as the logging interval).
    """
    fig = new_figure(figsize=(12, 4.5))
    left, right = fig.subplots(1, 2)
    by_iter, by_images = {}, {}
    for name, run in runs.items():
        for metric, short in (('coco/bbox_mAP', 'box'),
                              ('coco/segm_mAP', 'mask')):
            points = run.metric(metric)
            label = f'{LABELS[name]}, {short} AP'
            by_iter[label] = points
            steps = [s for s, _ in points]
            offset = budget['images'] if name == 'pretrained' else 0
            by_images[label] = [
                (offset + x, v)
                for x, (_, v) in zip(images_at(run, steps), points)]
    drops = lr_drops(runs['scratch']) if drops is None else drops
    plot_curves(by_iter, lr_drops=drops, xlabel='iterations (batch 4)',
                ylabel='AP', title='AP vs iterations', ax=left)
    plot_curves(by_images, lr_drops=[], ylabel='AP',
                xlabel='images seen, pretraining included',
                title='AP vs images seen', ax=right)
    right.axvline(budget['images'], color='tab:orange', linestyle=':',
                  label='end of pretraining')
    right.legend(loc='lower right', fontsize=8)
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)
    return fig


def _fmt(value):
    return '-' if value is None else f'{value:.3f}'


def _verdict(runs, convergence) -> str:
    """A plain sentence from the measured numbers."""
    s, p = runs['scratch'], runs['pretrained']
    box_s, box_p = s.final('coco/bbox_mAP'), p.final('coco/bbox_mAP')
    caught = convergence.get('caught_up', {}).get('coco/bbox_mAP')
    first_s = s.metric('coco/bbox_mAP')[0][1]
    first_p = p.metric('coco/bbox_mAP')[0][1]
    early = ('Pretraining helped early: at the first validation the '
             f'pretrained run had {first_p:.3f} box AP, scratch '
             f'{first_s:.3f}. ' if first_p > first_s else
             'Pretraining did not help early: at the first validation '
             f'scratch had {first_s:.3f} box AP, pretrained {first_p:.3f}. ')
    if caught and box_s >= box_p:
        end = (f'Scratch caught up with the pretrained curve at iteration '
               f'{caught["iter"]} and finished at {box_s:.3f} vs '
               f'{box_p:.3f} box AP.')
    elif caught:
        end = (f'Scratch reached the pretrained curve at iteration '
               f'{caught["iter"]} but finished below it: {box_s:.3f} vs '
               f'{box_p:.3f} box AP ({box_s - box_p:+.3f}), so within this '
               'short schedule it has not caught up for good.')
    else:
        end = (f'Scratch did not catch up within this schedule: final box AP '
               f'{box_s:.3f} vs {box_p:.3f} ({box_s - box_p:+.3f}).')
    return '**Verdict:** ' + early + end


def write_report(runs: Dict[str, RunLog], convergence: dict, budget: dict,
                 sizes: dict, commands: Dict[str, str], out_file: str) -> str:
    """report.md: final APs, convergence, compute, commands."""
    s, p = runs['scratch'], runs['pretrained']
    lines = [
        '# Scratch vs pretrained on synthetic shapes',
        '',
        'Mask R-CNN ResNet-18-GN FPN (GN everywhere, nothing frozen), '
        f'{sizes["iters"]} iterations at batch 4 on '
        f'{sizes["train_images"]} synthetic 128x128 images, validated on '
        f'{sizes["val_images"]} images every {sizes["val_every"]} '
        'iterations, LR divided by 10 at 2/3 and 8/9 of the run. The '
        'pretrained run starts from a backbone trained on a separate '
        'synthetic classification task (8 other shape classes, '
        f'{budget["iters"]} iterations x {budget["batch_size"]} images at '
        f'{budget["image_size"]}x{budget["image_size"]}, held-out accuracy '
        f'{budget["accuracy"]:.1%}, chance {budget["chance"]:.1%}).',
        '',
        _verdict(runs, convergence),
        '',
        f'## Final AP (iteration {s.val[-1]["step"]})',
        '',
        '| init | box AP | box AP50 | mask AP | mask AP50 |',
        '|---|---|---|---|---|',
    ]
    for name, run in (('scratch', s), ('pretrained', p)):
        lines.append(f'| {LABELS[name]} | ' + ' | '.join(
            _fmt(run.final(m)) for m in ('coco/bbox_mAP', 'coco/bbox_mAP_50',
                                         'coco/segm_mAP',
                                         'coco/segm_mAP_50')) + ' |')
    lines += ['', '## Convergence (ConvergenceHook of the scratch run)', '',
              '| iteration | scratch box AP | pretrained box AP | gap | '
              'scratch mask AP | pretrained mask AP | gap |',
              '|---|---|---|---|---|---|---|']
    for rec in convergence['history']:
        box = rec['metrics'].get('coco/bbox_mAP', {})
        seg = rec['metrics'].get('coco/segm_mAP', {})
        lines.append(
            f'| {rec["iter"]} | {_fmt(box.get("value"))} | '
            f'{_fmt(box.get("baseline"))} | {box.get("gap", 0):+.3f} | '
            f'{_fmt(seg.get("value"))} | {_fmt(seg.get("baseline"))} | '
            f'{seg.get("gap", 0):+.3f} |')
    lines.append('')
    for metric in ('coco/bbox_mAP', 'coco/segm_mAP'):
        caught = convergence['caught_up'].get(metric)
        lines.append(
            f'- {metric}: ' + (
                f'caught up at iteration {caught["iter"]} after '
                f'{caught["images"]:,.0f} images' if caught else
                'not caught up; final gap '
                f'{convergence["final_gap"].get(metric, 0):+.3f}'))
    lines += ['', '## Compute (images / instances / pixels seen)', '',
              '| run | detection | pretraining | total |', '|---|---|---|---|']
    for name, run in (('scratch', s), ('pretrained', p)):
        last = run.train[-1]
        det = [last.get(f'budget/{k}', 0) for k in
               ('images', 'instances', 'pixels')]
        pre = [budget[k] if name == 'pretrained' else 0
               for k in ('images', 'instances', 'pixels')]
        lines.append(
            f'| {LABELS[name]} | ' + ' | '.join(
                ' / '.join(f'{v:,.0f}' for v in col)
                for col in (det, pre, [a + b for a, b in zip(det, pre)]))
            + ' |')
    lines += ['', '## Rerun each part', '']
    for part, cmd in commands.items():
        lines += [f'- {part}:', '', f'  ```bash\n  {cmd}\n  ```', '']
    lines += ['Work dirs: `scratch/`, `pretrained/` (logs, checkpoints, '
              'convergence.json/png), `pretrain/` (backbone.pth, '
              'budget.json).', '']
    text = '\n'.join(lines)
    with open(out_file, 'w') as f:
        f.write(text)
    return text
