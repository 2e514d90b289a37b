"""Run a study: prepare, check, train what is not finished, report.

``tools/study.py`` parses the arguments and calls :func:`run_study`. Every
stage reuses what an earlier invocation finished: prepared data, finished
runs (their config file unchanged), stopped runs (continued from their
newest checkpoint); a changed study file says which runs it adds and which
it invalidates (their old work dirs are moved to ``OUT/replaced/``).
"""
import json
import os
import os.path as osp
import shlex
import shutil
import subprocess
import sys
import time
from typing import Dict, List, Optional

from ..runs import read_run
from ..utils.checkout import REPO
from ..utils.errors import UserInputError, read_json
from .plan import RunConfigs, plan_runs, write_subsets
from .spec import Study, arm_config_path


def read_record(path: str, what: str, numbers=()) -> dict:
    """A JSON object the study wrote earlier ({} if the file is absent),
    its ``numbers`` keys (``'all'``: every key) checked to be numbers; a
    damaged file is one line saying to delete it."""
    if not osp.isfile(path):
        return {}
    fix = '; delete it and run the study again'
    data = read_json(path, what, fix)
    if not isinstance(data, dict):
        raise UserInputError(f'{what} {path} is not a JSON object{fix}')
    keys = data if numbers == 'all' else [k for k in numbers if k in data]
    for key in keys:
        if isinstance(data[key], bool) or \
                not isinstance(data[key], (int, float)):
            raise UserInputError(f'{what} {path}: {key} is not a number'
                                 f'{fix}')
    return data


def run_seconds(work_dir: str) -> Optional[float]:
    """The seconds study_run.json of a work dir records (None if none)."""
    return read_record(osp.join(work_dir, 'study_run.json'), 'run record',
                       ('seconds', )).get('seconds')


def add_seconds(handle: dict) -> float:
    """Add the seconds of this part of a run to its study_run.json (a
    run stopped and continued counts both parts); returns this part's."""
    seconds = time.time() - handle['start']
    marker = osp.join(handle['work_dir'], 'study_run.json')
    earlier = run_seconds(handle['work_dir']) or 0.0
    with open(marker, 'w') as f:
        json.dump(dict(seconds=round(earlier + seconds, 1)), f)
    return seconds


def _our_tools(command: str) -> str:
    """``command`` with a leading ``python tools/X`` run from mmscratch's
    tools when this folder has no ``tools/X`` (a study run away from the
    checkout, or with an installed wheel)."""
    words = command.split(None, 2)
    if len(words) >= 2 and words[0] == 'python' and \
            words[1].startswith('tools/') and not osp.isfile(words[1]) and \
            osp.isfile(osp.join(REPO, words[1])):
        words[1] = shlex.quote(osp.join(REPO, words[1]))
        return ' '.join(words)
    return command


def _made_by(command: str, creates: str) -> str:
    """A preparation step's record: its command and a digest of what it
    created, so that output another study (or command) rewrote in a shared
    folder, such as a data root, is made again instead of reused."""
    import hashlib
    digest = hashlib.sha256()
    if osp.isfile(creates):
        with open(creates, 'rb') as f:
            for block in iter(lambda: f.read(1 << 20), b''):
                digest.update(block)
    else:
        for folder, _, names in sorted(os.walk(creates)):
            for name in sorted(names):
                path = osp.join(folder, name)
                digest.update(f'{osp.relpath(path, creates)} '
                              f'{osp.getsize(path)}\n'.encode())
    return f'{command}\n{digest.hexdigest()}\n'


