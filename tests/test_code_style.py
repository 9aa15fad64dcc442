"""The project's own code passes ruff's lint and format checks (configured in pyproject.toml)."""

import subprocess
import sys

import pytest

from conftest import ROOT

CHECKS = {"lint": ["check", "--no-cache"], "format": ["format", "--check", "--no-cache"]}


@pytest.mark.parametrize("check", CHECKS)
def test_ruff_finds_nothing(check):
    done = subprocess.run(
        [sys.executable, "-m", "ruff", *CHECKS[check], "snippetrun", "tests", ".ci"], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
