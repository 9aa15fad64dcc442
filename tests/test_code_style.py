"""The project's own code passes ruff's lint and format checks and mypy's type check (configured in pyproject.toml)."""

import subprocess
import sys

import pytest

from conftest import ROOT

CODE = ["snippetrun", "tests", ".ci", "benchmarks"]
CHECKS = {
    "ruff lint": ["ruff", "check", "--no-cache", *CODE],
    "ruff format": ["ruff", "format", "--check", "--no-cache", *CODE],
    "mypy": ["mypy"],  # its files are pyproject.toml's: the same as CODE
}


@pytest.mark.parametrize("check", CHECKS)
def test_the_code_passes(check, tmp_path):
    cache = ["--cache-dir", str(tmp_path)] if check == "mypy" else []  # nothing written into the checkout
    done = subprocess.run([sys.executable, "-m", *CHECKS[check], *cache], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
