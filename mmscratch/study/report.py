"""A study's findings, tables, figures and report.md, from the runs' logs
and per-image results (:mod:`mmscratch.study.compare`).

Each finding is a contrast the study file declares by its keys: every
other arm against the reference at the shortest and the longest schedule,
the change of that gap between them (Table 1), the gap with less data
beyond the gap with all images, and the images (and seconds) the other
arm needs to reach the reference's AP, pretraining counted.
"""
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np

from ..analysis.bootstrap import margin_power_text
from ..analysis.equivalence import (DIFFERENT, EQUIVALENT, MIN_SEEDS,
                                    NOT_SHOWN, direction, enough_seeds)
from ..analysis.schedule import run_lr_steps
from ..runs.baseline import paper_reference
from ..runs.logs import RunLog
from ..runs.plot import new_figure, plot_curves
from .compare import (METRICS, Comparisons, best_point, images_seen,
                      images_to_reach)
from .plan import Run, curve_run, schedule_label
from .spec import Study

SHORT = dict(bbox='box', segm='mask')


def _per_arm(c: dict) -> str:
    n = c['seeds'][1]
    return f'{n} seed{"" if n == 1 else "s"} per arm'


def _iv(c: dict, level: float = 0.95) -> str:
    low, high = c['intervals'][level]
    return f'[{low:+.3f}, {high:+.3f}]'


def _diff(c: dict) -> str:
    """value, 95% interval (and the 90% one with the margin, when set, and
    the smallest margin the design could show)."""
    text = f'{c["value"]:+.3f} {_iv(c)}'
    if 'margin' in c:
        text += (f', 90% {_iv(c, 0.90)}, margin ±{c["margin"]:.3f} '
                 f'(the smallest this design shows: '
                 f'±{c["smallest_margin"]:.3f}')
        text += margin_power_text(c, c['margin']) + ')'
    if not enough_seeds(c['seeds'], recipes=True):
        text += f' (fewer than {MIN_SEEDS} seeds in an arm: no verdict)'
    return text


def _below(c: dict) -> str:
    """Whether 'the other arm is below the reference' holds here."""
    if c['verdict'] == DIFFERENT:
        return 'holds' if direction(c['intervals'][0.95]) == 'below' \
            else 'does not hold'
    return 'does not hold' if c['verdict'] == EQUIVALENT else \
        'is not shown here'


def _paper_gap(schedule: str) -> tuple:
    rows = paper_reference()['table1_bbox']['rows']
    return rows['r50_random'][schedule], rows['r50_pretrained'][schedule]


def still_rising(log: RunLog, metric: str, margin: float) -> bool:
    """Whether the curve gained more than ``margin`` over its last
    validation interval (the schedule ends before a plateau)."""
    points = log.metric(metric)
    return len(points) >= 2 and points[-1][1] - points[-2][1] > margin


class Cells:
    """The study's runs grouped by (arm, schedule, fraction), seeds
    sorted, with what the report needs about each."""

    def __init__(self, study: Study, runs: Sequence[Run],
                 iterations: Dict[str, int], batches: Dict[str, int]):
        self.study, self.runs = study, list(runs)
        self.iterations, self.batches = iterations, batches
        self.cells: Dict[tuple, List[Run]] = {}
        for run in runs:
            self.cells.setdefault((run.arm, run.schedule, run.fraction),
                                  []).append(run)
        for cell in self.cells.values():
            cell.sort(key=lambda r: r.seed)

    def __call__(self, arm, schedule, fraction=1.0) -> List[Run]:
        return self.cells[(arm, schedule, fraction)]

    def label(self, run: Run) -> str:
        return schedule_label(run.schedule, self.study.schedule_unit)

    def curve(self, arm: str) -> Run:
        return next(r for r in self.runs
                    if r.arm == arm and curve_run(self.study, r))


