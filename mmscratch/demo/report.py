"""Comparisons, figures and report of tools/demo.py, from the runs' work
dirs: logs (scalars.json) and the final validation's COCO result files."""
import os.path as osp
from typing import Dict, List, Sequence, Tuple

from ..analysis.bootstrap import (load_gt, load_results, paired_bootstrap,
                                  per_image_matches)
from ..runs.logs import RunLog, images_at, read_run
from ..runs.plot import new_figure, plot_curves
from ..analysis.schedule import run_lr_steps
from .plan import LESS_DATA, SCHEDULES, Run

METRICS = {'bbox': 'coco/bbox_mAP', 'segm': 'coco/segm_mAP'}
LABELS = dict(scratch='random init (scratch)', pretrained='pretrained')


def compare_pairs(out: str, pairs: Sequence[Tuple[Run, Run]], ann_file: str,
                  samples: int, seed: int) -> List[dict]:
    """Per pair and IoU type: the paired bootstrap of scratch - pretrained
    over the validation images, from the final validation's results."""
    gt = load_gt(ann_file)
    found = []
    for pretrained, scratch in pairs:
        entry = {}
        for iou in METRICS:
            matches = [per_image_matches(gt, load_results(osp.join(
                out, run.name, f'val_preds.{iou}.json'), gt), iou)
                for run in (pretrained, scratch)]
            entry[iou] = paired_bootstrap(*matches, samples=samples,
                                          seed=seed)
        found.append(entry)
    return found


def _diff(c: dict) -> str:
    return (f'{c["diff"]:+.3f} [{c["low"]:+.3f}, {c["high"]:+.3f}]')


def _final_cells(pre: RunLog, scr: RunLog, cmp: dict) -> str:
    """Table cells: per IoU type the logged final APs and the interval."""
    return ' | '.join(
        f'{pre.final(METRICS[iou]):.3f} | {scr.final(METRICS[iou]):.3f} | '
        f'{_diff(cmp[iou])}' for iou in METRICS)


def _yerr(cs: List[dict], side: str) -> list:
    """Error bars (below, above) of run ``side`` ('a' or 'b') from its
    bootstrap interval."""
    return [[c[side] - c[f'{side}_low'] for c in cs],
            [c[f'{side}_high'] - c[side] for c in cs]]


def write_figure1(runs: Dict[str, RunLog], budget: dict, out_file: str):
    """AP vs iterations (LR drops marked) and vs images seen, pretraining
    included, of the longest pretrained and scratch runs."""
    fig = new_figure(figsize=(12, 4.5))
    left, right = fig.subplots(1, 2)
    by_iter, by_images = {}, {}
    for name, run in runs.items():
        for iou, short in (('bbox', 'box'), ('segm', 'mask')):
            points = run.metric(METRICS[iou])
            label = f'{LABELS[name]}, {short} AP'
            by_iter[label] = points
            offset = budget['images'] if name == 'pretrained' else 0
            by_images[label] = [
                (offset + x, v) for x, (_, v) in
                zip(images_at(run, [s for s, _ in points]), points)]
    plot_curves(by_iter, lr_drops=run_lr_steps(runs['scratch'].work_dir) or [],
                xlabel='iterations (batch 4)', ylabel='AP',
                title='AP vs iterations', ax=left)
    plot_curves(by_images, lr_drops=[], ylabel='AP',
                xlabel='images seen, pretraining included',
                title='AP vs images seen', ax=right)
    right.axvline(budget['images'], color='tab:orange', linestyle=':',
                  label='end of pretraining')
    right.legend(loc='lower right', fontsize=8)
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)


def write_table1_figure(rows: List[dict], out_file: str):
    """Final box and mask AP vs schedule length, both inits, with each
    run's 95% bootstrap interval."""
    fig = new_figure(figsize=(6.5, 4.5))
    ax = fig.subplots()
    x = [r['iters'] for r in rows]
    for init, color in (('pretrained', 'tab:orange'), ('scratch', 'tab:blue')):
        side = 'a' if init == 'pretrained' else 'b'
        for iou, style in (('bbox', '-o'), ('segm', '--s')):
            cs = [r['cmp'][iou] for r in rows]
            ax.errorbar(x, [c[side] for c in cs], yerr=_yerr(cs, side),
                        fmt=style, color=color, capsize=3,
                        label=f'{LABELS[init]}, '
                        f'{"box" if iou == "bbox" else "mask"} AP')
    ax.set_xscale('log', base=2)
    ax.set_xticks(x, [f'{r["schedule"]}x\n({r["iters"]} it)' for r in rows])
    ax.set_xlabel('schedule length')
    ax.set_ylabel('final AP (95% bootstrap interval)')
    ax.set_title('Final AP vs schedule length')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)


