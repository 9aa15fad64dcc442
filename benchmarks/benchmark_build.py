"""Build benchmark: this project against its peers on the same content, side by side. Prints, never asserts.

    python benchmarks/benchmark_build.py                   # this site, then 10 and 40 synthetic chapters, both workloads
    python benchmarks/benchmark_build.py --site-only       # only this site
    python benchmarks/benchmark_build.py --chapters 2 --runs 1   # a quick try
    python benchmarks/benchmark_build.py --jupyter         # also mkdocs-jupyter executing the notebooks (slow)
    python benchmarks/benchmark_build.py --pages [SITE]    # page weight and load time, each notebook against its chapter
    python benchmarks/benchmark_build.py --serve           # only mkdocs serve while a 20 s snippet runs
    python benchmarks/benchmark_build.py --shards          # only SNIPPET_SHARD=k/n builds of a 200-snippet book

Each number is MkDocs' own "Documentation built in N seconds" for a build in a temp copy, the median
of interleaved rounds (project, markdown-exec, project, ...), so both see the same machine state:
  bare      execution switched off (RUN_SNIPPETS=false): MkDocs itself
  cold      empty cache: every snippet runs (parallel forks of one warm worker; spawn: warm spare interpreters)
  warm      nothing changed: every result from the cache
  edit      one snippet saved while `mkdocs serve` runs: the rebuild a writer waits for
  md-exec   markdown-exec 1.12 running the same snippets in the MkDocs process (no cache, serial)
  jupyter   mkdocs-jupyter executing the same content as notebooks
  limit     bare + one `import torch, matplotlib.pyplot` + the snippets' own compute (timed in
            one warm process, figures saved once) divided by the cores: what no tool can beat
  pss       the peak proportional set size (MB) of the cold build's whole process tree
  overhead  what the executor adds per snippet: a trivial snippet, one worker, milliseconds
  floor     a fork of a process set up as the worker is (torch, pyplot, warmed), whose child exits
            at once: what one fresh process per snippet costs at the least, milliseconds
Under `mkdocs serve` (fork backend), "before" waits for every snippet in each rebuild
(SNIPPET_SERVE_PATIENCE=1000), as serve did until issue 25; "after" is the default:
  save→output   seconds from saving a quick snippet to its new output on the page
  answer med/max   how long pages (its own and others) take to answer while a just-saved 20 s snippet runs
  slow→output   seconds from saving that snippet to its output on the page
With --pages, each chapter and notebook page of a built site (SITE, or a fresh build of this one)
is loaded over loopback in headless Chromium, interleaved: html = the page's own HTML, total = every
byte the page requests, dcl = DOMContentLoaded (median of the runs, ms), and the notebook/chapter ratios.
Workloads: "tensor" (5 torch snippets per chapter, 1 in 4 draws a figure) and "training" (5 everyday
training snippets per chapter: an nn.Linear + optim.SGD loop, a loss module, a DataLoader, numpy, a figure).
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
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("docs", "snippets", "snippetrun", "mkdocs.yml", "requirements.in")
# Peak PSS (MB) of a cold build at 40 chapters when the memory target was set: the tensor workload
# when issue 13 was filed, the training one when it was added. A build may grow by 10 % at most.
PSS_BASELINE = {"tensor": 340, "training": 502}
EDITED = "snippets/05-pytorch-basics/type_and_grad.py"
BACKENDS = ("fork", "spawn")

TENSOR = """import torch

torch.manual_seed({seed})
a = torch.rand(200, 200)
for _ in range(20):
    a = torch.tanh(a @ a / 200)
print("chapter {chapter}, snippet {number}:", round(a.sum().item(), 4))
"""
TENSOR_FIGURE = """
import matplotlib.pyplot as plt

plt.figure(figsize=(5, 3.5))  # a phone can read it (plugins.snippetrun.min_figure_text_px)
plt.plot(a[0].tolist())
plt.xlabel("i")
plt.show()
"""
TRAINING = [  # everyday snippets of a PyTorch tutorial; {seed} keeps each one distinct
    """import torch