def findings(study: Study, cells: Cells, cmp: Comparisons,
             logs: Dict[str, RunLog], budgets: Dict[str, dict],
             seconds: Dict[str, float]) -> List[dict]:
    """The findings of every other arm against the reference: the
    paper's row, this study's numbers, a verdict and whether the paper's
    observation holds here."""
    ref, iou = study.reference, study.metric
    metric = METRICS[iou]
    short, long_ = min(study.schedules), max(study.schedules)
    out = []
    for arm in study.others:
        tag = '' if len(study.others) == 1 else f' [{arm}]'
        versus = f'{arm} - {ref} {SHORT[iou]} AP'

        def at(schedule, fraction=1.0):
            return cells(ref, schedule, fraction), \
                cells(arm, schedule, fraction)

        def iters(schedule, fraction=1.0):
            return cells.iterations[cells(arm, schedule, fraction)[0].name]

        if short != long_:
            c = cmp.pair(*at(short), iou)
            r, p = _paper_gap('2x')
            out.append(dict(
                name='Early' + tag,
                claim=f'{ref} is ahead of {arm} at the shortest schedule',
                paper=f'Table 1, R50, its shortest schedule (2x): random '
                f'{r:.3f} vs pretrained {p:.3f} ({r - p:+.3f}), pretraining '
                'ahead',
                demo=f'{schedule_label(short, study.schedule_unit)} '
                f'({iters(short)} iterations, {_per_arm(c)}): {versus} '
                f'{_diff(c)}', verdict=c['verdict'],
                holds=_below(c)))

        c = cmp.pair(*at(long_), iou)
        r, p = _paper_gap('6x')
        curve = logs[cells.curve(arm).name]
        if c['verdict'] == EQUIVALENT or (
                c['verdict'] == DIFFERENT and
                direction(c['intervals'][0.95]) == 'above'):
            holds = 'holds'
        elif c['verdict'] == DIFFERENT and still_rising(
                curve, metric, c['margin']):
            holds = (f'is too short to test here ({arm}\'s {SHORT[iou]} AP '
                     'still rose by more than the margin over its last '
                     'validation interval: train longer)')
        elif c['verdict'] == DIFFERENT:
            holds = 'does not hold'
        else:
            holds = 'is not shown here'
        out.append(dict(
            name='Catching up' + tag,
            claim=f'{arm} reaches the AP of {ref} with a long enough '
            'schedule',
            paper=f'Table 1, R50, 6x: random {r:.3f} vs pretrained {p:.3f} '
            f'({r - p:+.3f}), comparable',
            demo=f'{schedule_label(long_, study.schedule_unit)} '
            f'({iters(long_)} iterations, {_per_arm(c)}): '
            f'{versus} {_diff(c)}', verdict=c['verdict'], holds=holds))

        if short != long_:
            c = cmp.contrast(list(at(short)) + list(at(long_)),
                             (1, -1, -1, 1), iou)
            r2, p2 = _paper_gap('2x')
            r6, p6 = _paper_gap('6x')
            ok = enough_seeds(c['seeds'], recipes=True)
            closes = ok and c['intervals'][0.95][0] > 0
            widens = ok and c['intervals'][0.95][1] < 0
            out.append(dict(
                name='Table 1' + tag,
                claim='the gap closes as the schedule grows',
                paper=f'Table 1, R50: the gap (random - pretrained) is '
                f'{r2 - p2:+.3f} at 2x and {r6 - p6:+.3f} at 6x: it closes '
                f'by {(r6 - p6) - (r2 - p2):+.3f}',
                demo=f'the gap at '
                f'{schedule_label(long_, study.schedule_unit)} minus the '
                f'gap at {schedule_label(short, study.schedule_unit)}: '
                f'{_diff(c)}',
                verdict=DIFFERENT if closes or widens else NOT_SHOWN,
                holds='holds' if closes else 'does not hold' if widens
                else 'is not shown here'))

        for fraction in study.fractions[1:]:
            for schedule in study.fraction_schedules:
                c = cmp.pair(*at(schedule, fraction), iou)
                extra = cmp.contrast(list(at(schedule, fraction)) +
                                     list(at(schedule)), (-1, 1, 1, -1),
                                     iou)
                row = paper_reference()['less_data_bbox']['rows']['3.5k']
                holds = _below(c)
                if holds == 'holds' and not enough_seeds(extra['seeds'],
                                                         recipes=True):
                    holds = ('is not shown here (its contrast with all the '
                             f'images has an arm of fewer than {MIN_SEEDS} '
                             'seeds)')
                elif holds == 'holds' and extra['intervals'][0.95][1] >= 0:
                    holds = (f'is not shown here ({arm} is as far behind '
                             'with all the images at this schedule)')
                label = schedule_label(schedule, study.schedule_unit)
                out.append(dict(
                    name='Less data' + tag,
                    claim=f'with very little data {ref} helps',
                    paper=f'3.5k images (3% of COCO train2017): random '
                    f'{row["random"]:.3f} vs pretrained '
                    f'{row["pretrained"]:.3f} '
                    f'({row["random"] - row["pretrained"]:+.3f}); at 10k '
                    'images (8.5%) both are equal',
                    demo=f'{fraction:.0%} of the training images, {label} '
                    f'({iters(schedule, fraction)} iterations, '
                    f'{_per_arm(c)}): {versus} {_diff(c)}; '
                    'that gap minus the gap with all the images at '
                    f'{label}: {_diff(extra)}',
                    verdict=c['verdict'], holds=holds, fraction=fraction,
                    schedule=schedule, cmp=c))

        out.append(total_cost(study, cells, cmp, logs, budgets, seconds,
                              arm, tag))
    return out


