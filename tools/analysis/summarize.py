#!/usr/bin/env python3
"""Table-1-style summary of runs: final AP by backbone x init and schedule.

Rows are backbone/norm/init, columns schedules, cells the final bbox / mask
AP (in %), with the paper's Table 1 value and the difference where it has
one. Run names are read from the config mmengine dumped into each work dir
(``{algo}_{backbone}_{norm}[_{variant}]_{schedule}``; other names give a
row of their own, in a column of their last validated iteration); the init
from its backbone ``init_cfg``. Several runs of one cell (seeds, repeats)
give their mean and sample standard deviation with n. A run without logs
or without a validation (crashed, still running) is a row that says so.

Example:
    python tools/analysis/summarize.py work_dirs/* --format md
"""
import argparse
import csv
import io
import os.path as osp
import re
import statistics
import sys
import warnings

warnings.filterwarnings('ignore', message='pkg_resources is deprecated')
sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))

from mmscratch.analysis import run_config  # noqa: E402
from mmscratch.runs import (config_name, paper_reference,  # noqa: E402
                            read_run)
from mmscratch.audit import AuditReport, check_config
from mmscratch.utils.errors import UserInputError
from mmscratch.cli.launch import run_tool

NAME = re.compile(r'^(?P<algo>[a-z_]+?)_(?P<backbone>[rx]\d+)_(?P<norm>gn|'
                  r'syncbn|bn)(?:_in1k)?(?:_(?P<variant>.+?))?'
                  r'_(?P<sched>\d+x|\d+k)$')
MISSING = '-'


def describe(work_dir, last_step):
    """Row label, schedule and Table 1 key of a run's work dir.

    Names outside the convention keep their config name as the row and
    the last validated iteration as the column.
    """
    name = config_name(work_dir)
    init = 'pretrained' if _is_pretrained(work_dir) else 'random'
    match = NAME.match(name)
    if not match:
        return f'{name} {init}', f'{last_step}it', None
    variant = f' {match["variant"]}' if match['variant'] else ''
    label = (f'{match["algo"]} {match["backbone"].upper()} '
             f'{match["norm"].upper()}{variant} {init}')
    # Table 1 is Mask R-CNN + GN on full COCO, without variants
    in_table1 = match['algo'] == 'mask_rcnn' and match['norm'] == 'gn' \
        and not match['variant']
    key = f'{match["backbone"]}_{init}' if in_table1 else None
    return label, match['sched'], key


def _is_pretrained(work_dir):
    """Whether the dumped config initialises weights from a checkpoint."""
    cfg = run_config(work_dir)
    if cfg is None:
        return False
    report = AuditReport()
    check_config(cfg, report)
    return any(f.check == 'pretrained' for f in report.violations)


def collect(runs):
    """{(row, schedule): dict(bbox=, segm=, paper=, n=, ...)} of final APs
    (means over the runs of a cell, with ``*_sd`` when there are several).
    """
    cells, kinds, seen = {}, {}, {}
    for work_dir in runs:
        real = osp.realpath(work_dir)
        if real in seen:
            raise UserInputError(
                f'{work_dir} is given twice ({seen[real]}); pass each run '
                'once')
        seen[real] = work_dir
        try:
            run = read_run(work_dir)
        except UserInputError as err:  # no logs: a row saying so
            row, sched, _ = describe(work_dir, 0) if osp.isdir(work_dir) \
                else (work_dir, '0it', None)
            cells.setdefault((row, sched), []).append(
                dict(work_dir=work_dir, problem=str(err)))
            continue
        if not run.val:
            last = run.train[-1]['step'] if run.train else 0
            row, sched, _ = describe(work_dir, last)
            cells.setdefault((row, sched), []).append(dict(
                work_dir=work_dir, step=last, problem=(
                    f'no validation (training logged up to iteration '
                    f'{last}: crashed, stopped or still running)')))
            continue
        kind = 'coco' if run.final('coco/bbox_mAP') is not None else 'voc'
        kinds.setdefault(kind, []).append(work_dir)
        row, sched, key = describe(work_dir, run.val[-1]['step'])
        table = paper_reference()['table1_bbox']['rows']
        paper = table.get(key, {}).get(sched)
        cells.setdefault((row, sched), []).append(dict(
            work_dir=work_dir, paper=paper,
            bbox=run.final('coco/bbox_mAP'), segm=run.final('coco/segm_mAP'),
            voc=run.final('pascal_voc/mAP'), step=run.val[-1]['step']))
    if len(kinds) > 1:
        raise UserInputError(
            'the runs report different metrics (COCO: '
            f'{", ".join(kinds.get("coco", []))}; VOC: '
            f'{", ".join(kinds.get("voc", []))}); summarise one kind at once')
    return {key: merge(entries) for key, entries in cells.items()}


