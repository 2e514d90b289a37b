"""The code base passes ruff (line length 79, pyflakes, pycodestyle)."""
import subprocess
import sys

from conftest import ROOT


def test_ruff_clean():
    proc = subprocess.run([sys.executable, '-m', 'ruff', 'check', ROOT],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