def total_cost(study, cells, cmp, logs, budgets, seconds, arm, tag) -> dict:
    """Images and seconds ``arm`` needs to reach the reference's mean AP
    at the longest schedule, against the reference's, pretraining
    included."""
    ref, iou = study.reference, study.metric
    metric = METRICS[iou]
    longest = cells(ref, max(study.schedules))
    target = float(np.mean([cmp.ap(r, iou) for r in longest]))
    run, ref_run = cells.curve(arm), cells.curve(ref)
    log, ref_log = logs[run.name], logs[ref_run.name]
    budget = budgets.get(ref, {})
    pre_images = budget.get('images', 0)
    pre_seconds = budget.get('seconds', 0)
    detection = images_seen(ref_log, ref_log.train[-1]['step'],
                            cells.batches[ref]) if ref_log.train else 0
    total = pre_images + detection
    total_s = pre_seconds + seconds.get(ref_run.name, 0)
    reach = images_to_reach(log, target, metric, cells.batches[arm])
    paper = paper_reference()['compute_images']
    if reach is None:
        best = best_point(log, metric, cells.batches[arm])
        demo = (f'{arm} ({run.name}) never reaches the '
                f'{cells.label(run)} {ref} {SHORT[iou]} AP {target:.3f} '
                f'(its best: {best["ap"]:.3f} after {best["images"]:,.0f} '
                'images)')
        holds = 'is not shown here'
    else:
        took = seconds.get(run.name, 0) * reach['step'] / \
            cells.iterations[run.name]
        demo = (f'{arm} ({run.name}) first reaches the {cells.label(run)} '
                f'{ref} {SHORT[iou]} AP {target:.3f} at iteration '
                f'{reach["step"]} ({reach["ap"]:.3f}), after '
                f'{reach["images"]:,.0f} images and about {took:,.0f} s; '
                f'{ref} ({ref_run.name}) saw {pre_images:,.0f} images in '
                f'pretraining + {detection:,.0f} in detection = '
                f'{total:,.0f}, in {pre_seconds:,.0f} + '
                f'{seconds.get(ref_run.name, 0):,.0f} s')
        holds = 'holds' if reach['images'] <= total else 'does not hold'
    return dict(
        name='Total cost' + tag, claim=f'counting pretraining, {arm} '
        'needs no more images to reach the same AP',
        paper=f'Figure 2: random init 6x sees '
        f'{paper["coco_6x"] / 1e6:.2f}M images; ImageNet pretraining '
        f'{paper["imagenet_pretraining"] / 1e6:.0f}M + fine-tuning 1x '
        f'{paper["coco_1x"] / 1e6:.2f}M', demo=demo,
        verdict='reached' if reach else 'not reached', holds=holds,
        target=target, reach=reach, reference_images=total,
        reference_seconds=total_s)


