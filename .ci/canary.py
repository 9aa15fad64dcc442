"""Canary: run the whole suite against the newest (or the oldest) releases requirements.in allows.

    python .ci/canary.py            # the newest releases of everything requirements.in allows
    python .ci/canary.py --lowest   # the lower bounds of the direct dependencies (uv's lowest-direct)

It resolves requirements.in afresh with uv, installs the result into a temporary virtual
environment (nothing else in it), runs README's test command there, and prints which packages
differ from the lock and which tests failed. Exit status 1 when a test failed. On GitHub Actions
the same report goes to the job summary ($GITHUB_STEP_SUMMARY).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from lockfile import pins

ROOT = Path(__file__).resolve().parent.parent


def version_changes(locked: dict, resolved: dict) -> list:
    """(package, locked version, resolved version) for every package whose version differs; '—' if absent."""
    names = sorted(set(locked) | set(resolved))
    rows = [(name, locked.get(name, "—"), resolved.get(name, "—")) for name in names]
    return [row for row in rows if row[1] != row[2]]


def failed_tests(junit_xml: str) -> list:
    """(test id, first line of its failure) for each failed or erroring test of a JUnit report."""
    failed = []
    for case in ET.fromstring(junit_xml).iter("testcase"):
        problem = case.find("failure")
        problem = case.find("error") if problem is None else problem
        if problem is not None:
            failed.append((f"{case.get('classname')}::{case.get('name')}", _why(problem)))
    return failed


def _why(problem: ET.Element) -> str:
    """The line naming the failed snippet, else pytest's first `E` line, else the message's first line."""
    reported = [line[1:].strip() for line in (problem.text or "").splitlines() if line.startswith("E ")]
    reported = [line for line in reported if line]
    message = (problem.get("message") or "").strip().splitlines()
    snippet = [line for line in reported if re.search(r"snippets/\S+:\d+", line)]
    return (snippet or reported or message or [""])[0][:200]


def report(mode: str, changes: list, failed: list, returncode: int) -> str:
    verdict = "passed" if returncode == 0 else f"FAILED ({len(failed)} tests failed, pytest exit {returncode})"
    lines = [f"## Canary ({mode} releases): {verdict}", "", f"| package | lock | {mode} |", "| --- | --- | --- |"]
    lines += [f"| {name} | {old} | {new} |" for name, old, new in changes] or ["| (none) | | |"]
    if failed:
        lines += ["", "Failed tests:", ""] + [f"- `{test}`: {why}" for test, why in failed]
    return "\n".join(lines) + "\n"


def _source_flags() -> list:
    """Where torch's wheels come from besides PyPI: pip's find-links here, PyTorch's index on GitHub."""
    flags = ["--index-strategy", "unsafe-best-match"]  # the best version across indexes, not the first index's
    wheels = subprocess.run(
        [sys.executable, "-m", "pip", "config", "get", "global.find-links"], capture_output=True, text=True
    ).stdout.strip()
    if wheels:
        flags += ["--find-links", wheels]
    if os.environ.get("PIP_EXTRA_INDEX_URL"):
        flags += ["--extra-index-url", os.environ["PIP_EXTRA_INDEX_URL"]]
    return flags


def _uv(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "uv", *args], check=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lowest", action="store_true", help="lower bounds instead of the newest releases")
    parser.add_argument("pytest_args", nargs="*", help="passed on to pytest (default: the whole suite)")
    args = parser.parse_args()
    mode = "lowest" if args.lowest else "newest"
    with tempfile.TemporaryDirectory(prefix=f"canary-{mode}-") as tmp:
        resolved, venv, junit = Path(tmp, "requirements.txt"), Path(tmp, "venv"), Path(tmp, "junit.xml")
        resolution = ["--resolution", "lowest-direct"] if args.lowest else []
        _uv(
            "pip",
            "compile",
            str(ROOT / "requirements.in"),
            "--output-file",
            str(resolved),
            "--quiet",
            "--python",
            sys.executable,
            *resolution,
            *_source_flags(),
        )
        _uv("venv", str(venv), "--python", sys.executable, "--quiet")
        python = str(venv / "bin" / "python")
        _uv("pip", "install", "--python", python, "--no-deps", "-r", str(resolved), "--quiet", *_source_flags())
        _uv("pip", "check", "--python", python)
        env = {**os.environ, "CANARY": mode, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
        tests = subprocess.run(["pytest", f"--junitxml={junit}", *args.pytest_args], cwd=ROOT, env=env)
        failed = failed_tests(junit.read_text()) if junit.exists() else []
        text = report(
            mode,
            version_changes(pins((ROOT / "requirements.txt").read_text()), pins(resolved.read_text())),
            failed,
            tests.returncode,
        )
    print("\n" + text)
    if os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as summary:
            summary.write(text)
    return 0 if tests.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
