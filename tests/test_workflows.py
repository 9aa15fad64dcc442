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


def steps_using(job: dict, action: str) -> list:
    return [step for step in job["steps"] if step.get("uses", "").split("@")[0] == action]


def test_results_are_reused_split_across_shards_merged_and_published_without_running_again():
    """README (缓存、分片和 CI): the shards restore the last results and upload their entries; the test job
    merges them before .ci/run and saves the cache; Pages builds from that cache only."""
    jobs = CI["jobs"]
    shards = jobs["snippets"]
    assert len(shards["strategy"]["matrix"]["shard"]) >= 2
    (build,) = [step for step in shards["steps"] if "run" in step and "mkdocs build" in step["run"]]
    assert build["env"]["SNIPPET_SHARD"] == "${{ matrix.shard }}/${{ strategy.job-total }}"  # n: the matrix alone
    (upload,) = steps_using(shards, "actions/upload-artifact")
    assert upload["with"]["path"] == ".cache/snippets" and upload["with"]["include-hidden-files"] is True

    test = jobs["test"]
    assert test["needs"] == "snippets"
    (download,) = steps_using(test, "actions/download-artifact")
    assert download["with"] == {"pattern": "snippets-*", "path": ".cache/snippets", "merge-multiple": True}
    uses = [step.get("uses", step.get("run", "")).split("@")[0] for step in test["steps"]]
    assert uses.index("actions/download-artifact") < uses.index("bash .ci/run") < uses.index("actions/cache/save")

    pages = jobs["pages-build"]
    (restore,) = steps_using(pages, "actions/cache/restore")
    assert restore["with"]["fail-on-cache-miss"] is True and "restore-keys" not in restore["with"]
    assert restore["with"]["key"].endswith("-${{ github.sha }}")  # the cache the test job saved for this commit
    (publish,) = [step for step in pages["steps"] if "run" in step and "mkdocs build" in step["run"]]
    assert publish["env"] == {"SNIPPET_CACHE_ONLY": "1"}

    keys = [
        step["with"]["key"]
        for job in jobs.values()
        for step in job.get("steps", [])
        if step.get("uses", "").startswith("actions/cache")
    ]
    assert keys and all(
        "${{ runner.os }}" in key and "hashFiles('requirements.txt', 'snippetrun/executor/**')" in key for key in keys
    )
