"""Runs snippets in one warm worker, caching results by content: the scheduling, and what each run's
end means for its result.

The build's plugin and the tests both use `SnippetRunner`, so what is tested is what the pages show.
The libraries are imported once, by the worker, only when some snippet is not cached, and only those
the snippets to run need (torch too: preload.py). The pieces, one module each: the worker's side
(fork_worker.py, spawn_worker.py, sandbox.py) and the messages (protocol.py); the runner's side of the
worker (worker_process.py); a run's scratch folders (runs.py); results and cache entries (results.py,
cache.py); what a page may show (page_limits.py).
"""

import dataclasses
import logging
import os
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path, PurePath

from . import cache, page_limits, shards
from .imports import library_imports
from .page_limits import MEMORY_SETTING, Limits
from .protocol import Finished, Preload, Report, Started
from .results import Result
from .runs import Run
from .worker_process import WORKER_GRACE, WorkerProcess

log = logging.getLogger("mkdocs.hooks.executor.runner")

CACHE_FOLDER = ".cache/snippets"  # beside mkdocs.yml, git-ignored
START_UP_ALLOWANCE = 60  # seconds a run may wait for its process to start before the worker is presumed stuck
BACKENDS = ("auto", "fork", "spawn")
# A file that gets one line for each run the runner starts: the snippet's name, the SHA-256 of its code and
# the project's folder (where the run comes from):
# how the test suite counts how often it executes each snippet (tests/conftest.py). Snippets never see it.
EXECUTION_LOG = "SNIPPET_EXECUTION_LOG"
# Set (to 1) where a build must publish what was tested and run nothing itself (CI's Pages job): a snippet
# the cache has no result for fails the build instead of running.
CACHE_ONLY = "SNIPPET_CACHE_ONLY"
NOT_CACHED = (
    f"the cache holds no result for this snippet as it is now, and this build runs none ({CACHE_ONLY}=1): "
    "build where the snippets run first (CI's test job), with the same .cache/snippets"
)
# What a report says this OS could not give the snippets (sandbox.py), and what that leaves them.
_MISSING_MECHANISMS = (
    ("no_network_namespace", "only their own Python code is kept off the network, not the processes they start"),
    (
        "no_landlock",
        "only their scratch copy keeps them from writing into the project, through relative paths; absolute ones are not refused",
    ),
)

OnResult = Callable[[Path, Result], None]