from torch import nn

torch.manual_seed({seed})
x = torch.linspace(0, 1, 32).unsqueeze(1)
y = 2 * x + 1
model = nn.Linear(1, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
loss_fn = nn.MSELoss()
for step in range(60):
    optimizer.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    optimizer.step()
print("w, b =", round(model.weight.item(), 3), round(model.bias.item(), 3))
""",
    """import torch
from torch import nn

torch.manual_seed({seed})
logits = torch.randn(8, 3)
target = torch.randint(0, 3, (8,))
print("cross entropy:", round(nn.CrossEntropyLoss()(logits, target).item(), 4))
print("softmax rows sum to", torch.softmax(logits, dim=1).sum(dim=1)[:2].tolist())
""",
    """import torch
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed({seed})
dataset = TensorDataset(torch.arange(40.0).unsqueeze(1), torch.arange(40) % 2)
loader = DataLoader(dataset, batch_size=8, shuffle=True)
print("batches:", len(loader), "first labels:", next(iter(loader))[1].tolist())
""",
    """import numpy as np

rng = np.random.default_rng({seed})
w = np.arange(0.0, 4.1, 0.1)
mse = ((np.outer(w, [1.0, 2.0, 3.0]) - [2.0, 4.0, 6.0]) ** 2).mean(axis=1)
print("best w:", round(float(w[mse.argmin()]), 1), "noise:", round(float(rng.normal()), 3))
""",
    """import torch
import matplotlib.pyplot as plt

torch.manual_seed({seed})
w = torch.tensor(1.0, requires_grad=True)
losses = []
for epoch in range(30):
    loss = (3 * w - 6) ** 2
    loss.backward()
    with torch.no_grad():
        w -= 0.01 * w.grad
    w.grad.zero_()
    losses.append(loss.item())
plt.figure(figsize=(5, 3.5))
plt.plot(losses)
plt.xlabel("epoch")
plt.ylabel("loss")
plt.show()
print("final loss:", round(losses[-1], 4))
""",
]
THEME_AND_SEARCH = """theme:
  name: material
  font: false
plugins:
  - search:
      lang: zh
"""
SYNTHETIC_CONFIG = (
    "site_name: synthetic\n"
    + THEME_AND_SEARCH
    + """  - snippetrun:
      enabled: !ENV [RUN_SNIPPETS, true]
      workers: !ENV SNIPPET_WORKERS
      serve_patience: !ENV [SNIPPET_SERVE_PATIENCE, 1]
      timeout: 60
      max_memory_mb: 2048
watch:
  - snippets
markdown_extensions:
  - pymdownx.superfences
  - pymdownx.snippets:
      base_path: [snippets]
      check_paths: true
"""
)
MARKDOWN_EXEC_CONFIG = (
    "site_name: synthetic (markdown-exec)\n"
    + THEME_AND_SEARCH
    + """  - markdown-exec
markdown_extensions:
  - pymdownx.superfences
"""
)
# markdown-exec's recipe for a figure: save it to a StringIO as SVG and print that as HTML.
MARKDOWN_EXEC_FIGURE = """
from io import StringIO
_svg = StringIO()
plt.gcf().savefig(_svg, format="svg")
plt.close("all")
print(_svg.getvalue())
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


def snippet_code(workload: str, count: int, chapter: int, number: int) -> str:
    if workload == "training":
        return TRAINING[number - 1].format(seed=count)
    return TENSOR.format(seed=count, chapter=chapter, number=number) + (TENSOR_FIGURE if count % 4 == 0 else "")


def write_synthetic_site(root: Path, chapters: int, per_chapter: int = 5, workload: str = "tensor") -> int:
    """A site of `chapters` pages of `per_chapter` snippets; the same content for markdown-exec under
    markdown-exec/ and as one notebook per chapter under notebooks/. Returns the snippet count."""
    (root / "mkdocs.yml").write_text(SYNTHETIC_CONFIG)
    for peer, config in (("markdown-exec", MARKDOWN_EXEC_CONFIG), ("notebooks", JUPYTER_CONFIG)):
        (root / peer / "docs").mkdir(parents=True)
        (root / peer / "mkdocs.yml").write_text(config)
    count = 0
    for chapter in range(1, chapters + 1):
        name = f"chapter-{chapter:03d}"
        (root / "snippets" / name).mkdir(parents=True)
        intro = f"# 第 {chapter} 章\n\n第 {chapter} 章：每段代码都在构建时运行，输出显示在代码下方。\n"
        page, exec_page, cells = [intro], [intro], []
        for number in range(1, per_chapter + 1):
            count += 1
            code = snippet_code(workload, count, chapter, number)
            (root / "snippets" / name / f"snippet_{number}.py").write_text(code)
            page.append(f'\n```python\n--8<-- "{name}/snippet_{number}.py"\n```\n')
            draws = "plt.show()" in code
            if draws:
                page.append(f"\n![第 {count} 张图](figures/{name}/snippet_{number}-1.svg)\n")
                code = code.replace("plt.show()\n", "") + MARKDOWN_EXEC_FIGURE
            exec_page.append(f'\n```python exec="on" {"html" if draws else "result"}="{"1" if draws else "text"}"\n{code}```\n')
            cells.append(code)
        (root / "docs").mkdir(exist_ok=True)
        (root / "docs" / f"{name}.md").write_text("".join(page))
        (root / "markdown-exec" / "docs" / f"{name}.md").write_text("".join(exec_page))
        (root / "notebooks" / "docs" / f"{name}.ipynb").write_text(_notebook(chapter, cells))
    for peer in ("", "markdown-exec", "notebooks"):
        (root / peer / "docs" / "index.md").write_text("# 合成网站\n\n合成的中文网站，用来测量构建速度。\n")
    return count


def _notebook(chapter: int, cells: list) -> str:
    code = [
        {"cell_type": "code", "id": f"c{i}", "metadata": {}, "execution_count": None, "outputs": [], "source": source}
        for i, source in enumerate(cells)
    ]
    title = {"cell_type": "markdown", "id": "title", "metadata": {}, "source": f"# Chapter {chapter}"}
    kernel = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    return json.dumps({"cells": [title, *code], "metadata": kernel, "nbformat": 4, "nbformat_minor": 5})


def mkdocs(site: Path, arguments: list, **env) -> subprocess.Popen:
    """`mkdocs <arguments>` in the site's folder, its log (stdout and stderr) on a pipe."""
    return subprocess.Popen(
        [sys.executable, "-m", "mkdocs", *arguments],
        cwd=site,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def build(site: Path, strict: bool = True, **env) -> tuple:
    """MkDocs' build seconds, the log and the peak PSS (MB) of the process tree for one `mkdocs build`."""
    process = mkdocs(site, ["build", *(["--strict"] if strict else []), "-d", "site"], **env)
    peak = _PeakMemory(process.pid)
    log = process.communicate()[0]
    peak.stop()
    if process.returncode != 0:
        sys.exit(f"build failed in {site}:\n{log}")
    return built_seconds(log), log, peak.megabytes


def built_seconds(log: str) -> float:
    return float(re.findall(r"Documentation built in (\d+\.\d+) seconds", log)[-1])


def serve_edit(site: Path, edited: str, run: int, think: float = 5, **env) -> tuple:
    """Seconds of the rebuild `mkdocs serve` does after one snippet is saved (two, when the run outlasts
    serve_patience: the writer waits for both), and that snippet's compute. The save comes `think` seconds
    after the first build: by then the warm worker has imported what it needs, as it has while an author
    writes (the test, which measures nothing, saves at once)."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{free.getsockname()[1]}"
    process = mkdocs(site, ["serve", "-a", address], **env)
    rebuild, saved = "", False
    give_up = threading.Timer(120, process.terminate)  # a rebuild that never comes must not hang the run
    give_up.start()
    try:
        for line in process.stdout or ():
            if not saved and "Serving on" in line:  # the first build is done: save the snippet
                time.sleep(think)
                with open(site / edited, "a") as snippet:
                    snippet.write(f"# edit {run}\n")
                saved = True
            elif saved:
                rebuild += line
                this_build = rebuild.split("Building documentation")[-1]  # not jieba's "Building prefix dict"
                if "Documentation built in" in line and "still running in the background" not in this_build:
                    break  # a run over serve_patience is shown by the rebuild after it: the writer waits for both
    finally:
        give_up.cancel()
        process.terminate()
        process.wait()
    return sum(map(float, re.findall(r"Documentation built in (\d+\.\d+) seconds", rebuild))), snippet_seconds(rebuild)


def serve_session(site: Path, slow_seconds: float = 20, **env) -> dict:
    """One `mkdocs serve`: a quick snippet saved, then a slow one, timed as a writer sees them (see the top)."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{free.getsockname()[1]}/"
    command = [sys.executable, "-m", "mkdocs", "serve", "-a", base[7:-1]]
    process = subprocess.Popen(
        command,
        cwd=site,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        stdout=open(site / "serve.log", "a"),  # noqa: SIM115 - the server process writes to it until it ends
        stderr=subprocess.STDOUT,
    )
    page, chapter = base + "05-pytorch-basics/", site / "docs/05-pytorch-basics.md"
    originals = {path: path.read_text(encoding="utf-8") for path in (site / EDITED, chapter)}
    slow = site / "snippets/05-pytorch-basics/slow_bench.py"
    try:
        _until(lambda: "torch" in _get(page)[0], 300)
        time.sleep(5)  # the warm worker has imported what it needs, as it has while an author writes
        saved = time.monotonic()
        (site / EDITED).write_text(originals[site / EDITED].replace("print(a.grad)\n", 'print("saved", "quick")\n'))
        quick = _until(lambda: "saved quick" in _get(page)[0], 120) - saved  # the output: the code has "saved", "quick"
        # a new snippet for every session: never in the cache from the one before
        slow.write_text(f"import time\n\ntime.sleep({slow_seconds})  # {time.time_ns()}\nprint('slow', 'done')\n")
        saved = time.monotonic()
        chapter.write_text(originals[chapter] + '\n```python\n--8<-- "05-pytorch-basics/slow_bench.py"\n```\n', encoding="utf-8")
        answers = []  # seconds of every request, the snippet's own page polled among the others
        while time.monotonic() - saved < 300:
            replies = [
                _get(base + other) for other in ("05-pytorch-basics/", "", "06-nn-module/", "notebooks/05-pytorch-basics/")
            ]
            answers += [seconds for _, seconds in replies]
            if "slow done" in replies[0][0]:
                break
            time.sleep(0.2)
        slow_done = time.monotonic() - saved
    finally:
        process.terminate()
        process.wait()
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
        slow.unlink(missing_ok=True)
    return {"save→output": quick, "answer med": statistics.median(answers), "answer max": max(answers), "slow→output": slow_done}


def _get(url: str) -> tuple:
    """The page's text ("" if it failed) and the seconds it took."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            text = response.read().decode("utf-8")
    except OSError:
        text = ""
    return text, time.monotonic() - started


def _until(condition, seconds: float) -> float:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            sys.exit("mkdocs serve never showed what the benchmark waits for")
        time.sleep(0.05)
    return time.monotonic()


def report_serve() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        for name in SOURCES:
            (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, site / name)
        build(site)  # a warm cache, as an author has it
        rows = {"before": serve_session(site, SNIPPET_SERVE_PATIENCE="1000"), "after": serve_session(site)}
    print("== mkdocs serve while a 20 s snippet runs (seconds; before = every rebuild waits for its snippets)")
    _table(rows, ["save→output", "answer med", "answer max", "slow→output"])
    _target(
        "the longest answer while a 20 s snippet runs <= 3 s (a rebuild, never the snippet)", rows["after"]["answer max"], 3.0
    )
    _target(
        "save→output of a quick snippet no slower than before (+10 %)",
        rows["after"]["save→output"],
        1.1 * rows["before"]["save→output"],
    )


class _PeakMemory:
    """Samples the summed PSS of a process and all its descendants from /proc every 50 ms."""

    def __init__(self, pid: int):
        self.pid, self.megabytes, self._running = pid, 0.0, True
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self):
        self._running = False
        self._thread.join()

    def _sample(self):
        while self._running:
            self.megabytes = max(self.megabytes, sum(_pss_kb(pid) for pid in _tree(self.pid)) / 1024)
            time.sleep(0.05)


def _tree(pid: int) -> list:
    children: dict[int, list[int]] = {}
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


def _pss_kb(pid: int) -> int:
    try:
        pss = re.search(r"^Pss:\s+(\d+)", Path(f"/proc/{pid}/smaps_rollup").read_text(), re.MULTILINE)
    except OSError:
        return 0  # ended meanwhile
    return int(pss[1]) if pss else 0


def snippet_seconds(log: str) -> float:
    return sum(float(s) for s in re.findall(r"Ran snippets/\S+ in (\d+\.\d+) s", log))


OWN_COMPUTE = """
import runpy, sys, time
from io import StringIO
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch

def show(*args, **kwargs):
    for number in plt.get_fignums():
        plt.figure(number).savefig(StringIO(), format="svg", bbox_inches="tight")
    plt.close("all")

plt.show = show
start = time.perf_counter()
for path in sys.argv[1:]:
    runpy.run_path(path, run_name="__main__")
print(time.perf_counter() - start)
"""


def own_compute(snippets: list) -> float:
    """The snippets' own work, one after the other in one process that has imported torch and pyplot."""
    done = subprocess.run(
        [sys.executable, "-c", OWN_COMPUTE, *map(str, snippets)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    return float(done.stdout.split()[-1])


def import_seconds() -> float:
    code = "import time; t = time.perf_counter(); import torch, matplotlib.pyplot; print(time.perf_counter() - t)"
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)


OVERHEAD = """
import sys, tempfile, time
from pathlib import Path
from snippetrun.executor.runner import SnippetRunner

folder = Path(tempfile.mkdtemp())
snippets = []
count = int(sys.argv[2])
for n in range(count + 1):
    (folder / f"c{n}").mkdir()
    snippets.append(folder / f"c{n}" / "trivial.py")
    snippets[-1].write_text(f"print({n})\\n")
runner = SnippetRunner(folder / "cache", workers=1, backend=sys.argv[1])
runner.run_all(snippets[:1])  # the worker is up
start = time.perf_counter()
runner.run_all(snippets[1:])
print((time.perf_counter() - start) / count * 1000)
runner.close()
"""


def overhead_ms(backend: str = "fork", count: int = 40) -> float:
    """Per trivial snippet, one after the other (spawn: each waits for the spare that warms behind it)."""
    done = subprocess.run([sys.executable, "-c", OVERHEAD, backend, str(count)], capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1])


FORK_FLOOR = """
import os, statistics, sys, time
from snippetrun.executor import preload
preload.warm_up()
times = []
for _ in range(41):
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    times.append(time.perf_counter() - start)
print(statistics.median(times[1:]) * 1000)
"""


def fork_floor_ms() -> float:
    """A fork of a process set up as the worker is, whose child exits at once: what any fresh process
    per snippet costs at the least (milliseconds)."""
    from snippetrun.executor.worker_process import WORKER_ENV

    done = subprocess.run(
        [sys.executable, "-c", FORK_FLOOR],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **WORKER_ENV},
    )
    return float(done.stdout.split()[-1])


def measure(site: Path, runs: int, edited: str, peers: bool, **env) -> dict:
    """Interleaved rounds of every kind of build; the medians, and the within-round ratios."""
    times: dict[str, list[float]] = {}
    for run in range(runs):

        def record(name, value):
            times.setdefault(name, []).append(value)

        record("bare", build(site, strict=False, RUN_SNIPPETS="false")[0])
        shutil.rmtree(site / ".cache", ignore_errors=True)
        seconds, _, pss = build(site, **env)
        record("cold", seconds)
        record("pss", pss)
        if peers:
            record("md-exec", build(site / "markdown-exec", strict=False)[0])
            record("cold/md-exec", times["cold"][-1] / times["md-exec"][-1])
        record("warm", build(site, **env)[0])
        record("edit", serve_edit(site, edited, run, **env)[0])
    return {name: statistics.median(values) for name, values in times.items()}


def _snippets(site: Path) -> list:
    return sorted((site / "snippets").rglob("*.py"))


def report_this_site(runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        for name in SOURCES:
            (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, site / name)
        build(site, strict=False, RUN_SNIPPETS="false")  # warm the OS file cache
        limit = import_seconds() + own_compute(_snippets(site)) / (os.cpu_count() or 1)
        rows = {}
        for backend in BACKENDS:  # one after the other: each gets the machine to itself
            rows[backend] = measure(site, runs, EDITED, peers=False, SNIPPET_BACKEND=backend)
            rows[backend]["limit"] = rows[backend]["bare"] + limit
    print(f"== this site: median of {runs} rounds, {os.cpu_count()} cores (seconds; pss in MB), per executor backend")
    _table(rows, ["bare", "limit", "cold", "warm", "edit", "pss"])
    m = rows["fork"]
    _target("edit one snippet under mkdocs serve <= 0.8 s", m["edit"], 0.8)
    _target("cold <= 1.25 x limit", m["cold"], 1.25 * m["limit"])
    _target("spawn: edit one snippet under mkdocs serve <= 1.0 s (a warm spare runs it)", rows["spawn"]["edit"], 1.0)


def report_synthetic(chapter_counts: list, runs: int, jupyter: bool) -> None:
    for workload in ("tensor", "training"):
        rows = {}
        for chapters in chapter_counts:
            with tempfile.TemporaryDirectory() as tmp:
                site = Path(tmp)
                snippets = write_synthetic_site(site, chapters, workload=workload)
                build(site, strict=False, RUN_SNIPPETS="false")
                m = measure(site, runs, "snippets/chapter-001/snippet_1.py", peers=True)
                m["limit"] = m["bare"] + import_seconds() + own_compute(_snippets(site)) / (os.cpu_count() or 1)
                m["snippets"] = snippets
                if jupyter:
                    m["jupyter"] = build(site / "notebooks", strict=False)[0]
                rows[f"{chapters} chapters"] = m
        print(f"\n== synthetic '{workload}' workload: 5 snippets per chapter; median of {runs} interleaved rounds")
        _table(
            rows,
            ["snippets", "bare", "limit", "cold", "md-exec", "cold/md-exec", "warm", "edit", "pss"]
            + (["jupyter"] if jupyter else []),
        )
        m = rows[f"{max(chapter_counts)} chapters"]
        print(f"targets at {m['snippets']:.0f} snippets:")
        _target("cold <= 0.8 x markdown-exec (within-round ratio)", m["cold/md-exec"], 0.8)
        _target("cold <= 1.25 x limit", m["cold"], 1.25 * m["limit"])
        _target("warm <= 1.0 s", m["warm"], 1.0)
        _target("edit one snippet under mkdocs serve <= 1.0 s", m["edit"], 1.0)
        base = PSS_BASELINE[workload]
        _target(f"peak PSS <= 1.1 x {base} MB", m["pss"], 1.1 * base)


def page_weights(site: Path, runs: int) -> dict:
    """Per page: its HTML's bytes, all bytes it requested, and its median DOMContentLoaded (ms)."""
    import functools
    import http.server

    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # a page closed while a lazy image was still arriving

    server = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=site))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    chapters = sorted(path.parent.name for path in site.glob("notebooks/*/index.html"))
    pages = [name for chapter in chapters for name in (chapter, f"notebooks/{chapter}")]
    sizes = {name: (site / name / "index.html").stat().st_size for name in pages}
    totals: dict[str, int] = {}
    dcls: dict[str, list[float]] = {name: [] for name in pages}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium") or None, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for _ in range(runs):
            for name in pages:
                context = browser.new_context()  # an empty browser cache each time, as a first visit
                page = context.new_page()
                page.goto(url + name + "/", wait_until="load")
                dcl, total = page.evaluate("""() => {
                    const [navigation] = performance.getEntriesByType("navigation");
                    const entries = [navigation, ...performance.getEntriesByType("resource")];
                    return [navigation.domContentLoadedEventEnd, entries.reduce((sum, e) => sum + e.decodedBodySize, 0)];
                }""")
                dcls[name].append(dcl)
                totals[name] = total
                context.close()
        browser.close()
    server.shutdown()
    return {name: {"html": sizes[name], "total": totals[name], "dcl": statistics.median(dcls[name])} for name in pages}


