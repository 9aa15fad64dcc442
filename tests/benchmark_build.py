"""Build-time benchmark: prints medians, never asserts. Run: python tests/benchmark_build.py [--runs N]

In a temp copy of the site it times, each as a fresh `mkdocs build` process:
  bare  - execution switched off (RUN_SNIPPETS=false): the cost of MkDocs itself
  cold  - empty snippet cache: every snippet runs
  warm  - nothing changed: every result comes from the cache
  edit  - one snippet changed: exactly that one runs
and checks them against the targets in issue 3.
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("docs", "snippets", "hooks", "mkdocs.yml")
EDITED = "snippets/05-pytorch-basics/type_and_grad.py"


def build(site: Path, **env) -> tuple:
    """Seconds for one `mkdocs build` in `site`, and its log."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-q" if env else "--strict", "-d", "site"],
        cwd=site, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env}, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"build failed:\n{done.stdout}{done.stderr}")
    return seconds, done.stdout + done.stderr


def import_seconds() -> float:
    """One `import torch` + `import matplotlib.pyplot`, as the warm worker does it."""
    code = "import time; t = time.perf_counter(); import torch, matplotlib.pyplot; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def snippet_seconds(log: str) -> float:
    return sum(float(s) for s in re.findall(r"Ran snippets/\S+ in (\d+\.\d+) s", log))


def measure(site: Path, runs: int) -> dict:
    times = {"bare": [], "cold": [], "warm": [], "edit": []}
    compute = []
    for run in range(runs):
        times["bare"].append(build(site, RUN_SNIPPETS="false")[0])
        shutil.rmtree(site / ".cache", ignore_errors=True)
        seconds, log = build(site)
        times["cold"].append(seconds)
        compute.append(snippet_seconds(log))
        times["warm"].append(build(site)[0])
        with open(site / EDITED, "a") as snippet:
            snippet.write(f"# edit {run}\n")
        times["edit"].append(build(site)[0])
    medians = {name: statistics.median(values) for name, values in times.items()}
    medians["compute"] = statistics.median(compute)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="builds of each kind (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        for name in SOURCES:
            (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, site / name)
        build(site, RUN_SNIPPETS="false")  # warm the OS file cache and jieba's dictionary cache
        m = measure(site, args.runs)
    imports = import_seconds()
    print(f"median of {args.runs} runs, {os.cpu_count()} cores")
    print(f"{'build':<8}{'seconds':>9}{'× bare':>9}")
    for name in ("bare", "cold", "warm", "edit"):
        print(f"{name:<8}{m[name]:>9.2f}{m[name] / m['bare']:>9.2f}")
    cold_budget = m["bare"] + imports + m["compute"] + 1
    print(f"\nimport torch + matplotlib.pyplot: {imports:.2f} s; snippets' own compute (cold): {m['compute']:.2f} s")
    print(f"target warm ≤ 1.25 × bare: {m['warm']:.2f} ≤ {1.25 * m['bare']:.2f}  {'OK' if m['warm'] <= 1.25 * m['bare'] else 'MISSED'}")
    print(f"target cold ≤ bare + imports + compute + 1 s: {m['cold']:.2f} ≤ {cold_budget:.2f}  "
          f"{'OK' if m['cold'] <= cold_budget else 'MISSED'}")


if __name__ == "__main__":
    main()