def merge(entries):
    """One cell from the runs that fill it: the mean of each metric over
    the runs that validated, its sample standard deviation, n, and how
    many runs of the cell have no result."""
    done = [e for e in entries if not e.get('problem')]
    if len(entries) == 1 or not done:
        return dict(entries[0], n=len(done), failed=len(entries) - len(done))
    cell = dict(work_dir=', '.join(e['work_dir'] for e in entries),
                paper=done[0]['paper'], step=max(e['step'] for e in done),
                n=len(done), failed=len(entries) - len(done))
    for metric in ('bbox', 'segm', 'voc'):
        values = [e[metric] for e in done if e[metric] is not None]
        cell[metric] = statistics.fmean(values) if values else None
        cell[f'{metric}_sd'] = statistics.stdev(values) \
            if len(values) > 1 else None
    return cell


def pct(value):
    return MISSING if value is None else f'{100 * value:.1f}'


def pct_sd(cell, metric):
    """A metric of a cell in %, with '± sd' when several runs fill it."""
    sd = cell.get(f'{metric}_sd')
    text = pct(cell[metric])
    return text if sd is None else f'{text} ± {100 * sd:.1f}'


def cell_text(cell):
    if cell is None:
        return MISSING
    if cell.get('problem'):
        return cell['problem'].replace('|', '/')
    if cell['bbox'] is None:
        text = f'{pct_sd(cell, "voc")} mAP'
    else:
        text = f'{pct_sd(cell, "bbox")} / {pct_sd(cell, "segm")}'
    if cell.get('n', 1) > 1 or cell.get('failed'):
        failed = f', {cell["failed"]} without a result' \
            if cell.get('failed') else ''
        text += f' (n={cell["n"]}{failed})'
    if cell['paper'] is not None and cell['bbox'] is not None:
        diff = 100 * (cell['bbox'] - cell['paper'])
        text += f' (paper {pct(cell["paper"])}, {diff:+.1f})'
    return text


def _sched_key(sched):
    unit = sched.rstrip('0123456789.')[-2:] if sched.endswith('it') else \
        sched[-1]
    return (unit, float(sched[:-len(unit)]))


def to_markdown(cells):
    rows = sorted({r for r, _ in cells})
    scheds = sorted({s for _, s in cells}, key=_sched_key)
    lines = ['| run | ' + ' | '.join(scheds) + ' |',
             '|---|' + '---|' * len(scheds)]
    for row in rows:
        lines.append(f'| {row} | ' + ' | '.join(
            cell_text(cells.get((row, s))) for s in scheds) + ' |')
    lines.append('')
    lines.append('Cells: final box AP / mask AP (%) at the last validation '
                 '(several runs of a cell: mean ± sample standard deviation, '
                 'n runs); paper: Table 1 box AP and the difference.')
    return '\n'.join(lines)


def to_csv(cells):
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(['run', 'schedule', 'iteration', 'bbox_AP', 'mask_AP',
                     'voc_mAP', 'paper_bbox_AP', 'diff', 'work_dir',
                     'problem', 'n', 'bbox_AP_sd', 'mask_AP_sd'])
    for (row, sched), c in sorted(cells.items()):
        diff = None if c.get('paper') is None or c.get('bbox') is None \
            else round(100 * (c['bbox'] - c['paper']), 1)
        writer.writerow([row, sched, c.get('step'),
                         *(None if c.get(k) is None else round(100 * c[k], 1)
                           for k in ('bbox', 'segm', 'voc', 'paper')),
                         diff, c['work_dir'], c.get('problem'), c.get('n'),
                         *(None if c.get(k) is None else round(100 * c[k], 2)
                           for k in ('bbox_sd', 'segm_sd'))])
    return buf.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='+', help='work dirs of runs')
    parser.add_argument('--format', choices=['md', 'csv'], default='md')
    parser.add_argument('--out', help='write the table here too')
    args = parser.parse_args()
    cells = collect(args.runs)
    text = to_markdown(cells) if args.format == 'md' else to_csv(cells)
    print(text)
    if args.out:
        with open(args.out, 'w') as f:
            f.write(text + '\n')


if __name__ == '__main__':
    run_tool(main)