def report_pages(site: Path | None, runs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if site is None:
            site = Path(tmp)
            for name in SOURCES:
                (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, site / name)
            shutil.copytree(ROOT / ".cache", site / ".cache", dirs_exist_ok=True, ignore=shutil.ignore_patterns("mkdocs-jupyter"))
            build(site)
            site = site / "site"
        rows = page_weights(site, runs)
    print(f"== page weight (KB) and DOMContentLoaded (ms), median of {runs} first visits over loopback")
    print(f"{'':<34}{'html':>8}{'total':>8}{'dcl':>8}{'html x':>8}{'dcl x':>8}")
    for name, row in rows.items():
        chapter = rows[name.removeprefix("notebooks/")]
        ratios = f"{row['html'] / chapter['html']:>8.2f}{row['dcl'] / chapter['dcl']:>8.2f}" if row is not chapter else ""
        print(f"{name:<34}{row['html'] / 1024:>8.0f}{row['total'] / 1024:>8.0f}{row['dcl']:>8.0f}{ratios}")
    notebooks = [name for name in rows if name.startswith("notebooks/")]
    _target(
        "largest notebook html / its chapter's <= 2", max(rows[n]["html"] / rows[n.split("/")[1]]["html"] for n in notebooks), 2
    )
    _target(
        "slowest notebook dcl / its chapter's <= 1.5", max(rows[n]["dcl"] / rows[n.split("/")[1]]["dcl"] for n in notebooks), 1.5
    )


def report_shards(chapters: int = 40, counts: tuple = (1, 2, 4)) -> None:
    """A synthetic book of `chapters` x 5 training snippets, built with SNIPPET_SHARD=k/n for each n in
    `counts`, every shard from a cache that holds only the run times of an earlier full build (what CI
    restores), one shard after another on this machine: the largest shard's build is a CI run's wait."""
    with tempfile.TemporaryDirectory(prefix="shards-") as temp:
        record = Path(temp) / "record"
        record.mkdir()
        snippets = write_synthetic_site(record, chapters, workload="training")
        build(record)  # records each snippet's run time
        times = sorted((record / ".cache/snippets").glob("time-*.txt"))
        rows = {}
        for count in counts:
            seconds = []
            for number in range(1, count + 1):
                shard = Path(temp) / f"shard-{count}-{number}"
                (shard / ".cache/snippets").mkdir(parents=True)
                write_synthetic_site(shard, chapters, workload="training")
                for time_file in times:
                    shutil.copy(time_file, shard / ".cache/snippets")
                seconds.append(build(shard, SNIPPET_SHARD=f"{number}/{count}")[0])
                shutil.rmtree(shard)
            rows[f"n = {count}"] = {"largest": max(seconds), "smallest": min(seconds), "sum": sum(seconds)}
        for row in rows.values():
            row["largest / n=1"] = row["largest"] / rows[f"n = {counts[0]}"]["largest"]
    print(f"== {snippets} training snippets in SNIPPET_SHARD builds, one shard after another (seconds)")
    _table(rows, ["largest", "smallest", "sum", "largest / n=1"])


def api_link_cost(site: Path) -> dict:
    """What linking the names in code costs, as shares measured in one cold and one warm build of `site`:
    resolving in the snippets' processes against their run time, linking the pages against the warm build."""
    cold = _verbose_build(site)
    resolved_ms = sum(float(ms) for ms in re.findall(r"Resolved the names of \S+ in (\d+\.\d+) ms", cold))
    warm = _verbose_build(site)
    linked_ms = float(re.findall(r"Linked the names in code blocks in (\d+\.\d+) ms", warm)[-1])
    resolving, parallel = resolved_ms / 1000, os.cpu_count() or 1  # the build runs one snippet per core at once
    return {
        f"resolve share of the cold build ({parallel} runs at once)": resolving / parallel / built_seconds(cold),
        "  the same if no two snippets ran at once": resolving / built_seconds(cold),
        "link share of the warm build": linked_ms / 1000 / built_seconds(warm),
    }


def _verbose_build(site: Path) -> str:
    process = mkdocs(site, ["build", "--verbose", "-d", "site"])
    log = process.communicate()[0]
    if process.returncode != 0:
        sys.exit(f"build failed in {site}:\n{log}")
    return log


def report_api_links(chapters: int = 10) -> None:
    with tempfile.TemporaryDirectory(prefix="api-links-") as temp:
        for workload in ("this site", "tensor", "training"):
            site = Path(temp) / workload
            site.mkdir()
            if workload == "this site":  # its notebook pages are linked in every build; its chapters' blocks are kept
                for name in SOURCES:
                    (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, site / name)
                snippets = len(_snippets(site))
            else:
                snippets = write_synthetic_site(site, chapters, workload=workload)
            print(f"== names linked to their API pages: {workload}, {snippets} snippets")
            for name, share in api_link_cost(site).items():
                if name.startswith(" "):
                    print(f"  {name}: {share * 100:.2f} %")
                else:
                    _target(f"{name} <= 5 %", share * 100, 5)


def _table(rows: dict, columns: list) -> None:
    print(f"{'':<14}" + "".join(f"{c:>14}" for c in columns))
    for name, m in rows.items():
        print(f"{name:<14}" + "".join(f"{m[c]:>14.0f}" if c in ("snippets", "pss") else f"{m[c]:>14.2f}" for c in columns))


def _target(name: str, value: float, limit: float) -> None:
    print(f"  {name}: {value:.2f} <= {limit:.2f}  {'OK' if value <= limit else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="interleaved rounds, median reported (default 3)")
    parser.add_argument("--chapters", type=int, nargs="*", default=[10, 40], help="synthetic sizes (default 10 40)")
    parser.add_argument("--site-only", action="store_true", help="only this site's table")
    parser.add_argument("--jupyter", action="store_true", help="also mkdocs-jupyter executing notebooks (minutes)")
    parser.add_argument("--serve", action="store_true", help="only mkdocs serve while a 20 s snippet runs")
    parser.add_argument("--shards", action="store_true", help="only SNIPPET_SHARD builds of a 200-snippet book")
    parser.add_argument("--api-links", action="store_true", help="only what linking names in code costs")
    parser.add_argument(
        "--pages",
        nargs="?",
        const="",
        metavar="SITE",
        help="only page weight and load time, of SITE (a built site folder) or of a fresh build",
    )
    args = parser.parse_args()
    if args.pages is not None:
        report_pages(Path(args.pages) if args.pages else None, args.runs)
        return
    if args.serve:
        report_serve()
        return
    if args.shards:
        report_shards()
        return
    if args.api_links:
        report_api_links()
        return
    overhead, floor, spawned = overhead_ms(), fork_floor_ms(), overhead_ms("spawn")
    print(f"== executor overhead per trivial snippet, one worker: fork {overhead:.1f} ms, spawn {spawned:.1f} ms")
    print(f"   of which the floor, a fork of the warm worker whose child exits at once: {floor:.1f} ms")
    print("   (spawn: one fresh interpreter per snippet, warmed while the one before runs; serially, each")
    print("   snippet waits for that warm-up: torch, matplotlib and the preload list)")
    _target("overhead <= 5 ms", overhead, 5)
    report_this_site(args.runs)
    report_api_links()
    report_serve()
    if not args.site_only and args.chapters:
        report_synthetic(args.chapters, args.runs, jupyter=args.jupyter)


if __name__ == "__main__":
    main()