def write_less_data_figure(groups: List[dict], out_file: str):
    """Box AP of both inits with 10% and 100% of the training images."""
    fig = new_figure(figsize=(6.5, 4.5))
    ax = fig.subplots()
    width = 0.35
    for k, (init, color) in enumerate((('pretrained', 'tab:orange'),
                                       ('scratch', 'tab:blue'))):
        side = 'a' if init == 'pretrained' else 'b'
        cs = [g['cmp']['bbox'] for g in groups]
        ax.bar([i + (k - 0.5) * width for i in range(len(groups))],
               [c[side] for c in cs], width, yerr=_yerr(cs, side),
               capsize=4, color=color, label=LABELS[init])
    for i, g in enumerate(groups):
        c = g['cmp']['bbox']
        ax.text(i, max(c['a_high'], c['b_high']) * 1.03,
                f'scratch - pretrained\n{_diff(c)}', ha='center',
                fontsize=8)
    ax.set_xticks(range(len(groups)), [g['label'] for g in groups])
    ax.set_ylabel('final box AP (95% bootstrap interval)')
    ax.set_title(f'Less data ({groups[0]["schedule"]}x schedule)')
    ax.set_ylim(0, max(g['cmp']['bbox'][s] for g in groups
                       for s in ('a_high', 'b_high')) * 1.3)
    ax.legend(fontsize=8, loc='lower right')
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)


def _verdicts(rows, groups, runs, budget) -> List[str]:
    """Sentences computed from the comparisons; each says whether the
    paper's observation holds here."""
    short, longest = rows[0], rows[-1]
    out = []
    c = short['cmp']['bbox']
    out.append(
        f'Early: at {short["schedule"]}x ({short["iters"]} iterations) '
        f'scratch - pretrained box AP is {_diff(c)}: ' +
        ('pretraining speeds up convergence (holds).' if c['high'] < 0 else
         'the pretrained run is not measurably ahead (does not hold).'))
    c = longest['cmp']['bbox']
    catch = 'beats it' if c['low'] > 0 else \
        'equals it within the interval' if c['high'] >= 0 else \
        'stays below it'
    out.append(
        f'Catching up: at {longest["schedule"]}x ({longest["iters"]} '
        f'iterations) scratch - pretrained box AP is {_diff(c)}: scratch '
        f'{catch} ({"holds" if c["high"] >= 0 else "does not hold"}).')
    s_img = runs['scratch'].train[-1].get('budget/images', 0)
    p_img = runs['pretrained'].train[-1].get('budget/images', 0)
    total = p_img + budget['images']
    out.append(
        f'Total cost: scratch saw {s_img:,.0f} images; the pretrained run '
        f'{p_img:,.0f} plus {budget["images"]:,.0f} in pretraining = '
        f'{total:,.0f}: scratch costs ' +
        ('no more in total (holds).' if s_img <= total else
         'more in total (does not hold).'))
    diffs = [r['cmp']['bbox']['diff'] for r in rows]
    closing = all(b >= a for a, b in zip(diffs, diffs[1:]))
    out.append(
        'Table 1: the gap (scratch - pretrained box AP) over '
        + ', '.join(f'{r["schedule"]}x' for r in rows) + ' is '
        + ', '.join(f'{d:+.3f}' for d in diffs) + ': it '
        + ('closes as the schedule grows (holds).' if closing and
           diffs[-1] > diffs[0] else
           'does not close steadily (does not hold).'))
    less, full = groups[0]['cmp']['bbox'], groups[1]['cmp']['bbox']
    out.append(
        f'Less data: with {groups[0]["label"]} scratch - pretrained box AP '
        f'is {_diff(less)}, with {groups[1]["label"]} {_diff(full)}: '
        + ('scratch falls behind with little data and not with the full '
           'set (holds).' if less['high'] < 0 <= full['high'] else
           'scratch falls behind with little data, and with the full set '
           'too (partly holds).' if less['high'] < 0 else
           'scratch does not fall measurably behind with little data '
           '(does not hold).'))
    return out


