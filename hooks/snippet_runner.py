"""Runs snippets in forks of one warm worker, caching results by content.

The build hook and the tests both use `SnippetRunner`, so what is tested is
what the pages show. torch and matplotlib are imported once, by the worker
(`snippet_sandbox.py`), and only when some snippet is not cached.
"""

import ast
import hashlib
import json
import multiprocessing.connection
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE_FOLDER = ".cache/snippets"  # beside mkdocs.yml, git-ignored
_VERSIONED = ("torch", "numpy", "matplotlib", "scikit-learn")


@dataclass
class Result:
    snippet: Path
    stdout: str = ""
    figures: list = field(default_factory=list)  # Figure files, in drawing order
    error: str | None = None
    line: int | None = None
    seconds: float = 0.0
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Figure:
    light: Path  # the SVG as the snippet drew it
    dark: Path  # the same figure recoloured for the dark scheme
    data: Path  # JSON: the lines, points and texts it shows

    def read_data(self) -> dict:
        return json.loads(self.data.read_text())


@dataclass
class _Run:
    snippet: Path
    key: str  # taken at the start: the file may change while it runs
    out_dir: Path
    pidfd: int | None  # None when the child finished before we could watch it
    started: float = field(default_factory=time.monotonic)


class SnippetRunner:
    def __init__(self, cache_dir: Path, timeout: float = 60, workers: int | None = None):
        self.cache_dir = Path(cache_dir).resolve()  # the child changes its working directory
        self.timeout = timeout
        self.workers = workers or os.cpu_count() or 1
        self._worker = None

    def run_all(self, snippets) -> dict:
        """Results for `snippets`, keyed by absolute path, in the order given."""
        results = self.cached(snippets)
        self._execute([snippet for snippet, result in results.items() if result is None], results)
        return results

    def cached(self, snippets) -> dict:
        """Results already in the cache, keyed by absolute path; None where a snippet has none."""
        return {(s := Path(path).resolve()): self._from_cache(s, cache_key(s)) for path in snippets}

    def warm_up(self) -> None:
        """Start the worker now (it imports torch in the background), before any snippet needs it."""
        self._warm_worker()

    def close(self) -> None:
        if self._worker:
            self._worker.stdin.close()  # the worker exits at end of input
            self._worker.wait()
            self._worker = None

    def _from_cache(self, snippet: Path, key: str) -> Result | None:
        entry = self.cache_dir / key
        if not (entry / "result.json").exists():
            return None
        return _read_result(snippet, entry, cached=True)

    def _execute(self, todo: list, results: dict) -> None:
        running = []
        while todo or running:
            while todo and len(running) < self.workers:
                running.append(self._start(todo.pop(0)))
            watched = [run.pidfd for run in running if run.pidfd is not None]
            deadline = min(run.started for run in running) + self.timeout
            if len(watched) == len(running):
                multiprocessing.connection.wait(watched, max(0.0, deadline - time.monotonic()))
            for run in list(running):
                timed_out = time.monotonic() - run.started >= self.timeout
                if run.pidfd is None or timed_out or _exited(run.pidfd):
                    running.remove(run)
                    results[run.snippet] = self._finish(run, timed_out)

    def _start(self, snippet: Path) -> _Run:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        out_dir = Path(tempfile.mkdtemp(prefix="run-", dir=self.cache_dir))
        worker = self._warm_worker()
        worker.stdin.write(json.dumps([str(snippet), str(out_dir)]) + "\n")
        worker.stdin.flush()
        pid = int(worker.stdout.readline())
        try:
            pidfd = os.pidfd_open(pid)
        except ProcessLookupError:
            pidfd = None
        return _Run(snippet, cache_key(snippet), out_dir, pidfd)

    def _warm_worker(self) -> subprocess.Popen:
        if self._worker is None:
            self._worker = subprocess.Popen(
                [sys.executable, str(HERE / "snippet_sandbox.py")],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )
        return self._worker

    def _finish(self, run: _Run, timed_out: bool) -> Result:
        if run.pidfd is not None:
            if timed_out:
                signal.pidfd_send_signal(run.pidfd, signal.SIGKILL)
                multiprocessing.connection.wait([run.pidfd])
            os.close(run.pidfd)
        seconds = time.monotonic() - run.started
        out_dir = run.out_dir
        shutil.rmtree(out_dir / "cwd", ignore_errors=True)
        if timed_out:
            error = f"TimeoutError: still running after {self.timeout:g} s"
            result = _read_outputs(Result(run.snippet, error=error), out_dir)
        elif not (out_dir / "result.json").exists():
            result = _read_outputs(Result(run.snippet, error="the snippet's process died"), out_dir)
        else:
            result = _read_result(run.snippet, out_dir, cached=False)
        if result.ok:
            _store(out_dir, self.cache_dir / run.key)
            result = _read_result(run.snippet, self.cache_dir / run.key, cached=False)
        else:  # a failure is never cached: the next build runs it again
            shutil.rmtree(out_dir, ignore_errors=True)
        result.seconds = seconds
        return result


def _exited(pidfd: int) -> bool:
    return bool(multiprocessing.connection.wait([pidfd], 0))


def _read_outputs(result: Result, out_dir: Path) -> Result:
    result.stdout = _text(out_dir / "stdout.txt")
    stderr = _text(out_dir / "stderr.txt")
    if stderr and result.ok:
        result.error = f"the snippet wrote to stderr:\n{stderr}"
    elif stderr and stderr not in result.error:
        result.error = f"{stderr}\n{result.error}"
    return result


def _read_result(snippet: Path, out_dir: Path, cached: bool) -> Result:
    info = json.loads((out_dir / "result.json").read_text())
    figures = [Figure(out_dir / f"{n}.svg", out_dir / f"{n}-dark.svg", out_dir / f"{n}.json") for n in info["figures"]]
    result = Result(snippet, figures=figures, error=info["error"], line=info["line"], cached=cached)
    return _read_outputs(result, out_dir)


def _store(out_dir: Path, entry: Path) -> None:
    """Move a finished run into the cache in one rename, so readers never see half of it."""
    if entry.exists():
        shutil.rmtree(entry)
    os.replace(out_dir, entry)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def cache_key(snippet: Path) -> str:
    """Hash of everything a result depends on: code, local imports, versions, executor."""
    digest = hashlib.sha256(_ENVIRONMENT)
    for source in [snippet, *sorted(local_imports(snippet))]:
        digest.update(source.name.encode() + b"\0" + source.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def local_imports(snippet: Path, seen: set | None = None) -> set:
    """Modules beside the snippet that it imports, directly or through each other."""
    seen = set() if seen is None else seen
    try:
        tree = ast.parse(snippet.read_bytes())
    except SyntaxError:
        return seen  # the run reports it
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        for name in names:
            module = snippet.parent / (name.split(".")[0] + ".py")
            if module.exists() and module not in seen:
                seen.add(module)
                local_imports(module, seen)
    return seen


def _environment() -> bytes:
    parts = [sys.version] + [f"{name}=={metadata.version(name)}" for name in _VERSIONED]
    parts += [(HERE / name).read_text() for name in ("snippet_runner.py", "snippet_sandbox.py")]
    return "\0".join(parts).encode()


_ENVIRONMENT = _environment()