class StudyRunner:
    """The stages of one study in ``out``."""

    def __init__(self, study: Study, out: str, study_args: List[str],
                 say=None):
        self.study, self.out = study, osp.abspath(out)
        self.study_args = study_args
        self.start = time.time()
        self.say = say or self._say
        self.timings_file = osp.join(self.out, 'timings.json')
        self.timings: Dict[str, float] = read_record(
            self.timings_file, 'timings file', 'all')
        self.commands: Dict[str, str] = {}

    def _say(self, msg: str):
        print(f'[study {time.time() - self.start:5.0f}s] {msg}', flush=True)

    def timed(self, stage: str, seconds: float):
        self.timings[stage] = round(seconds, 1)
        with open(self.timings_file, 'w') as f:
            json.dump(self.timings, f, indent=1)

    # 1. preparation -------------------------------------------------------
    def prepare(self, dry_run: bool = False):
        """The study's ``prepare`` commands whose output is missing or was
        made by another command."""
        env = dict(os.environ, PATH=osp.dirname(sys.executable) + os.pathsep
                   + os.environ.get('PATH', ''))
        env['PYTHONPATH'] = REPO + os.pathsep + env.get('PYTHONPATH', '')
        for step in self.study.prepare:
            name = step['name']
            command = self.study.fill(step['command'], self.out)
            creates = self.study.fill(step['creates'], self.out)
            self.commands[name] = command
            marker = osp.join(self.out, 'prepare', f'{name}.command')
            if osp.exists(creates) and osp.isfile(marker) and \
                    open(marker).read() == _made_by(command, creates):
                self.say(f'reusing {name} ({creates})')
                continue
            if dry_run:
                self.say(f'would prepare {name}: {command}')
                continue
            os.makedirs(osp.dirname(marker), exist_ok=True)
            log = osp.join(self.out, 'prepare', f'{name}.log')
            self.say(f'preparing {name} (log: {log})')
            start = time.time()
            with open(log, 'w') as f:
                proc = subprocess.run(_our_tools(command), shell=True,
                                      stdout=f,
                                      stderr=subprocess.STDOUT, env=env)
            if proc.returncode != 0:
                with open(log) as f:
                    print(''.join(f.readlines()[-10:]), file=sys.stderr)
                raise UserInputError(
                    f'preparation step {name} failed (status '
                    f'{proc.returncode}; log {log}): fix it, then run the '
                    'same command again')
            if not osp.exists(creates):
                raise UserInputError(
                    f'preparation step {name} ran but did not write '
                    f'{creates}; fix its creates= or its command')
            with open(marker, 'w') as f:
                f.write(_made_by(command, creates))
            self.timed(name, time.time() - start)
            self.say(f'{name} done in {time.time() - start:.0f}s')

    # 2. the runs and their configs ---------------------------------------
    def plan(self, dry_run: bool = False):
        roots = [os.getcwd(), REPO]
        files = {arm: arm_config_path(self.study, arm, roots)
                 for arm in self.study.arms}
        self.configs = RunConfigs(self.study, self.out, files)
        self.runs = plan_runs(self.study)
        if not dry_run:
            write_subsets(self.configs, self.runs)
        self.texts = {run.name: self.configs.text(run) for run in self.runs}
        self.iterations = {run.name: self.configs.iterations(run)
                           for run in self.runs}
        for run in self.runs:
            self.commands[run.name] = (
                f'python tools/train.py {self.config_file(run)} '
                f'--work-dir {self.work_dir(run)}')

    def work_dir(self, run) -> str:
        return osp.join(self.out, run.name)

    def config_file(self, run) -> str:
        return osp.join(self.work_dir(run), f'{run.name}.py')

    def stamp_file(self, run) -> str:
        """The digest of the config the study wrote for ``run`` (the
        Runner rewrites the config file itself, adding work_dir)."""
        return osp.join(self.work_dir(run), 'study_config.sha256')

    def changed(self, run) -> Optional[bool]:
        """Whether the study now gives ``run`` another config than the
        one it started with; None if it never started."""
        path = self.stamp_file(run)
        if not osp.isfile(path):
            return None
        with open(path) as f:
            return f.read().strip() != self.digest(run)

    def digest(self, run) -> str:
        import hashlib
        return hashlib.sha256(self.texts[run.name].encode()).hexdigest()

    def finished(self, run) -> bool:
        """Its config unchanged, and its last validation logged at its
        last iteration with the per-image results written."""
        if self.changed(run) is not False:
            return False
        preds = osp.join(self.work_dir(run),
                         f'val_preds.{self.study.metric}.json')
        if not osp.isfile(preds):
            return False
        try:
            log = read_run(self.work_dir(run))
        except UserInputError:
            return False
        return any(r['step'] == self.iterations[run.name] for r in log.val)

    def sync(self, dry_run: bool = False) -> List:
        """Compare the plan with the work dirs; write the run configs;
        returns the runs to train (in order)."""
        plan_file = osp.join(self.out, 'study_plan.json')
        before = read_record(plan_file, 'study plan').get('runs', [])
        if not isinstance(before, list):
            raise UserInputError(f'study plan {plan_file} is not what the '
                                 'study writes; delete it and run the '
                                 'study again')
        names = [r.name for r in self.runs]
        added = [n for n in names if before and n not in before]
        dropped = [n for n in before if n not in names]
        if added:
            self.say(f'the study file adds {len(added)} run(s): '
                     + ', '.join(added))
        if dropped:
            self.say(f'{len(dropped)} run(s) are no longer in the study '
                     f'(their work dirs stay in {self.out}): '
                     + ', '.join(dropped))
        todo, invalid, done = [], [], 0
        for run in self.runs:
            if self.finished(run):
                done += 1
                continue
            if self.changed(run):
                invalid.append(run)
            todo.append(run)
        if invalid:
            self.say(f'the study file changes {len(invalid)} run(s) already '
                     'started: ' + ', '.join(r.name for r in invalid)
                     + f'; their work dirs move to {self.out}/replaced/')
        self.say(f'{len(self.runs)} runs: {done} finished, {len(todo)} to '
                 'train')
        if dry_run:
            return todo
        stamp = time.strftime('%Y%m%d_%H%M%S')
        for run in invalid:
            target = osp.join(self.out, 'replaced', f'{run.name}_{stamp}')
            os.makedirs(osp.dirname(target), exist_ok=True)
            shutil.move(self.work_dir(run), target)
        for run in todo:
            if self.changed(run) is None:  # not started: write its config
                os.makedirs(self.work_dir(run), exist_ok=True)
                with open(self.config_file(run), 'w') as f:
                    f.write(self.texts[run.name])
                with open(self.stamp_file(run), 'w') as f:
                    f.write(self.digest(run))
        with open(plan_file, 'w') as f:
            json.dump(dict(study=self.study.path, runs=names), f, indent=1)
        return todo

    def preflight(self, runs: List) -> None:
        """The data and config checks of tools/train.py, once for every
        distinct config (arm and share of the data) among ``runs``."""
        from ..cli.config import load_config
        from ..cli.data_check import check_data
        seen = set()
        for run in runs:
            key = (run.arm, run.fraction)
            if key in seen:
                continue
            seen.add(key)
            try:
                cfg = load_config(self.config_file(run))
                check_data(cfg, ['train_dataloader', 'val_dataloader'])
            except UserInputError as err:
                raise UserInputError(
                    f'arm {run.arm} ({self.study.arms[run.arm]}), run '
                    f'{run.name}: {err}') from None
        self.say(f'pre-flight passed for {len(seen)} config(s)')

    # 3. training ----------------------------------------------------------
    def train_local(self, runs: List) -> None:
        from .local import LocalJobs, gpu_groups, train_command
        launcher = self.study.launcher
        gpus = launcher.get('gpus_per_run', 0) or 0
        jobs = LocalJobs(gpu_groups(gpus), launcher.get('jobs', 1))

        def start(run, env):
            work = self.work_dir(run)
            resume = osp.isfile(osp.join(work, 'last_checkpoint')) or any(
                f.endswith('.pth') for f in os.listdir(work))
            log_path = osp.join(work, 'study.log')
            self.say(f'training {run.name}: {self.iterations[run.name]} '
                     'iterations' + (' (continuing)' if resume else '')
                     + f' (log: {log_path})')
            log = open(log_path, 'a')
            proc = subprocess.Popen(
                train_command(self.config_file(run), work, gpus, resume),
                stdout=log, stderr=subprocess.STDOUT, env=env)
            return dict(run=run, proc=proc, log=log, log_path=log_path,
                        work_dir=work, name=run.name, start=time.time(),
                        iters=self.iterations[run.name])

        def done(handle):
            handle['log'].close()
            run = handle['run']
            if handle['proc'].returncode != 0:
                with open(handle['log_path']) as f:
                    print(''.join(f.readlines()[-15:]), file=sys.stderr)
                raise UserInputError(
                    f'run {run.name} failed (status '
                    f'{handle["proc"].returncode}; log '
                    f'{handle["log_path"]}); fix it and run the same '
                    'command again: finished runs are kept')
            seconds = add_seconds(handle)
            self.say(f'{run.name} done in {seconds:.0f}s')

        jobs.run(runs, start, done, stopped=add_seconds)

    # 4. report -------------------------------------------------------------
    def report(self) -> Optional[List[str]]:
        from .compare import Comparisons
        from .report import Cells, write_report
        missing = [r.name for r in self.runs if not self.finished(r)]
        if missing:
            raise UserInputError(
                f'{len(missing)} run(s) are not finished ('
                + ', '.join(missing[:5]) + (', ...' if len(missing) > 5
                                            else '')
                + '); run the study again to train them, then the report '
                'is written')
        start = time.time()
        anns = {arm: self.configs.base[arm].val_evaluator.get('ann_file')
                for arm in self.study.arms}
        if len(set(anns.values())) != 1:
            raise UserInputError(
                'the arms validate on different annotation files ('
                + ', '.join(f'{a}: {f}' for a, f in anns.items())
                + '); a study compares arms on the same images')
        ann = next(iter(anns.values()))
        ious = [self.study.metric] + [
            i for i in ('bbox', 'segm') if i != self.study.metric and all(
                osp.isfile(osp.join(self.work_dir(r), f'val_preds.{i}.json'))
                for r in self.runs)]
        self.say(f'comparing the arms: bootstrap over the validation images '
                 f'and the seeds ({self.study.samples} resamples)')
        cmp = Comparisons(self.out, self.runs, ann, self.study.samples,
                          self.study.bootstrap_seed, self.study.margin, ious)
        logs = {r.name: read_run(self.work_dir(r)) for r in self.runs}
        seconds = {r.name: run_seconds(self.work_dir(r)) for r in self.runs}
        seconds = {k: v for k, v in seconds.items() if v is not None}
        budgets = {}
        for arm, cfg in self.configs.base.items():
            path = cfg.get('default_hooks', {}).get(
                'compute_budget', {}).get('pretrain')
            if isinstance(path, str) and osp.isfile(path):
                budgets[arm] = read_record(path, 'pretraining budget',
                                           ('images', 'seconds'))
        cells = Cells(self.study, self.runs, self.iterations,
                      {a: self.configs.batch(a) for a in self.study.arms})
        self.timed('report', time.time() - start)
        verdicts = write_report(
            self.study, self.out, cells, cmp, logs, budgets, seconds,
            dict(self.commands, study=self.study_command()),
            {k: v for k, v in self.timings.items()
             if k not in seconds}, ann, self.design())
        self.say(f'wrote {self.out}/report.md and its figures')
        return verdicts

    def study_command(self) -> str:
        return 'python tools/study.py ' + ' '.join(self.study_args)

    def design(self) -> List[str]:
        """The report's description of the study, from the study file."""
        s = self.study
        lines = ['## Design (declared in ' + s.path + ')', '',
                 '| arm | config | batch | training images |',
                 '|---|---|---|---|']
        for arm, config in s.arms.items():
            ref = ' (reference)' if arm == s.reference else ''
            lines.append(f'| {arm}{ref} | {config} | '
                         f'{self.configs.batch(arm)} | '
                         f'{self.configs.train_images(arm):,} |')
        unit = 'x the config\'s max_iters' if s.schedule_unit == 'x' else \
            'epochs of the training images'
        lines += ['', f'Schedules: {", ".join(f"{v:g}" for v in s.schedules)}'
                  f' ({unit}); seeds {", ".join(map(str, s.seeds))}; shares '
                  'of the training images: '
                  + ', '.join(f'{f:.0%}' for f in s.fractions)
                  + (' (the smaller ones at schedule(s) '
                     + ', '.join(f'{v:g}' for v in s.fraction_schedules)
                     + ')' if len(s.fractions) > 1 else '')
                  + f'; metric {s.metric} AP; equivalence margin '
                  f'±{s.margin:.0%} of the {s.reference} arm\'s AP; '
                  f'{len(self.runs)} runs.']
        return lines