def write_all(out: str, pairs: Sequence[Tuple[Run, Run]],
              comparisons: List[dict], budget: dict, size: dict,
              commands: Dict[str, str], timings: Dict[str, float],
              ann_file: str) -> List[str]:
    """The three figures and report.md; returns the verdict lines."""
    logs = {run.name: read_run(osp.join(out, run.name))
            for pair in pairs for run in pair}
    base = size['base_iters']
    rows = []
    for (pre, scr), cmp in zip(pairs, comparisons):
        entry = dict(pretrained=pre, scratch=scr, cmp=cmp,
                     schedule=scr.schedule, iters=scr.schedule * base)
        if scr.fraction == 1:
            rows.append(entry)
    fraction, schedule = LESS_DATA
    full = next(r for r in rows if r['schedule'] == schedule)
    less = next(dict(pretrained=p, scratch=s, cmp=c, schedule=schedule)
                for (p, s), c in zip(pairs, comparisons) if s.fraction != 1)
    groups = [dict(less, label=f'{fraction:.0%} of the images'),
              dict(full, label='100% of the images')]
    longest = rows[-1]
    fig1_runs = {'pretrained': logs[longest['pretrained'].name],
                 'scratch': logs[longest['scratch'].name]}
    write_figure1(fig1_runs, budget, osp.join(out, 'figure1.png'))
    write_table1_figure(rows, osp.join(out, 'table1.png'))
    write_less_data_figure(groups, osp.join(out, 'less_data.png'))
    verdicts = _verdicts(rows, groups, fig1_runs, budget)

    widths = [c[i]['high'] - c[i]['low'] for c in comparisons
              for i in METRICS]
    effects = [abs(r['cmp']['bbox']['diff']) for r in rows] + \
        [abs(less['cmp']['bbox']['diff'])]
    n_val = comparisons[0]['bbox']['images']
    lines = [
        '# The paper\'s findings in miniature',
        '',
        'Mask R-CNN, ResNet-18 backbone, GN everywhere, nothing frozen '
        f'(configs/demo/), batch 4, on {size["train_images"]} synthetic '
        f'training images, validated on {n_val} images. Schedules of '
        + ', '.join(f'{s}x = {s * base}' for s in SCHEDULES)
        + ' iterations, LR divided by 10 at 2/3 and 8/9 of each. The '
        'pretrained runs start from a backbone trained on a separate '
        'synthetic classification task (other shapes; '
        f'{budget["iters"]} iterations x {budget["batch_size"]} images, '
        f'held-out accuracy {budget["accuracy"]:.1%}, chance '
        f'{budget["chance"]:.1%}), the stand-in for ImageNet.',
        '',
        'Differences are scratch - pretrained, with a 95% interval from a '
        f'paired bootstrap over the {n_val} validation images '
        f'({comparisons[0]["bbox"]["samples"]} resamples; docs/analysis.md).'
        f' The intervals are {min(widths):.3f} to {max(widths):.3f} AP wide; '
        f'the effects compared are {min(effects):.3f} to '
        f'{max(effects):.3f} AP'
        + (', so the validation set resolves the larger ones.'
           if max(widths) < max(effects) else
           ': the validation set is too small to resolve them.'),
        '',
        '## Verdicts', '',
    ] + [f'- {v}' for v in verdicts] + [
        '',
        '## Table 1 in miniature (final AP)', '',
        '| schedule | iterations | pretrained box AP | scratch box AP | '
        'scratch - pretrained [95%] | pretrained mask AP | scratch mask AP '
        '| scratch - pretrained [95%] |',
        '|---|---|---|---|---|---|---|---|',
    ]
    for r in rows:
        p, s = logs[r['pretrained'].name], logs[r['scratch'].name]
        lines.append(f'| {r["schedule"]}x | {r["iters"]} | '
                     f'{_final_cells(p, s, r["cmp"])} |')
    lines += ['', '![Table 1](table1.png)', '',
              f'## Less data ({schedule}x schedule, final AP)', '',
              '| training images | pretrained box AP | scratch box AP | '
              'scratch - pretrained [95%] | pretrained mask AP | '
              'scratch mask AP | scratch - pretrained [95%] |',
              '|---|---|---|---|---|---|---|']
    for g in groups:
        p, s = logs[g['pretrained'].name], logs[g['scratch'].name]
        lines.append(f'| {g["label"]} | {_final_cells(p, s, g["cmp"])} |')
    lines += ['', '![Less data](less_data.png)', '',
              f'## Figure 1 ({longest["schedule"]}x runs)', '',
              '![Figure 1](figure1.png)', '',
              '| iteration | pretrained box AP | scratch box AP |',
              '|---|---|---|']
    pre_curve = dict(fig1_runs['pretrained'].metric(METRICS['bbox']))
    for step, value in fig1_runs['scratch'].metric(METRICS['bbox']):
        other = pre_curve.get(step)
        lines.append(f'| {step} | '
                     f'{"-" if other is None else f"{other:.3f}"} | '
                     f'{value:.3f} |')
    lines += ['', '## Time per stage (this machine)', '',
              '| stage | seconds |', '|---|---|']
    stages = {k: v for k, v in timings.items() if k != 'wall'}
    lines += [f'| {k} | {v:.0f} |' for k, v in stages.items()]
    wall = (f': the last invocation of tools/demo.py took '
            f'{timings["wall"]:.0f} s before this report'
            if 'wall' in timings else '')
    lines += [f'| sum | {sum(stages.values()):.0f} |', '',
              'The runs train two at a time (`--jobs 2`), so the sum is '
              f'more than the wall time{wall}.', '',
              '## Rerun each part', '']
    for part, cmd in commands.items():
        lines += [f'- {part}:', '', f'  ```bash\n  {cmd}\n  ```', '']
    lines += [
        '- the comparison of a pair (here the longest, box AP):', '',
        '  ```bash\n  python tools/analysis/compare_runs.py --ann-file '
        f'{ann_file} {osp.join(out, longest["pretrained"].name)}/'
        f'val_preds.bbox.json {osp.join(out, longest["scratch"].name)}/'
        'val_preds.bbox.json\n  ```', '']
    text = '\n'.join(lines)
    with open(osp.join(out, 'report.md'), 'w') as f:
        f.write(text)
    return verdicts
