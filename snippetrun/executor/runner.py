"""Runs snippets in forks of one warm worker, caching results by content.

The build hook and the tests both use `SnippetRunner`, so what is tested is what the pages show.
torch and matplotlib are imported once, by the worker (`fork_worker.py`), and only when some
snippet is not cached. Each run works in a scratch copy of its snippet's folder, outside the
project, laid out as the project is (`snippets/<chapter>/<name>.py`, run from the copy's root as
`python snippets/<chapter>/<name>.py` runs from the project's); writes are thrown away.
"""

import ast
import functools
import json
import logging
import math
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..source_checks import swallowed_backslash
from . import cache, environment, process_tree
from .terminal import screen_text

log = logging.getLogger("mkdocs.hooks.executor.runner")

HERE = Path(__file__).resolve().parent
CACHE_FOLDER = ".cache/snippets"  # beside mkdocs.yml, git-ignored
WORKER_GRACE = 10  # seconds past a snippet's timeout before the worker itself is presumed stuck
START_UP_ALLOWANCE = 60  # seconds a run may wait for its process to start before the worker is presumed stuck
# tqdm's defaults: a bar without elapsed time and rate, so two builds print the same bar.
TQDM_DEFAULTS = {"TQDM_BAR_FORMAT": "{l_bar}{bar}| {n_fmt}/{total_fmt}", "TQDM_NCOLS": "72"}
# The worker's heap (torch's, mostly) in transparent huge pages: forking it copies one page-table
# entry per 2 MB instead of per 4 KB, and a fork's exit frees as few. Snippets do not see this: the
# worker removes it from its environment, and a snippet's own process takes no new huge pages
# (zeroing 2 MB for every small array costs more than it saves; see sandbox.run).
WORKER_ENV = {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"}
BACKENDS = ("auto", "fork", "spawn")
MEMORY_SETTING = "(plugins.snippetrun.max_memory_mb in mkdocs.yml): use less data, or a smaller model or batch"
# Where each run's temp folder goes: /tmp where it exists, so that a Unix socket's path in it stays short
# (about 100 bytes at most) whatever TMPDIR the build has; the system's temp folder elsewhere.
SHORT_TEMP = "/tmp" if os.name == "posix" and os.access("/tmp", os.W_OK) else None  # noqa: S108 - mkdtemp makes a private folder in it


def choose_backend(asked: str | None = None) -> str:
    """SNIPPET_BACKEND, else `asked` (plugins.snippetrun.backend), else auto: fork where its Linux-only
    calls exist (os.fork, pidfd_open, prctl), spawn everywhere else (macOS, Windows)."""
    backend = os.environ.get("SNIPPET_BACKEND") or asked or "auto"
    if backend not in BACKENDS:
        raise ValueError(f"unknown snippet backend {backend!r}: use one of {', '.join(BACKENDS)}")
    if backend == "auto":
        backend = "fork" if sys.platform == "linux" and hasattr(os, "pidfd_open") else "spawn"
    return backend


@dataclass
class Limits:
    """What one snippet may produce (plugins.snippetrun in mkdocs.yml)."""

    output_lines: int = 500
    output_kb: int = 100
    figure_kb: int = 1024
    figure_text_px: float = 9  # the smallest text of a figure, as a 390 px wide phone shows it
    memory_mb: int = 2048  # what one snippet's processes may hold beyond the warm interpreter (a reader's laptop)


PHONE_CONTENT_PX = 358  # what Material's page leaves for a figure on a 390 px wide phone


def too_small_on_a_phone(data: dict, smallest_px: float) -> str | None:
    """Why a phone would show the figure's smallest text too small to read; None when it can be read."""
    if not data.get("smallest_text"):
        return None
    size, text = data["smallest_text"]
    width_px = data["width_pt"] * 4 / 3
    shown = size * 4 / 3 * min(1, PHONE_CONTENT_PX / width_px)
    if shown >= smallest_px:
        return None
    shown = math.floor(shown * 100) / 100  # printed as less than the need it fails: 8.99 px, never "9.0 px"
    return (
        f"its smallest text, {text!r} at {size:g} pt, is {shown:.2f} px on a phone, which shows the "
        f"{width_px:.0f} px wide figure {min(width_px, PHONE_CONTENT_PX):.0f} px wide; a reader needs "
        f"{smallest_px:g} px (plugins.snippetrun.min_figure_text_px in mkdocs.yml): make the figure narrower "
        "(figsize), put its panels in fewer columns, or make the text larger (fontsize)"
    )


@dataclass
class Figure:
    light: str  # SVG as the snippet drew it
    dark: str  # the same figure recoloured for the dark scheme
    data: dict  # the lines, points and texts it shows


@dataclass
class Result:
    snippet: Path
    stdout: str = ""
    stderr: str = ""
    figures: list = field(default_factory=list)  # Figure, in drawing order
    error: str | None = None
    line: int | None = None
    seconds: float = 0.0
    cached: bool = False
    notes: list = field(default_factory=list)  # info for the build log, e.g. processes ended after the run
    warnings: dict = field(default_factory=dict)  # figure number -> why a phone shows its text too small (not cached)
    values: dict = field(default_factory=dict)  # quote text -> {"value": str} or {"error": str} (quotes.py)
    read: list = field(default_factory=list)  # files of its folder it read (helper modules, data), relative to it

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class _Run:
    id: int
    snippet: Path
    name: str  # as the reader runs it: snippets/<chapter>/<name>.py
    key: str  # taken at the start: the file may change while it runs
    quotes: tuple  # what pages quote from its run, as they were at the start
    scratch: Path
    tmp: Path  # the run's own temp folder: a short path (Unix sockets), outside the scratch copy
    inputs: dict  # file in the snippet's folder -> its hash when the run started
    started: float = field(default_factory=time.monotonic)
    pid: int | None = None
    alone: bool = False  # run with no other beside it, after its worker died while several ran


class SnippetRunner:
    def __init__(
        self,
        cache_dir: Path,
        root: Path | None = None,
        timeout: float = 60,
        workers: int | None = None,
        limits: Limits | None = None,
        backend: str | None = None,
    ):
        self.cache_dir = Path(cache_dir).resolve()
        self.backend = choose_backend(backend)
        self.root = Path(root).resolve() if root else None  # snippets under it are named relative to it
        self.timeout = timeout
        self.limits = limits or Limits()
        self.workers = workers or os.cpu_count() or 1
        # absolute snippet path -> the quotes pages make of its run (quotes.py), evaluated in it; part of its key
        self.quotes = {}
        self._worker = None
        self._closed = False  # abort() or close(): no worker starts again
        self._said = set()  # the OS mechanisms missing here, already said in the log
        self._ids = iter(range(1, sys.maxsize))
        self._preloads = cache.preloads(self.cache_dir)  # modules earlier snippets imported
        cache.remove_leftovers(self.cache_dir)

    def run_all(self, snippets, on_result=None) -> dict:
        """Results for `snippets`, keyed by absolute path, in the order given; `on_result(path, result)`
        is called as each run ends (from this thread)."""
        results = self.cached(snippets)
        todo = [snippet for snippet, result in results.items() if result is None]
        if todo:
            self._warm_worker()
            self._learn_imports(set().union(*map(library_imports, todo)))  # imported once, by the worker
            self._execute(todo, results, on_result or (lambda snippet, result: None))
            cache.store_preloads(self.cache_dir, self._preloads)
        return results

    def cached(self, snippets) -> dict:
        """Results already in the cache, keyed by absolute path; None where a snippet has none."""
        return {(s := Path(path).resolve()): self._from_cache(s) for path in snippets}

    def state(self, snippet: Path) -> tuple:
        """The snippet as it is now, for results no cache holds (failed runs): its key, and the names,
        sizes and modification times of the files in its folder (the data it may read)."""
        files = sorted(
            (p.relative_to(snippet.parent).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
            for p in snippet.parent.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        )
        return self._key(snippet), tuple(files)

    def has_entry(self, snippet: Path) -> bool:
        """Whether the cache holds an entry for the snippet as it is now (not yet verified)."""
        return (self.cache_dir / f"{self._key(snippet)}.json").exists()

    def warm_up(self) -> None:
        """Start the worker now (it imports torch in the background), before any snippet needs it."""
        self._warm_worker()

    @property
    def warm(self) -> bool:
        """Whether the worker is running (under `mkdocs serve`, from the second build on)."""
        return self._worker is not None and self._worker.poll() is None

    def abort(self) -> None:
        """End the worker and every snippet process now (the worker does that when its input closes);
        a run under way (in another thread) ends with its snippets lost, and no new worker starts."""
        self._closed = True
        if self._worker and self._worker.stdin and not self._worker.stdin.closed:
            self._worker.stdin.close()

    def close(self) -> None:
        self.abort()
        worker = self._worker  # another thread's run may be ending it right now
        if worker:
            worker.wait()

    def _key(self, snippet: Path) -> str:
        return cache.key(snippet, self.name(snippet), self.quotes.get(snippet, ()))

    def name(self, snippet: Path) -> str:
        if self.root and snippet.is_relative_to(self.root):
            return snippet.relative_to(self.root).as_posix()
        return f"{snippet.parent.name}/{snippet.name}"

    def _check_limits(self, result: Result) -> None:
        """A result that a page cannot show fails, and keeps only the first lines of what it printed; a figure
        whose text a phone shows too small is a warning, with the figure shown (and cached)."""
        if result.ok and (why := self._unfit_for_page(result)):
            result.error = why
            result.stdout, result.stderr = _first_lines(result.stdout), _first_lines(result.stderr)
            result.figures = []
        result.warnings = {
            number: f"figure {number}: {why}"
            for number, figure in enumerate(result.figures, 1)
            if (why := too_small_on_a_phone(figure.data, self.limits.figure_text_px))
        }

    def _unfit_for_page(self, result: Result) -> str | None:
        """Why the result is too big for a page, with what to do about it; None when it fits."""
        limit = self.limits
        for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            lines, kb = len(text.splitlines()), len(text.encode()) / 1024
            if lines > limit.output_lines or kb > limit.output_kb:
                printed = f"1 line of {kb:.0f} KB" if lines == 1 else f"{lines} lines ({kb:.0f} KB)"
                return (
                    f"the snippet printed {printed} to {stream}; a page shows at most "
                    f"{limit.output_lines} lines and {limit.output_kb} KB (plugins.snippetrun.max_output_lines / "
                    "max_output_kb in mkdocs.yml): print less, e.g. every 10th step or a summary"
                )
        for number, figure in enumerate(result.figures, 1):
            texts = [text for ax in figure.data["axes"] for text in (ax["title"], ax["xlabel"], ax["ylabel"], *ax["texts"])]
            for text in texts:
                if why := swallowed_backslash(text):
                    return f'figure {number} has the text {text!r}: {why}; write TeX in a raw string, e.g. r"$\\theta$"'
            kb = len(figure.light.encode()) / 1024
            if kb > limit.figure_kb:
                return (
                    f"figure {number} is {kb:.0f} KB as SVG; the limit is {limit.figure_kb} KB "
                    "(plugins.snippetrun.max_figure_kb in mkdocs.yml): plot fewer points (downsample), or "
                    "rasterize the heavy artist, e.g. plt.scatter(x, y, rasterized=True)"
                )
        return None

    def _from_cache(self, snippet: Path) -> Result | None:
        stored = cache.load(self.cache_dir, self._key(snippet), snippet.parent)
        if stored is None:
            return None
        figures = [Figure(**figure) for figure in stored["figures"]]
        result = Result(
            snippet,
            stored["stdout"],
            stored["stderr"],
            figures,
            cached=True,
            values=stored["values"],
            read=sorted(stored["inputs"]),
        )
        self._check_limits(result)  # stored when it fitted; today's limits may be stricter
        return result

    def _execute(self, todo: list, results: dict, on_result) -> None:
        running, ready, alone = {}, None, []  # alone: snippets that were running when their worker died
        while todo or running or ready or alone:
            if alone and not running:  # one at a time, so that a death names its snippet
                run = self._dispatch(self._prepare(alone.pop(0)), queued=0)
                run.alone, running[run.id] = True, run
            solo = alone or any(run.alone for run in running.values())
            while not solo and (ready or todo) and len(running) < self.workers:
                run, ready = ready or self._prepare(todo.pop(0)), None
                run = self._dispatch(run, queued=len(todo))
                running[run.id] = run
            if not solo and ready is None and todo:  # the next scratch copy is made while the snippets run
                ready = self._prepare(todo.pop(0))
            # a run whose process has not started yet waits for a spare interpreter, which a busy machine may take long to warm
            deadline = min(run.started + (self.timeout if run.pid else START_UP_ALLOWANCE) for run in running.values())
            message = self._next_message(deadline + WORKER_GRACE)
            if message is None:  # the worker died or hangs: the next runs get a new worker
                dead_runs_dir, death, lost = self._runs_dir, self._end_worker(), list(running.values())
                running.clear()
                culprits = [run for run in lost if (run.scratch / "out" / process_tree.SIGNALLED_WORKER).exists()]
                for run in lost:
                    if run in culprits or run.alone or len(lost) == 1:  # it did it, or nothing else could have
                        results[run.snippet] = self._lost(run, death)
                        on_result(run.snippet, results[run.snippet])
                    else:  # it merely ran beside the one that did: it runs again, blamed for nothing
                        _end(run)
                        (todo.insert(0, run.snippet) if culprits else alone.append(run.snippet))
                shutil.rmtree(dead_runs_dir, ignore_errors=True)  # the dead worker would have removed it
            elif "pid" in message:  # it starts now: the time a worker or a spare took to warm up is not its own
                running[message["id"]].pid, running[message["id"]].started = message["pid"], time.monotonic()
            else:
                run = running.pop(message["id"])
                results[run.snippet] = self._finish(run, message)
                on_result(run.snippet, results[run.snippet])

    def _prepare(self, snippet: Path) -> _Run:
        """The run's scratch copy of its folder, and the hashes of what is in it."""
        self._warm_worker()  # its folder holds the copy: after a worker died, the next one's
        name = self.name(snippet)
        scratch = Path(tempfile.mkdtemp(prefix="run-", dir=self._runs_dir))
        folder = scratch / "cwd" / Path(name).parent
        shutil.copytree(snippet.parent, folder, ignore=shutil.ignore_patterns("__pycache__"))
        (scratch / "out").mkdir()
        inputs = {p.relative_to(folder).as_posix(): cache.file_hash(p) for p in folder.rglob("*") if p.is_file()}
        tmp = Path(tempfile.mkdtemp(prefix="snippet-tmp-", dir=SHORT_TEMP))
        quotes = tuple(sorted(self.quotes.get(snippet, ())))
        return _Run(next(self._ids), snippet, name, cache.key(snippet, name, quotes), quotes, scratch, tmp, inputs)

    def _dispatch(self, run: _Run, queued: int) -> _Run:
        """Send the run to the worker; `queued` runs wait after it (the spawn worker warms no more spares)."""
        self._warm_worker()
        if run.scratch.parent != Path(self._runs_dir):  # prepared for a worker that has died since
            _remove(run)
            run = self._prepare(run.snippet)
        run.started = time.monotonic()
        self._send(
            {
                "id": run.id,
                "snippet": run.name,
                "cwd": str(run.scratch / "cwd"),
                "out": str(run.scratch / "out"),
                "tmp": str(run.tmp),
                "quotes": list(run.quotes),
                "max_memory_mb": self.limits.memory_mb,
                "timeout": self.timeout,
                "queued": queued,
            }
        )
        return run

    def _send(self, request: dict) -> None:
        try:
            self._worker.stdin.write(json.dumps(request).encode() + b"\n")
            self._worker.stdin.flush()
        except (BrokenPipeError, ValueError):  # ValueError: its input was closed by abort()
            pass  # the worker died or is ending: _next_message sees its end and reports the runs as lost

    def _warm_worker(self) -> subprocess.Popen:
        if self._closed:
            raise RuntimeError("the snippet runner was closed")
        if self._worker is None or self._worker.poll() is not None:
            self._runs_dir = tempfile.mkdtemp(prefix="snippet-runs-")  # the worker removes it when it exits
            if self.backend == "fork":
                command, env = ["-m", f"{__package__}.fork_worker", self._runs_dir], _worker_only_env()
            else:
                command, env = ["-m", f"{__package__}.spawn_worker", self._runs_dir, str(self.workers)], {}
            self._worker = subprocess.Popen(
                [sys.executable, *map(str, command)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                bufsize=0,
                env={**environment.for_snippets(os.environ), **TQDM_DEFAULTS, **env},
            )
            # A thread reads the answers (select() takes no pipe on Windows); b"" marks the worker's end.
            self._answers = queue.Queue()
            threading.Thread(target=_read_lines, args=(self._worker.stdout, self._answers), daemon=True).start()
            self._send({"preload": sorted(self._preloads)})
        return self._worker

    def _next_message(self, deadline: float) -> dict | None:
        """The worker's next answer; None if it ended, or sent nothing before `deadline`."""
        try:
            line = self._answers.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None
        return json.loads(line) if line else None

    def _end_worker(self) -> str:
        """Kill the worker if it still runs; how it ended, in words ("the snippet worker ...")."""
        try:
            code = self._worker.wait(timeout=1)  # its output ended as it died: reaped in a moment
            death = f"died ({process_tree.describe_returncode(code)})" if code else "exited"
        except subprocess.TimeoutExpired:
            self._worker.kill()
            self._worker.wait()
            death = f"gave no answer {WORKER_GRACE} s past the snippet's timeout and was ended"
        self._worker = None
        return death

    def _lost(self, run: _Run, death: str) -> Result:
        signalled = run.scratch / "out" / process_tree.SIGNALLED_WORKER
        line, _, signal_number = signalled.read_text().partition(" ") if signalled.exists() else ("", "", "")
        error = f"the snippet worker {death} while this snippet ran; a new one runs the other snippets"
        if signal_number:
            error = (
                f"the snippet sent its worker signal {signal_number.strip()} (os.kill of os.getppid()), and the worker "
                f"{death}; a new one runs the other snippets"
            )
        stdout = self._text(run, run.scratch / "out" / "stdout.txt")  # what it printed before
        _end(run)
        return Result(
            run.snippet, stdout, error=error, line=int(line) if line.strip() else None, seconds=time.monotonic() - run.started
        )

    def _finish(self, run: _Run, message: dict) -> Result:
        out = run.scratch / "out"
        info = _read_json(out / "result.json")
        result = Result(run.snippet, self._text(run, out / "stdout.txt"), self._text(run, out / "stderr.txt"))
        result.seconds = time.monotonic() - run.started
        stack_line = _stack_line(out / "stack.txt", run.name)
        if message.get("memory_mb"):
            result.error = (
                f"MemoryError: the snippet's processes held {message['memory_mb']:.0f} MB, over the limit of "
                f"{self.limits.memory_mb} MB {MEMORY_SETTING}, and were ended"
            )
            result.line = stack_line
        elif message["timed_out"]:
            result.error = f"TimeoutError: still running after {self.timeout:g} s (plugins.snippetrun.timeout in mkdocs.yml)"
            result.line = stack_line
        elif info is None:
            result.error, result.line = f"the snippet's process died: {message['status']}", stack_line
        else:
            result.error, result.line = info["error"] and self._scrub(run, info["error"]), info["line"]
            if result.error and re.search(r"MemoryError|can't allocate memory|Cannot allocate memory", result.error):
                result.error += f"\nThe snippet may use {self.limits.memory_mb} MB {MEMORY_SETTING}.\n"
            result.figures = [_figure(out, name) for name in info["figures"]]
            result.values = {
                text: _scrubbed(value, functools.partial(self._scrub, run)) for text, value in info["values"].items()
            }
            result.read = sorted(self._read(run, info["opened"]))
        if info and info.get("unshown") and result.ok:
            result.error = (
                f"the snippet drew {info['unshown']} figure(s) it never shows: a reader running it sees "
                "nothing, and neither does the page; call plt.show() after drawing"
            )
        if info and info["network"] and result.ok:
            result.error = f"the snippet tried to use the network ({info['network']}): the site must build offline"
        for limit, consequence in (
            ("no_network_namespace", "only their own Python code is kept off the network, not the processes they start"),
            (
                "no_landlock",
                (
                    "only their scratch copy keeps them from writing into the project, "
                    "through relative paths; absolute ones are not refused"
                ),
            ),
        ):
            if info and info.get(limit) and limit not in self._said:
                self._said.add(limit)  # once per build (and serve session): the machine does not change
                log.info(f"Snippets run without {limit.removeprefix('no_').replace('_', ' ')} ({info[limit]}): {consequence}")
        self._check_limits(result)  # a result too big for a page is a failed run: never cached
        ended = (info or {}).get("stragglers", []) + message["stragglers"]
        if ended:
            result.notes.append(f"{run.name} left {len(ended)} process(es) running, now ended: {'; '.join(ended)}")
        if result.ok:
            cache.store(self.cache_dir, run.key, self._entry(run, result, info["opened"]))
            self._learn_imports(info["imported"])
        _remove(run)
        return result

    def _learn_imports(self, modules) -> None:
        """Modules snippets import: the worker imports them too, so the next forks have them."""
        new = sorted(set(modules) - self._preloads)
        if new:
            self._preloads.update(new)
            self._send({"preload": new})

    def _read(self, run: _Run, opened: list) -> set:
        """The files of the snippet's folder, as it was when the run started, that the run opened."""
        folder = run.scratch / "cwd" / Path(run.name).parent
        read = {Path(path).relative_to(folder).as_posix() for path in opened if Path(path).is_relative_to(folder)}
        return read & run.inputs.keys()

    def _entry(self, run: _Run, result: Result, opened: list) -> dict:
        inputs = {name: run.inputs[name] for name in sorted(self._read(run, opened))}
        figures = [figure.__dict__ for figure in result.figures]
        return {
            "snippet": run.name,
            "stdout": result.stdout,
            "stderr": result.stderr,
            "figures": figures,
            "inputs": inputs,
            "values": result.values,
        }

    def _text(self, run: _Run, path: Path) -> str:
        raw = path.read_bytes().decode("utf-8", errors="replace") if path.exists() else ""
        return self._scrub(run, screen_text(raw))

    def _scrub(self, run: _Run, text: str) -> str:
        """No absolute path of the build machine on a page: the scratch copy reads as the project, '.'."""
        for folder in (run.scratch / "cwd", self.root):
            if folder:
                text = text.replace(str(folder), ".")
        return text


def _scrubbed(value: dict, scrub) -> dict:
    return {kind: scrub(text) for kind, text in value.items()}


def _end(run: _Run) -> None:
    """A run whose worker died: its processes (what the worker's death left of them) and its folders."""
    if run.pid:
        process_tree.kill_group_and_process(run.pid)
    _remove(run)


def _remove(run: _Run) -> None:
    for folder in (run.scratch, run.tmp):
        shutil.rmtree(folder, ignore_errors=True)


def _first_lines(text: str, count: int = 20, width: int = 300) -> str:
    """What the page shows of an output over the limits: its first lines, each cut at `width` characters."""
    lines = text.splitlines(keepends=True)
    shown = [
        line if len(line.rstrip("\n")) <= width else f"{line[:width]}…（这一行还有 {len(line.rstrip(chr(10))) - width} 个字符）\n"
        for line in lines[:count]
    ]
    if len(lines) > count:
        shown.append(f"…（后面还有 {len(lines) - count} 行，超出页面的上限，没有显示）\n")
    return "".join(shown)


def _read_lines(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(b"")


def _worker_only_env() -> dict:
    """WORKER_ENV, and SNIPPET_WORKER_ENV naming what the worker must unset before it runs snippets."""
    return {**WORKER_ENV, "SNIPPET_WORKER_ENV": " ".join(WORKER_ENV)}


def imported_modules(snippet: Path) -> set:
    """The modules a snippet's import statements name (absolute imports, as written)."""
    try:
        tree = ast.parse(snippet.read_bytes())
    except SyntaxError:
        return set()  # the run reports it
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module and not node.level}


def library_imports(snippet: Path) -> set:
    """The modules a snippet imports that are not its own (no helper module beside it has the name)."""

    def local(name):
        top = snippet.parent / name.split(".")[0]
        return top.with_suffix(".py").exists() or top.is_dir()

    return {name for name in imported_modules(snippet) if not local(name)}


def _figure(out: Path, name: str) -> Figure:
    svg = (out / f"{name}.svg").read_text()
    return Figure(svg, (out / f"{name}-dark.svg").read_text(), json.loads((out / f"{name}.json").read_text()))


def _read_json(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _stack_line(stack: Path, name: str) -> int | None:
    """The snippet's line in a faulthandler dump of every thread: the main thread's; when the main thread
    is past the snippet's last line (waiting for a thread at exit), the line a thread is on."""
    text = stack.read_text(errors="replace") if stack.exists() else ""
    threads = re.split(r"\n(?=(?:Current thread|Thread) 0x)", text)
    started = [thread for thread in threads if " in _bootstrap\n" in thread + "\n"]  # threading.Thread's bottom frame
    prefix = f'  File "{name}", line '
    for thread in [thread for thread in threads if thread not in started] + started:
        for line in thread.splitlines():  # most recent call first
            if line.startswith(prefix):
                return int(line[len(prefix) :].split()[0])
    return None