def run_study(study: Study, out: str, study_args: List[str],
              dry_run: bool = False, report_only: bool = False) -> None:
    """All stages; Ctrl-C stops with a line saying how to continue."""
    runner = StudyRunner(study, out, study_args)
    if not dry_run:
        os.makedirs(runner.out, exist_ok=True)
    launcher = study.launcher['type']
    try:
        if not report_only:
            runner.prepare(dry_run)
        try:
            runner.plan(dry_run)
        except (UserInputError, OSError):
            if not dry_run:
                raise
            runner.say('the runs depend on the preparation (data, subsets); '
                       'run without --dry-run to see them')
            return
        if not report_only:
            todo = runner.sync(dry_run)
            if dry_run and launcher == 'local':
                for run in todo:
                    runner.say(f'would train {run.name} '
                               f'({runner.iterations[run.name]} iterations):'
                               f' {runner.commands[run.name]}')
                return
            if todo and not dry_run:
                runner.preflight(todo)
            if todo and launcher == 'slurm':
                from .slurm import submit
                submit(f'{study.name}', study.launcher, runner.out,
                       [(r.name, runner.config_file(r), runner.work_dir(r))
                        for r in todo], study_args, dry_run,
                       say=runner.say)
                return
            if todo:
                start = time.time()
                runner.train_local(todo)
                runner.timed('training (wall)', time.time() - start)
    except KeyboardInterrupt:
        sys.exit('\n[study] stopped; run the same command again to continue '
                 'where it stopped')
    verdicts = runner.report()
    for line in verdicts:
        print(line)