def write_curves(study: Study, cells: Cells, logs: Dict[str, RunLog],
                 budgets: Dict[str, dict], target: float, ious,
                 out_file: str):
    """AP vs iterations (LR drops marked) and vs images seen, pretraining
    included, of each arm's longest first-seed run."""
    fig = new_figure(figsize=(12, 4.5))
    left, right = fig.subplots(1, 2)
    by_iter, by_images = {}, {}
    for arm in study.arms:
        run = cells.curve(arm)
        log = logs[run.name]
        offset = budgets.get(arm, {}).get('images', 0)
        for iou in ious:
            points = log.metric(METRICS[iou])
            label = f'{arm}, {SHORT[iou]} AP'
            by_iter[label] = points
            by_images[label] = [
                (offset + images_seen(log, s, cells.batches[arm]), v)
                for s, v in points]
    first = logs[cells.curve(study.reference).name]
    plot_curves(by_iter, lr_drops=run_lr_steps(first.work_dir) or [],
                xlabel='iterations', ylabel='AP', title='AP vs iterations',
                ax=left)
    plot_curves(by_images, lr_drops=[], ylabel='AP',
                xlabel='images seen, pretraining included',
                title='AP vs images seen', ax=right)
    pre = budgets.get(study.reference, {}).get('images')
    if pre:
        right.axvline(pre, color='tab:orange', linestyle=':',
                      label='end of pretraining')
    right.axhline(target, color='gray', linestyle='--', linewidth=1,
                  label=f'{study.reference} {SHORT[study.metric]} AP at the '
                  'longest schedule (mean of seeds)')
    right.legend(loc='lower right', fontsize=8)
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)


def _arm_bars(ax, x, arms: List[dict], **kwargs):
    means = [a['value'] for a in arms]
    lows = [a['value'] - a['intervals'][0.95][0] for a in arms]
    highs = [a['intervals'][0.95][1] - a['value'] for a in arms]
    ax.errorbar(x, means, yerr=[lows, highs], capsize=3, **kwargs)


def write_table1_figure(study: Study, cells: Cells, cmp: Comparisons, ious,
                        out_file: str):
    """Final AP (mean of seeds) vs schedule of every arm, with each arm's
    seed-and-image interval."""
    fig = new_figure(figsize=(6.5, 4.5))
    ax = fig.subplots()
    x = study.schedules
    for k, arm in enumerate(study.arms):
        for iou, style in zip(ious, ('-o', '--s')):
            _arm_bars(ax, x, [cmp.arm(cells(arm, s), iou) for s in x],
                      fmt=style, color=f'C{k}', label=f'{arm}, '
                      f'{SHORT[iou]} AP')
    ax.set_xscale('log', base=2)
    ax.set_xticks(x, [schedule_label(s, study.schedule_unit) for s in x])
    ax.set_xlabel('schedule length')
    ax.set_ylabel('final AP, mean of seeds (95% interval)')
    ax.set_title('Final AP vs schedule length')
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)


