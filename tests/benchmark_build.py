"""Build benchmark: prints medians and the targets, never asserts.

    python tests/benchmark_build.py                 # this site, then synthetic sites of 10 and 40 chapters
    python tests/benchmark_build.py --site-only     # only this site (bare/cold/warm/edit)
    python tests/benchmark_build.py --chapters 2    # a quick synthetic run

Each number is MkDocs' own "Documentation built in N seconds" (the build without Python's
start-up and imports, which are the same for every kind), for a build in a temp copy:
  bare   execution switched off (RUN_SNIPPETS=false): MkDocs itself
  cold   empty snippet cache: every snippet runs (parallel workers, one per core)
  serial the cold build with SNIPPET_WORKERS=1
  warm   nothing changed: every result from the cache
  edit   one snippet saved while `mkdocs serve` runs: the rebuild a writer waits for
  jupyter  the same synthetic content as executed notebooks, mkdocs-jupyter (execute: true, cache off)
"peak RSS" is the largest total resident memory of the cold build's process tree, sampled every 50 ms.
"""

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("docs", "snippets", "hooks", "mkdocs.yml", "requirements.in")
EDITED = "snippets/05-pytorch-basics/type_and_grad.py"

SNIPPET = """import torch

torch.manual_seed({seed})
a = torch.rand(200, 200)
for _ in range(20):
    a = torch.tanh(a @ a / 200)
print("chapter {chapter}, snippet {number}:", round(a.sum().item(), 4))
"""
FIGURE = """
import matplotlib.pyplot as plt

plt.plot(a[0].tolist())
plt.xlabel("i")
plt.show()
"""
SYNTHETIC_CONFIG = """site_name: synthetic
theme:
  name: material
  font: false
plugins:
  - search
hooks:
  - hooks/run_snippets.py
watch:
  - snippets
extra:
  run_snippets:
    enabled: !ENV [RUN_SNIPPETS, true]
    workers: !ENV SNIPPET_WORKERS
markdown_extensions:
  - pymdownx.superfences
  - pymdownx.snippets:
      base_path: [snippets]
      check_paths: true
"""
JUPYTER_CONFIG = """site_name: synthetic notebooks
theme:
  name: material
  font: false
plugins:
  - search
  - mkdocs-jupyter:
      execute: true
      allow_errors: false
      cache: false
"""


def write_synthetic_site(root: Path, chapters: int, per_chapter: int = 5) -> int:
    """A site of `chapters` pages with `per_chapter` torch snippets each, a quarter drawing a figure.
    Also writes the same content as one notebook per chapter under notebooks/. Returns the snippet count."""
    shutil.copytree(ROOT / "hooks", root / "hooks", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "mkdocs.yml").write_text(SYNTHETIC_CONFIG)
    (root / "notebooks" / "docs").mkdir(parents=True)
    (root / "notebooks" / "mkdocs.yml").write_text(JUPYTER_CONFIG)
    count = 0
    for chapter in range(1, chapters + 1):
        name = f"chapter-{chapter:03d}"
        (root / "snippets" / name).mkdir(parents=True)
        page, cells = [f"# Chapter {chapter}\n\n第 {chapter} 章：每段代码都在构建时运行，输出显示在代码下方。\n"], []
        for number in range(1, per_chapter + 1):
            count += 1
            code = SNIPPET.format(seed=count, chapter=chapter, number=number) + (FIGURE if count % 4 == 0 else "")
            (root / "snippets" / name / f"snippet_{number}.py").write_text(code)
            page.append(f'\n```python\n--8<-- "{name}/snippet_{number}.py"\n```\n')
            if count % 4 == 0:
                page.append(f"\n![figure {count}](figures/{name}/snippet_{number}-1.svg)\n")
            cells.append(code)
        (root / "docs").mkdir(exist_ok=True)
        (root / "docs" / f"{name}.md").write_text("".join(page))
        (root / "notebooks" / "docs" / f"{name}.ipynb").write_text(_notebook(chapter, cells))
    (root / "docs" / "index.md").write_text("# Synthetic site\n\n合成的中文网站，用来测量构建速度。\n")
    (root / "notebooks" / "docs" / "index.md").write_text("# Synthetic notebooks\n")
    return count


