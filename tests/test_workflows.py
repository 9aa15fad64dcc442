"""The GitHub workflows: no finding by zizmor, README's commands on every platform, Pages deployed by a job
that runs no project code."""

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
CI = yaml.safe_load((WORKFLOWS / "ci.yml").read_text(encoding="utf-8"))


def test_zizmor_finds_nothing_in_the_workflows():
    zizmor = shutil.which("zizmor", path=str(Path(sys.executable).parent))
    assert zizmor, "zizmor is in the lock: pip install -r requirements.txt"
    run = subprocess.run([zizmor, "--offline", str(WORKFLOWS)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_platform_runs_readmes_commands():
    jobs = CI["jobs"]
    assert [step["run"] for step in jobs["test"]["steps"] if "run" in step] == ["bash .ci/run"]
    for job, activate in (("test-macos", "source .venv/bin/activate"), ("test-windows", r".venv\Scripts\activate")):
        (script,) = [step["run"] for step in jobs[job]["steps"] if "run" in step]
        assert activate in script and "pip install -r requirements.txt" in script and script.rstrip().endswith("pytest")
        assert "python -m playwright install chromium" in script  # README's way to a browser there


def test_the_job_that_may_deploy_runs_no_project_code():
    build, deploy = CI["jobs"]["pages-build"], CI["jobs"]["pages-deploy"]
    assert "permissions" not in build  # the workflow's read-only token
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["needs"] == "pages-build"
    assert [step.get("uses", "").split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]
    assert not any("run" in step for step in deploy["steps"])
