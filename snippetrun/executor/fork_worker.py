"""The warm worker: imports the libraries snippets use once, forks one process per snippet, supervises it.

    python -m snippetrun.executor.fork_worker RUNS_DIR

Requests arrive on stdin (protocol.py): a `RunRequest` to run a snippet, or a `Preload` of modules
that later snippets will need. The worker forks (see sandbox.run) and answers `Started` as the
snippet starts; when that process has written its results and ended what it started (it says so on a
pipe), or has died, the worker answers `Finished`; it reaps the process when its teardown is over.
A snippet still running at its timeout has its stack dumped, then its whole tree is killed.

The worker is a subreaper: processes that outlive a dead snippet are adopted and ended here. When
the build ends (stdin closes) or dies (parent-death signal), every snippet process dies too and
RUNS_DIR is removed. An error in the worker itself is printed with its traceback (exit status 70):
the build then reports the snippets that were running as lost, and a new worker runs the rest.
"""

import functools
import os
import selectors
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import lifecycle, preload, process_tree, protocol, sandbox
from .protocol import Finished, Preload, RunRequest, Started


@dataclass
class _Run:
    id: int
    pid: int
    pidfd: int
    done: int  # read end of the pipe on which the snippet's process says its results are written
    out: Path
    deadline: float
    memory: process_tree.MemoryWatch | None = None
    timed_out: bool = False
    answered: bool = False


class Worker:
    def __init__(self):
        self.selector = selectors.DefaultSelector()
        self.runs = {}  # pid -> _Run
        self._pending = b""

    def serve(self) -> None:
        self.selector.register(0, selectors.EVENT_READ)
        while True:
            watched = [run for run in self.runs.values() if not (run.timed_out or run.answered)]
            deadlines = [run.deadline for run in watched]
            if any(run.memory for run in watched):
                deadlines.append(time.monotonic() + process_tree.MEMORY_CHECK_SECONDS)
            wait = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            for key, _ in self.selector.select(wait):
                if key.fd == 0 and not self._read_requests():
                    return  # the build closed the pipe, or died
                if key.data and self.selector.get_map().get(key.fd) is key:  # not closed by an earlier event
                    key.data()  # _results_written or _ended, for one run
            for run in [r for r in self.runs.values() if not (r.timed_out or r.answered) and time.monotonic() >= r.deadline]:
                self._time_out(run)
            for run in [r for r in self.runs.values() if r.memory and not (r.timed_out or r.answered)]:
                run.memory.check()

    def _read_requests(self) -> bool:
        chunk = os.read(0, 1 << 16)
        self._pending += chunk
        *lines, self._pending = self._pending.split(b"\n")
        for line in lines:
            request = protocol.decode(line)
            if isinstance(request, Preload):
                preload.preload(request.modules)
            elif isinstance(request, RunRequest):
                self._start(request)
        return bool(chunk)

    def _start(self, request: RunRequest) -> None:
        inherited = [self.selector.fileno(), *(fd for run in self.runs.values() for fd in (run.pidfd, run.done))]
        done, done_writer = os.pipe2(os.O_CLOEXEC)
        go, go_writer = os.pipe2(os.O_CLOEXEC)
        pid = os.fork()
        if pid == 0:
            try:
                os.close(go_writer)
                os.read(go, 1)  # the build knows it started: a snippet that stops this worker is then timed as a run
                sandbox.run(request, [*inherited, done, go], done_writer)
            finally:
                os._exit(70)  # only reached if the sandbox itself broke
        os.close(done_writer)
        os.close(go)
        run = _Run(request.id, pid, os.pidfd_open(pid), done, Path(request.out), time.monotonic() + request.timeout)
        lifecycle.answer(Started(run.id, pid))
        os.write(go_writer, b"\n")
        os.close(go_writer)
        if request.max_memory_mb:
            run.memory = process_tree.MemoryWatch(pid, request.max_memory_mb, run.out / "stack.txt")
        self.runs[pid] = run
        self.selector.register(run.pidfd, selectors.EVENT_READ, functools.partial(self._ended, run))
        self.selector.register(run.done, selectors.EVENT_READ, functools.partial(self._results_written, run))

    def _time_out(self, run: _Run) -> None:
        run.timed_out = True
        process_tree.ask_for_stack_then_kill(run.pid, run.out / "stack.txt")

    def _results_written(self, run: _Run) -> None:
        """The process has written its results and ended its own processes: answer now, reap later."""
        self.selector.unregister(run.done)
        if os.read(run.done, 1) and not run.timed_out:  # nothing to read: it died first (see _ended)
            run.answered = True
            lifecycle.answer(Finished(run.id, "exit status 0"))

    def _ended(self, run: _Run) -> None:
        process_tree.kill_group_and_process(run.pid)  # what is left of its group; before the reap frees the pid
        _, status = os.waitpid(run.pid, 0)
        self.selector.unregister(run.pidfd)
        if run.done in self.selector.get_map():
            self.selector.unregister(run.done)
        for fd in (run.pidfd, run.done):
            os.close(fd)
        del self.runs[run.pid]
        stragglers = process_tree.end_children(keep=self.runs)  # adopted from the dead snippet
        if not run.answered:
            exceeded_mb = run.memory.exceeded_mb if run.memory else 0
            lifecycle.answer(Finished(run.id, process_tree.describe_status(status), run.timed_out, stragglers, exceeded_mb))

    def end_everything(self) -> None:
        for pid in self.runs:
            process_tree.kill_group_and_process(pid)
        process_tree.end_children()


def main(runs_dir: str) -> None:
    for name in os.environ.pop("SNIPPET_WORKER_ENV", "").split():  # they took effect at start; not the snippets'
        del os.environ[name]
    lifecycle.follow_the_build()
    preload.warm_up()
    lifecycle.serve(Worker(), runs_dir)


if __name__ == "__main__":
    main(sys.argv[1])