def _notebook(chapter: int, cells: list) -> str:
    code = [{"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [],
             "source": source} for i, source in enumerate(cells)]
    title = {"cell_type": "markdown", "id": "title", "metadata": {}, "source": f"# Chapter {chapter}"}
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    return json.dumps({"cells": [title, *code], "metadata": kernel, "nbformat": 4, "nbformat_minor": 5})


def build(site: Path, strict: bool = True, **env) -> tuple:
    """MkDocs' build seconds, the log and peak RSS (MB) of the process tree for one `mkdocs build`."""
    command = [sys.executable, "-m", "mkdocs", "build", *(["--strict"] if strict else []), "-d", "site"]
    process = subprocess.Popen(command, cwd=site, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = _PeakMemory(process.pid)
    log = process.communicate()[0]
    peak.stop()
    if process.returncode != 0:
        sys.exit(f"build failed in {site}:\n{log}")
    return built_seconds(log), log, peak.megabytes


def built_seconds(log: str) -> float:
    return float(re.findall(r"Documentation built in (\d+\.\d+) seconds", log)[-1])


def serve_edit(site: Path, edited: str, run: int) -> tuple:
    """Seconds of the rebuild `mkdocs serve` does after one snippet is saved, and that snippet's compute."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{free.getsockname()[1]}"
    command = [sys.executable, "-m", "mkdocs", "serve", "-a", address]
    process = subprocess.Popen(command, cwd=site, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    rebuild, saved = "", False
    give_up = threading.Timer(120, process.terminate)  # a rebuild that never comes must not hang the run
    give_up.start()
    try:
        for line in process.stdout:
            if not saved and "Serving on" in line:  # the first build is done: save the snippet
                with open(site / edited, "a") as snippet:
                    snippet.write(f"# edit {run}\n")
                saved = True
            elif saved:
                rebuild += line
                if "Documentation built in" in line:
                    break
    finally:
        give_up.cancel()
        process.terminate()
        process.wait()
    return built_seconds(rebuild), snippet_seconds(rebuild)


class _PeakMemory:
    """Samples the summed RSS of a process and all its descendants from /proc."""

    def __init__(self, pid: int):
        self.pid, self.megabytes, self._running = pid, 0.0, True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self):
        self._running = False
        self._thread.join()

    def _sample(self):
        while self._running:
            self.megabytes = max(self.megabytes, sum(_rss_kb(pid) for pid in _tree(self.pid)) / 1024)
            time.sleep(0.05)


def _tree(pid: int) -> list:
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo += children.get(tree[-1], [])
    return tree


def _rss_kb(pid: int) -> int:
    try:
        return int(re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1))
    except (OSError, AttributeError):
        return 0


def snippet_seconds(log: str) -> float:
    return sum(float(s) for s in re.findall(r"Ran snippets/\S+ in (\d+\.\d+) s", log))


def measure(site: Path, runs: int, edited: str, serial: bool = False) -> dict:
    times = {name: [] for name in ("bare", "cold", "serial", "warm", "edit", "compute", "rss")}
    for run in range(runs):
        times["bare"].append(build(site, strict=False, RUN_SNIPPETS="false")[0])
        if serial:
            shutil.rmtree(site / ".cache", ignore_errors=True)
            times["serial"].append(build(site, SNIPPET_WORKERS="1")[0])
        shutil.rmtree(site / ".cache", ignore_errors=True)
        seconds, log, rss = build(site)
        times["cold"].append(seconds)
        times["compute"].append(snippet_seconds(log))
        times["rss"].append(rss)
        times["warm"].append(build(site)[0])
        seconds, compute = serve_edit(site, edited, run)
        times["edit"].append(seconds)
        times.setdefault("edit_compute", []).append(compute)
    return {name: statistics.median(values) for name, values in times.items() if values}


def import_seconds() -> float:
    """One `import torch` + `import matplotlib.pyplot`, as the warm worker does it."""
    code = "import time; t = time.perf_counter(); import torch, matplotlib.pyplot; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


def report_this_site(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        for name in SOURCES:
            (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, site / name)
        build(site, strict=False, RUN_SNIPPETS="false")  # warm the OS file cache and jieba's dictionary cache
        m = measure(site, runs, EDITED)
    imports = import_seconds()
    print(f"== this site: median of {runs} runs, {os.cpu_count()} cores")
    print(f"{'build':<8}{'seconds':>9}{'x bare':>9}")
    for name in ("bare", "cold", "warm", "edit"):
        print(f"{name:<8}{m[name]:>9.2f}{m[name] / m['bare']:>9.2f}")
    budget = m["bare"] + imports + m["compute"] + 1
    print(f"import torch + matplotlib.pyplot: {imports:.2f} s; snippets' own compute (cold): {m['compute']:.2f} s")
    _target("warm <= 1.25 x bare", m["warm"], 1.25 * m["bare"])
    _target("cold <= bare + imports + compute + 1 s", m["cold"], budget)


def report_synthetic(chapter_counts: list, runs: int, jupyter: bool) -> None:
    rows = {}
    for chapters in chapter_counts:
        with tempfile.TemporaryDirectory() as tmp:
            site = Path(tmp)
            snippets = write_synthetic_site(site, chapters)
            build(site, strict=False, RUN_SNIPPETS="false")
            m = measure(site, runs, "snippets/chapter-001/snippet_1.py", serial=True)
            m["snippets"] = snippets
            if jupyter:
                m["jupyter"] = build(site / "notebooks", strict=False)[0]
            rows[chapters] = m
    print(f"\n== synthetic sites: 5 torch snippets per chapter, 1 in 4 draws a figure; median of {runs} runs")
    columns = ["snippets", "bare", "cold", "serial", "warm", "edit", "rss"] + (["jupyter"] if jupyter else [])
    print(f"{'chapters':<10}" + "".join(f"{c:>10}" for c in columns))
    for chapters, m in rows.items():
        print(f"{chapters:<10}" + "".join(f"{m[c]:>10.0f}" if c in ("snippets", "rss") else f"{m[c]:>10.2f}" for c in columns))
    if len(rows) > 1:
        small, large = rows[min(rows)], rows[max(rows)]
        print("growth " + f"{min(rows)} -> {max(rows)} chapters: " + ", ".join(
            f"{c} x{large[c] / small[c]:.2f}" for c in ("bare", "cold", "warm", "edit", "rss")))
    m = rows[max(rows)]
    print(f"\ntargets at {m['snippets']} snippets (seconds; rss in MB):")
    _target("warm <= 1.25 x bare", m["warm"], 1.25 * m["bare"])
    _target("edit <= bare + that snippet's compute + 1 s", m["edit"], m["bare"] + m["edit_compute"] + 1)
    _target("cold <= 0.7 x serial cold", m["cold"], 0.7 * m["serial"])
    if jupyter:
        _target("cold <= 0.35 x mkdocs-jupyter executed notebooks", m["cold"], 0.35 * m["jupyter"])
    _target("peak RSS of the build's processes < 2048 MB", m["rss"], 2048)


def _target(name: str, value: float, limit: float) -> None:
    print(f"  {name}: {value:.2f} <= {limit:.2f}  {'OK' if value <= limit else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="builds of each kind, median reported (default 3)")
    parser.add_argument("--chapters", type=int, nargs="*", default=[10, 40], help="synthetic sizes (default 10 40)")
    parser.add_argument("--site-only", action="store_true", help="only this site's table")
    parser.add_argument("--no-jupyter", action="store_true", help="skip the mkdocs-jupyter comparison")
    args = parser.parse_args()
    report_this_site(args.runs)
    if not args.site_only and args.chapters:
        report_synthetic(args.chapters, args.runs, jupyter=not args.no_jupyter)


if __name__ == "__main__":
    main()