def choose_backend(asked: str | None = None) -> str:
    """SNIPPET_BACKEND, else `asked` (plugins.snippetrun.backend), else auto: fork where its Linux-only
    calls exist (os.fork, pidfd_open, prctl), spawn everywhere else (macOS, Windows)."""
    backend = os.environ.get("SNIPPET_BACKEND") or asked or "auto"
    if backend not in BACKENDS:
        raise ValueError(f"unknown snippet backend {backend!r}: use one of {', '.join(BACKENDS)}")
    if backend == "auto":
        backend = "fork" if sys.platform == "linux" and hasattr(os, "pidfd_open") else "spawn"
    return backend


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
        self.worker_grace: float = WORKER_GRACE  # seconds past a snippet's timeout before its worker is presumed stuck
        self.limits = limits or Limits()
        self.workers = workers or os.cpu_count() or 1
        # Under `mkdocs serve`: the spawn worker keeps an interpreter warm for the next save (a build has none).
        self.keep_a_spare = False
        # absolute snippet path -> the quotes pages make of its run (quotes.py), evaluated in it; part of its key
        self.quotes: dict[Path, tuple[str, ...]] = {}
        self._worker: WorkerProcess | None = None
        self._closed = False  # abort() or close(): no worker starts again
        self._said: set[str] = set()  # the OS mechanisms missing here, already said in the log
        self._preloads = cache.preloads(self.cache_dir)  # modules earlier snippets imported (`_learn_imports`)
        self._libraries: set[str] | None = None  # what the snippets being run import (None: any may run next)
        self._worker_has: set[str] = set()  # the preloads the running worker was sent
        self.shard = shards.from_environment()
        self.cache_only = os.environ.get(CACHE_ONLY, "") not in ("", "0")
        self.elsewhere: set[Path] = set()  # the last run_all's snippets that other shards run
        self.not_cached: set[Path] = set()  # the last run_all's snippets a cache-only build could not show
        cache.remove_leftovers(self.cache_dir)

    def run_all(self, snippets: Iterable[Path], on_result: OnResult | None = None) -> dict[Path, Result | None]:
        """Results for `snippets`, keyed by absolute path, in the order given; `on_result(path, result)`
        is called as each run ends (from this thread). None for those another shard runs (`elsewhere`)."""
        found = self.cached(snippets)
        todo = [snippet for snippet, result in found.items() if result is None]
        results = {snippet: result for snippet, result in found.items() if result is not None}
        self.not_cached = set(todo) if self.cache_only else set()
        if self.cache_only:
            results |= {snippet: Result(snippet, error=NOT_CACHED) for snippet in todo}
            todo = []
        self.elsewhere = set()
        if self.shard and todo:
            names = {self.name(snippet): snippet for snippet in todo}
            mine = shards.share(list(names), shards.run_times(self.cache_dir), self.shard)
            self.elsewhere = set(todo) - {names[name] for name in mine}
            todo = [names[name] for name in mine]
        if todo:
            self._libraries = set().union(*map(library_imports, todo))
            self._learn_imports(self._libraries, None)  # imported once, by the worker
            self._warm_worker()
            self._execute(todo, results, on_result or (lambda snippet, result: None))
            cache.store_preloads(self.cache_dir, self._preloads)
            self._libraries = None
        return {snippet: results.get(snippet) for snippet in found}

    def cached(self, snippets: Iterable[Path]) -> dict[Path, Result | None]:
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

    def warm_up(self, snippets: Iterable[Path] | None = None) -> None:
        """Start the worker now (it imports the libraries in the background), before any snippet needs it: with
        the preloads `snippets` need, or all of them (None: under `mkdocs serve`, for any next save)."""
        self._libraries = None if snippets is None else set().union(*map(library_imports, snippets))
        self._warm_worker()

    @property
    def warm(self) -> bool:
        """Whether the worker is running (under `mkdocs serve`, from the second build on)."""
        return self._worker is not None and self._worker.alive

    def abort(self) -> None:
        """End the worker and every snippet process now (the worker does that when its input closes);
        a run under way (in another thread) ends with its snippets lost, and no new worker starts."""
        self._closed = True
        if self._worker:
            self._worker.close_input()

    def close(self) -> None:
        self.abort()
        worker = self._worker  # another thread's run may be ending it right now
        if worker:
            worker.wait()

    def name(self, snippet: Path) -> str:
        if self.root and snippet.is_relative_to(self.root):
            return snippet.relative_to(self.root).as_posix()
        return f"{snippet.parent.name}/{snippet.name}"

    def _key(self, snippet: Path) -> str:
        return cache.key(snippet, self.name(snippet), self.quotes.get(snippet, ()))

    def _from_cache(self, snippet: Path) -> Result | None:
        stored = cache.load(self.cache_dir, self._key(snippet), snippet.parent)
        if stored is None:
            return None
        result = Result.from_entry(snippet, stored)
        page_limits.check(result, self.limits)  # stored when it fitted; today's limits may be stricter
        return result

    def _execute(self, todo: list[Path], results: dict[Path, Result], on_result: OnResult) -> None:
        running: dict[int, Run] = {}
        ready: Run | None = None  # the next run's scratch copy, made while the others run
        alone: list[Path] = []  # snippets that were running when their worker died
        while todo or running or ready or alone:
            if alone and not running:  # one at a time, so that a death names its snippet
                run = self._dispatch(self._prepare(alone.pop(0)), queued=0)
                run.alone, running[run.id] = True, run
            solo = alone or any(run.alone for run in running.values())
            while not solo and (ready or todo) and len(running) < self.workers:
                run, ready = ready or self._prepare(todo.pop(0)), None
                run = self._dispatch(run, queued=len(todo))
                running[run.id] = run
            if not solo and ready is None and todo:
                ready = self._prepare(todo.pop(0))
            # a run whose process has not started yet waits for a spare interpreter, which a busy machine may take long to warm
            deadline = min(run.started + (self.timeout if run.pid else START_UP_ALLOWANCE) for run in running.values())
            answer = self._worker.next_answer(deadline + self.worker_grace) if self._worker else None
            if answer is None:  # the worker died or hangs: the next runs get a new worker
                lost = list(running.values())
                running.clear()
                self._worker_died(lost, todo, alone, results, on_result)
            elif isinstance(answer, Started):  # it starts now: the time a worker or a spare took to warm up is not its own
                running[answer.id].pid, running[answer.id].started = answer.pid, time.monotonic()
            else:
                run = running.pop(answer.id)
                results[run.snippet] = self._finish(run, answer)
                shards.store_run_time(self.cache_dir, run.name, results[run.snippet].seconds)
                on_result(run.snippet, results[run.snippet])

    def _worker_died(self, lost: list[Run], todo: list[Path], alone: list[Path], results: dict, on_result: OnResult) -> None:
        """Blame the run that killed the worker, or the only one that could have; the others run again."""
        worker, death = self._worker, self._end_worker()
        culprits = [run for run in lost if run.signalled_worker()]
        for run in lost:
            if run in culprits or run.alone or len(lost) == 1:  # it did it, or nothing else could have
                results[run.snippet] = self._lost(run, death)
                on_result(run.snippet, results[run.snippet])
            else:  # it merely ran beside the one that did: it runs again, blamed for nothing
                run.end()
                (todo.insert(0, run.snippet) if culprits else alone.append(run.snippet))
        if worker:
            shutil.rmtree(worker.runs_dir, ignore_errors=True)  # the dead worker would have removed it

    def _prepare(self, snippet: Path) -> Run:
        worker = self._warm_worker()  # its folder holds the copy: after a worker died, the next one's
        quotes = tuple(sorted(self.quotes.get(snippet, ())))
        return Run.prepare(snippet, self.name(snippet), quotes, worker.runs_dir, self.root)

    def _dispatch(self, run: Run, queued: int) -> Run:
        """Send the run to the worker; `queued` runs wait after it (the spawn worker warms no more spares)."""
        worker = self._warm_worker()
        if run.scratch.parent != worker.runs_dir:  # prepared for a worker that has died since
            run.remove()
            run = self._prepare(run.snippet)
        run.started = time.monotonic()
        worker.send(run.request(self.timeout, self.limits.memory_mb, queued))
        if log := os.environ.get(EXECUTION_LOG):
            with open(log, "a", encoding="utf-8") as executions:
                executions.write(f"{run.name} {run.inputs[PurePath(run.name).name]} {self.root}\n")
        return run

    def _warm_worker(self) -> WorkerProcess:
        if self._closed:
            raise RuntimeError("the snippet runner was closed")
        wanted = self._wanted()
        if self._worker is None or not self._worker.alive:
            self._worker, self._worker_has = WorkerProcess(self.backend, self.workers, sorted(wanted), self.keep_a_spare), wanted
            log.debug(f"Started a snippet worker ({self.backend}); it imports {', '.join(sorted(wanted)) or 'nothing yet'}")
        elif wanted - self._worker_has:  # a later build under `mkdocs serve`
            self._worker.send(Preload(sorted(wanted - self._worker_has)))
            self._worker_has |= wanted
        return self._worker

    def _wanted(self) -> set[str]:
        """The preloads a worker for the snippets being run imports: a module, when those snippets import
        everything some snippet that needed it imports (then it is likely paid once, not once per fork;
        a module none of them needs is not paid at all). All of them when any snippet may run next."""
        libraries = self._libraries
        return {
            name
            for name, needed_by in self._preloads.items()
            if libraries is None or any(imports <= libraries for imports in needed_by)
        }

    def _end_worker(self) -> str:
        death = self._worker.end(self.worker_grace) if self._worker else "exited"
        self._worker = None
        return death

    def _learn_imports(self, modules: Iterable[str], imports: frozenset[str] | None) -> None:
        """Modules a snippet imported, and what its code imports (None: the modules its code names, each
        wanted whenever a snippet imports it). The running worker imports them too, so the next forks
        have them; a later worker when `_wanted`."""
        modules = set(modules)
        for name in modules:
            self._preloads.setdefault(name, set()).add(frozenset({name}) if imports is None else imports)
        new = sorted(modules - self._worker_has)
        if new and self._worker:  # else the next worker starts with them
            self._worker.send(Preload(new))
            self._worker_has.update(new)

    def _lost(self, run: Run, death: str) -> Result:
        signalled = run.signalled_worker()
        error = f"the snippet worker {death} while this snippet ran; a new one runs the other snippets"
        if signalled and signalled[1]:
            error = (
                f"the snippet sent its worker signal {signalled[1]} (os.kill of os.getppid()), and the worker "
                f"{death}; a new one runs the other snippets"
            )
        stdout = run.text("stdout.txt")  # what it printed before
        run.end()
        line = signalled[0] if signalled else None
        return Result(run.snippet, stdout, error=error, line=line, seconds=time.monotonic() - run.started)

    def _finish(self, run: Run, finished: Finished) -> Result:
        report = run.report()
        result = Result(run.snippet, run.text("stdout.txt"), run.text("stderr.txt"), seconds=time.monotonic() - run.started)
        if finished.memory_mb:
            result.error = (
                f"MemoryError: the snippet's processes held {finished.memory_mb:.0f} MB, over the limit of "
                f"{self.limits.memory_mb} MB {MEMORY_SETTING}, and were ended"
            )
            result.line = run.stack_line()
        elif finished.timed_out:
            result.error = f"TimeoutError: still running after {self.timeout:g} s (plugins.snippetrun.timeout in mkdocs.yml)"
            result.line = run.stack_line()
        elif report is None:
            result.error, result.line = f"the snippet's process died: {finished.status}", run.stack_line()
        else:
            self._read_report(run, report, result)
        page_limits.check(result, self.limits)  # a result too big for a page is a failed run: never cached
        ended = (report.stragglers if report else []) + finished.stragglers
        if ended:
            result.notes.append(f"{run.name} left {len(ended)} process(es) running, now ended: {'; '.join(ended)}")
        if result.ok and report:
            inputs = {name: run.inputs[name] for name in sorted(run.files_read(report.opened))}
            cache.store(self.cache_dir, run.key, result.entry(run.name, inputs))
            self._learn_imports(report.imported, frozenset(library_imports(run.snippet)))
        run.remove()
        return result

    def _read_report(self, run: Run, report: Report, result: Result) -> None:
        """The result of a run whose process ended as a snippet's does, from its report."""
        result.error, result.line = report.error and run.scrub(report.error), report.line
        if result.error and re.search(r"MemoryError|can't allocate memory|Cannot allocate memory", result.error):
            result.error += f"\nThe snippet may use {self.limits.memory_mb} MB {MEMORY_SETTING}.\n"
        result.figures = [run.figure(name) for name in report.figures]
        result.values = {text: {kind: run.scrub(said) for kind, said in value.items()} for text, value in report.values.items()}
        result.read = sorted(run.files_read(report.opened))
        result.names = report.names
        result.targets = {
            name: dataclasses.replace(target, signature=run.scrub(target.signature), summary=run.scrub(target.summary))
            for name, target in report.targets.items()
        }
        log.debug(f"Resolved the names of {run.name} in {report.resolve_ms:.1f} ms")  # benchmarks/: its share of a cold build
        if report.unresolved:  # the page shows its code plain: worth a line, not a failure
            result.notes.append(f"{run.name}: its names link nowhere, resolving them failed: {report.unresolved}")
        if report.unshown and result.ok:
            result.error = (
                f"the snippet drew {report.unshown} figure(s) it never shows: a reader running it sees "
                "nothing, and neither does the page; call plt.show() after drawing"
            )
        if report.network and result.ok:
            result.error = f"the snippet tried to use the network ({report.network}): the site must build offline"
        for mechanism, consequence in _MISSING_MECHANISMS:
            why = getattr(report, mechanism)
            if why and mechanism not in self._said:
                self._said.add(mechanism)  # once per build (and serve session): the machine does not change
                log.info(f"Snippets run without {mechanism.removeprefix('no_').replace('_', ' ')} ({why}): {consequence}")