def write_less_data_figure(study: Study, cells: Cells, cmp: Comparisons,
                           out_file: str):
    """Final AP of every arm at each share of the training images (the
    longest schedule the smaller shares train)."""
    schedule = max(study.fraction_schedules)
    fig = new_figure(figsize=(6.5, 4.5))
    ax = fig.subplots()
    width = 0.8 / len(study.arms)
    for k, arm in enumerate(study.arms):
        arms = [cmp.arm(cells(arm, schedule, f), study.metric)
                for f in study.fractions]
        xs = [i + (k - (len(study.arms) - 1) / 2) * width
              for i in range(len(study.fractions))]
        ax.bar(xs, [a['value'] for a in arms], width, color=f'C{k}',
               label=arm)
        _arm_bars(ax, xs, arms, fmt='none', ecolor='black')
    ax.set_xticks(range(len(study.fractions)),
                  [f'{f:.0%} of the images' for f in study.fractions])
    ax.set_ylabel(f'final {SHORT[study.metric]} AP, mean of seeds (95% '
                  'interval)')
    ax.set_title(f'Less data '
                 f'({schedule_label(schedule, study.schedule_unit)})')
    ax.legend()
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)


def _table1_rows(study, cells, cmp, iou) -> List[str]:
    head = ['schedule', 'iterations'] + [
        f'{a} {SHORT[iou]} AP (mean ± sd)' for a in study.arms] + [
        f'{a} - {study.reference} [95%] | verdict' for a in study.others]
    lines = ['| ' + ' | '.join(head) + ' |',
             '|' + '---|' * (len(head) + len(study.others))]
    for s in study.schedules:
        iters = '/'.join(sorted({str(cells.iterations[cells(a, s)[0].name])
                                 for a in study.arms}))
        row = [schedule_label(s, study.schedule_unit), iters]
        for arm in study.arms:
            aps = [cmp.ap(r, iou) for r in cells(arm, s)]
            sd = f' ± {np.std(aps, ddof=1):.3f}' if len(aps) > 1 else ''
            row.append(f'{np.mean(aps):.3f}{sd}')
        for arm in study.others:
            c = cmp.pair(cells(study.reference, s), cells(arm, s), iou)
            row += [f'{c["value"]:+.3f} {_iv(c)}', c['verdict']]
        lines.append('| ' + ' | '.join(row) + ' |')
    return lines


