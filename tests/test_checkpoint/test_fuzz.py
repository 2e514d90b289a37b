"""300 seeded mutants of a checkpoint through the loader, in subprocess
batches under a 4 GB address-space limit: no signal, no hang, no exception
but the loader's own one-line refusal, and every mutant that loads equals
what stock torch.load(weights_only=True) returns for it where that loads
too."""
import collections
import json
import os
import os.path as osp
import random
import subprocess
import sys
import time

import pytest

from fuzz_checkpoints import base_checkpoint, mutate

pytestmark = pytest.mark.slow
WORKER = osp.join(osp.dirname(osp.abspath(__file__)), 'fuzz_checkpoints.py')
MUTANTS = 300
SEED = 20
BATCH = 100
TIMEOUT = 120  # seconds for a batch (a hang fails the test)


def run_batches(paths):
    """{path: last record}, rerunning after a file that killed a worker."""
    records, todo = {}, list(paths)
    while todo:
        batch, todo = todo[:BATCH], todo[BATCH:]
        proc = subprocess.Popen([sys.executable, WORKER] + batch,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True,
                                env=dict(os.environ,
                                         PYTHONPATH=osp.dirname(osp.dirname(
                                             osp.dirname(WORKER)))))
        try:
            out, _ = proc.communicate(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        for line in out.splitlines():
            rec = json.loads(line)
            records[rec['path']] = rec
        unfinished = [p for p in batch
                      if records.get(p, {}).get('phase') != 'done']
        if unfinished:
            # the first unfinished file killed (or hung) the worker
            culprit = unfinished[0]
            rec = records.setdefault(culprit, dict(path=culprit,
                                                   phase='ours'))
            rec['dead'] = proc.returncode
            todo = unfinished[1:] + todo
    return records


def test_mutants_load_as_torch_does_or_are_refused_in_one_line(tmp_path):
    base = str(tmp_path / 'base.pth')
    base_checkpoint(base)
    rng = random.Random(SEED)
    kinds, paths = {}, []
    for i in range(MUTANTS):
        path = str(tmp_path / f'mutant_{i:03d}.pth')
        kinds[path] = mutate(base, path, rng)
        paths.append(path)
    start = time.time()
    records = run_batches([base] + paths)
    elapsed = time.time() - start
    outcomes = collections.Counter()
    bad = []
    for path, rec in records.items():
        if rec.get('dead') is not None:
            # our loader killed the worker; torch.load doing so is its own
            key = 'torch.load crashed' if rec['phase'] == 'torch' else \
                'crashed or hung'
        elif rec['ours'] == 'loaded':
            key = {True: 'loaded, equal to torch.load',
                   False: 'loaded, DIFFERENT from torch.load',
                   None: 'loaded, torch.load fails'}[rec['same']]
        else:
            key = f"{rec['ours']} (torch.load: {rec['torch']})"
        outcomes[key] += 1
        if key in ('crashed or hung', 'loaded, DIFFERENT from torch.load') \
                or rec.get('ours') == 'exception' or (
                    rec.get('ours') == 'refused' and '\n' in rec['text']):
            bad.append((kinds.get(path, 'base'), key, rec.get('text')))
    print(f'\n{len(records)} files in {elapsed:.1f} s; by mutation: '
          f'{dict(collections.Counter(kinds.values()))}')
    for key, count in sorted(outcomes.items()):
        print(f'  {count:4d}  {key}')
    assert records[base]['ours'] == 'loaded' and records[base]['same']
    assert len(records) == MUTANTS + 1
    assert not bad, bad[:5]