def write_report(study: Study, out: str, cells: Cells, cmp: Comparisons,
                 logs: Dict[str, RunLog], budgets: Dict[str, dict],
                 seconds: Dict[str, float], commands: Dict[str, str],
                 timings: Dict[str, float], ann_file: str,
                 design: List[str]) -> List[str]:
    """Write report.md and the figures; returns the verdict lines."""
    iou = study.metric
    ious = [iou] + [i for i in cmp.aps if i != iou]
    found = findings(study, cells, cmp, logs, budgets, seconds)
    verdicts = [f'{f["name"]} ({f["claim"]}): {f["verdict"]}, so the '
                f'paper\'s observation {f["holds"]}. Here: {f["demo"]}. '
                f'Paper: {f["paper"]}.' for f in found]
    target = next(f['target'] for f in found if 'target' in f)
    write_curves(study, cells, logs, budgets, target, ious,
                 osp.join(out, 'curves.png'))
    write_table1_figure(study, cells, cmp, ious, osp.join(out, 'table1.png'))
    figures = ['![AP curves](curves.png)', '', '![Table 1](table1.png)']
    if len(study.fractions) > 1:
        write_less_data_figure(study, cells, cmp,
                               osp.join(out, 'less_data.png'))
        figures += ['', '![Less data](less_data.png)']
    margin = f'±{study.margin:.0%} of the {study.reference} arm\'s AP'
    lines = [f'# Study {study.name}', ''] + (
        [study.description.strip(), ''] if study.description else []) + \
        design + [
        '',
        '## How to read the verdicts',
        '',
        f'Differences are other arm - {study.reference} AP of the arms\' '
        'means over seeds. Their intervals add the variance over '
        f'resampled validation images ({cmp.samples} paired resamples, '
        f'{cmp.images} images) and the seeds\' spread, with Student\'s t '
        '(docs/analysis.md). *equivalent*: the 90% interval lies inside '
        f'the margin declared in the study file ({margin}; two one-sided '
        'tests at 5%). *different*: the 95% interval excludes 0. '
        'Otherwise *not shown*: an interval that contains 0 but is wider '
        f'than the margin shows neither. Arms of fewer than {MIN_SEEDS} '
        'seeds get no verdict.',
        '', '## Verdicts', '',
    ] + [f'- {v}' for v in verdicts] + ['']
    for i in ious:
        lines += [f'## Table 1: final {SHORT[i]} AP over seeds', '']
        lines += _table1_rows(study, cells, cmp, i) + ['']
    lines += figures + ['', f'## {SHORT[iou]} AP of every run (final '
                        'validation)', '',
                        '| cell | iterations | ' + ' | '.join(
                            f'seed {s}' for s in study.seeds)
                        + ' | mean | sd |',
                        '|---|---|' + '---|' * (len(study.seeds) + 2)]
    for key, runs in cells.cells.items():
        aps = {r.seed: cmp.ap(r, iou) for r in runs}
        sd = f'{np.std(list(aps.values()), ddof=1):.3f}' \
            if len(aps) > 1 else '-'
        lines.append(
            f'| {runs[0].group} | {cells.iterations[runs[0].name]} | '
            + ' | '.join(f'{aps[s]:.3f}' if s in aps else '-'
                         for s in study.seeds)
            + f' | {np.mean(list(aps.values())):.3f} | {sd} |')
    if len(study.fractions) > 1:
        lines += ['', '## Less data (final AP over seeds)', '',
                  '| cell | training images | seeds | ' + ' | '.join(
                      study.arms) + ' |', '|---|---|---|'
                  + '---|' * len(study.arms)]
        for s in study.fraction_schedules:
            for f in study.fractions:
                name = f'{schedule_label(s, study.schedule_unit)}, '\
                    f'{f:.0%}'
                lines.append(f'| {name} | {f:.0%} | {len(study.seeds)} | '
                             + ' | '.join(
                                 f'{cmp.arm(cells(a, s, f), iou)["value"]:.3f}'
                                 for a in study.arms) + ' |')
    lines += ['', '## AP curves (longest schedule, first seed)', '',
              '| iteration | ' + ' | '.join(
                  f'{a} {SHORT[iou]} AP' for a in study.arms) + ' |',
              '|---|' + '---|' * len(study.arms)]
    curves = {a: dict(logs[cells.curve(a).name].metric(METRICS[iou]))
              for a in study.arms}
    for step in sorted({s for c in curves.values() for s in c}):
        lines.append(f'| {step} | ' + ' | '.join(
            f'{curves[a][step]:.3f}' if step in curves[a] else '-'
            for a in study.arms) + ' |')
    lines += ['', '## Time and images per run (this machine)', '',
              '| run | iterations | images seen | seconds |',
              '|---|---|---|---|']
    for run in cells.runs:
        log = logs[run.name]
        step = log.train[-1]['step'] if log.train else 0
        lines.append(f'| {run.name} | {cells.iterations[run.name]} | '
                     f'{images_seen(log, step, cells.batches[run.arm]):,.0f}'
                     f' | {seconds.get(run.name, float("nan")):.0f} |')
    lines += ['', '| stage | seconds |', '|---|---|'] + [
        f'| {k} | {v:.0f} |' for k, v in timings.items()]
    lines += ['', '## Rerun each part', '']
    for part, cmd in commands.items():
        lines += [f'- {part}: `{cmd}`']
    longest = max(study.schedules)
    other = study.others[0]
    files = {arm: ','.join(osp.join(out, r.name, f'val_preds.{iou}.json')
                           for r in cells(arm, longest))
             for arm in (study.reference, other)}
    lines += [
        '', f'- the comparison of {other} with {study.reference} at the '
        'longest schedule (the same figures as above):', '',
        '  ```bash\n  python tools/analysis/compare_runs.py --ann-file '
        f'{ann_file} {files[study.reference]} {files[other]} --iou-type '
        f'{iou} --margin {study.margin} --samples {cmp.samples} --seed '
        f'{cmp.seed}\n  ```', '']
    with open(osp.join(out, 'report.md'), 'w') as f:
        f.write('\n'.join(lines))
    return verdicts
