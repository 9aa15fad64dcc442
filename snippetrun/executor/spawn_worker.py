"""The spawn backend's worker: fresh interpreters instead of forks, with spares kept warm.

    python -m snippetrun.executor.spawn_worker RUNS_DIR SPARES WAITING

It takes the requests and gives the answers fork_worker.py does (see there), so the runner, the
cache and the pages are the same for both backends. It never forks: each snippet runs in an
interpreter of its own (spawn_child.py) that was started before it was needed and has imported
matplotlib (and the preload list with torch, when no run was queued: `_offer_preloads`); it runs that one
snippet and exits, and a new spare starts at once.
Up to SPARES interpreters wait while runs are queued, so a cold build runs that many snippets at once;
WAITING (1 under `mkdocs serve`, for the next save; 0 in a build, which has no next save) wait when none is.

Process control uses what every OS has: each interpreter leads a new session (POSIX) or process
group (Windows); what it started is ended by the interpreter itself at the snippet's end, and by
this worker (its process group, and what psutil finds below it) when it times out or dies. On Linux
this worker is also a subreaper, so processes that detached are ended too. When the build ends or
dies, this worker's stdin closes: it ends every interpreter, and an interpreter whose control pipe
closes ends itself, so nothing outlives the build whatever killed it.
"""

import math
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from . import lifecycle, process_tree, protocol
from .protocol import Finished, Preload, Ready, ResultsWritten, RunRequest, SnippetStarted, Started

HERE = Path(__file__).resolve().parent
NEW_GROUP: dict[str, Any]  # Popen's arguments for a process that leads a group of its own
if sys.platform == "win32":
    NEW_GROUP = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
else:
    NEW_GROUP = {"start_new_session": True}


@dataclass
class _Child:
    process: subprocess.Popen
    control: IO[str]  # its stdin: requests
    answers: IO[str]  # its stdout
    ready: bool = False
    request: RunRequest | None = None
    deadline: float | None = None
    timed_out: bool = False
    answered: bool = False
    stragglers: list = field(default_factory=list)
    memory: process_tree.MemoryWatch | None = None
    preloaded: int = 0  # how many of the worker's preloads it was told to import


class Worker:
    def __init__(self, spares: int, waiting: int):
        self.spares, self.waiting = spares, waiting
        # (None, request line), (None, None) when the build closed our stdin, (child, answer), (child, None) when it ended
        self.events: queue.Queue[tuple[_Child | None, str | None]] = queue.Queue()
        self.children: dict[int, _Child] = {}  # pid -> _Child, spares and running ones
        self.preloads: list[str] = []
        self.queued = 0  # runs the last request said wait behind it

    def serve(self) -> None:
        threading.Thread(target=self._read_requests, daemon=True).start()
        self._start_spare()  # more once requests say how many runs are queued
        while True:
            deadlines = [deadline for child in self._running() if (deadline := child.deadline)]
            if any(child.memory for child in self._running()):
                deadlines.append(time.monotonic() + process_tree.MEMORY_CHECK_SECONDS)
            try:
                child, line = self.events.get(timeout=max(0.0, min(deadlines) - time.monotonic()) if deadlines else None)
            except queue.Empty:
                child, line = None, ""
            if child is None and line is None:
                return  # the build closed our stdin, or died
            if child is None and line:
                self._handle_request(protocol.decode(line))
            elif child is not None:
                self._handle_child(child, protocol.decode(line) if line else None)
            for late in [child for child in self._running() if time.monotonic() >= (child.deadline or math.inf)]:
                self._time_out(late)
            for child in self._running():
                if child.memory:
                    child.memory.check()

    def _running(self) -> list[_Child]:
        """The children running a snippet that has neither answered nor timed out."""
        return [c for c in self.children.values() if c.deadline and not (c.timed_out or c.answered)]

    def _read_requests(self) -> None:
        for line in sys.stdin:
            self.events.put((None, line))
        self.events.put((None, None))

    def _start_spare(self) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", f"{__package__}.spawn_child"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            encoding="utf-8",
            bufsize=1,
            **NEW_GROUP,
        )
        child = _Child(process, cast(IO[str], process.stdin), cast(IO[str], process.stdout))  # both are pipes
        self.children[process.pid] = child
        self._offer_preloads()
        threading.Thread(target=self._read_answers, args=(child,), daemon=True).start()

    def _read_answers(self, child: _Child) -> None:
        for line in child.answers:
            self.events.put((child, line.strip()))
        child.process.wait()
        self.events.put((child, None))

    def _tell(self, child: _Child, message: Preload | RunRequest) -> None:
        try:
            child.control.write(protocol.encode(message))
            child.control.flush()
        except (BrokenPipeError, OSError):
            pass  # it died: its end is reported by _read_answers

    def _handle_request(self, request: protocol.Message) -> None:
        if isinstance(request, Preload):
            self.preloads += request.modules
            self._offer_preloads()
            return
        if not isinstance(request, RunRequest):
            raise TypeError(f"the runner sent {request!r}: a worker takes Preload and RunRequest")
        if not any(c.request is None for c in self.children.values()):
            self._start_spare()  # none waited (a build's worker after its last run): this one starts cold
        spares = [c for c in self.children.values() if c.request is None]
        child = min(spares, key=lambda c: (not c.ready, c.process.pid))  # a warm one first
        child.request = request
        self._tell(child, request)
        # Spares for the runs queued behind this one, and under `mkdocs serve` one for the next save.
        wanted = max(self.waiting, min(self.spares, request.queued))
        self.queued = request.queued
        for _ in range(wanted - sum(c.request is None for c in self.children.values())):
            self._start_spare()
        self._offer_preloads()

    def _offer_preloads(self) -> None:
        """Waiting spares import the preload list, but only while no run is queued: each interpreter
        runs one snippet, so a cold build's runs import what they need themselves (what they did not
        need would cost every one of them, torch's sympy or scikit-learn), and under `mkdocs serve`
        the spare has it all before the next save."""
        if self.queued:
            return
        for child in self.children.values():
            if child.request is None and child.preloaded < len(self.preloads):
                self._tell(child, Preload(self.preloads[child.preloaded :]))
                child.preloaded = len(self.preloads)

    def _handle_child(self, child: _Child, answer: protocol.Message | None) -> None:
        """What the interpreter said (None: it ended)."""
        if isinstance(answer, Ready):
            child.ready = True
        elif isinstance(answer, SnippetStarted) and child.request:
            child.deadline = time.monotonic() + child.request.timeout
            if child.request.max_memory_mb:
                child.memory = process_tree.MemoryWatch(
                    child.process.pid, child.request.max_memory_mb, Path(child.request.out) / "stack.txt", answer.baseline_mb
                )
            lifecycle.answer(Started(child.request.id, child.process.pid))
        elif isinstance(answer, ResultsWritten) and child.request and not child.timed_out:
            child.answered = True
            lifecycle.answer(Finished(child.request.id, "exit status 0"))
        elif answer is None:
            self._ended(child)

    def _time_out(self, child: _Child) -> None:
        if child.request is None:
            return  # a spare: no snippet, no timeout
        child.timed_out = True
        below = process_tree.descendants(child.process.pid)  # found while their parent lives (Windows)
        child.stragglers = [process_tree.command_line(pid) for pid in below]
        process_tree.ask_for_stack_then_kill(child.process.pid, Path(child.request.out) / "stack.txt")
        for pid in below:
            process_tree.kill_group_and_process(pid)

    def _ended(self, child: _Child) -> None:
        code = child.process.wait()
        del self.children[child.process.pid]
        if child.answered:  # it ended its own processes before it answered; only a stray is left to kill
            process_tree.kill_group_and_process(child.process.pid)
            left = []
        else:  # named in the answer: what its process group still holds (POSIX), and what Linux adopted
            left = process_tree.end_group(child.process.pid) if os.name == "posix" else []
        left += process_tree.end_children(keep=self.children)
        if child.request is None and not child.ready:  # its error is above; another would fail the same way
            raise RuntimeError(f"a spare interpreter died while starting ({process_tree.describe_returncode(code)})")
        if child.request is None:  # a warm spare that was killed: start another
            self._start_spare()
        elif not child.answered:
            stragglers = list(dict.fromkeys(child.stragglers + left))
            exceeded_mb = child.memory.exceeded_mb if child.memory else 0
            lifecycle.answer(
                Finished(child.request.id, process_tree.describe_returncode(code), child.timed_out, stragglers, exceeded_mb)
            )

    def end_everything(self) -> None:
        for pid, child in list(self.children.items()):
            below = process_tree.descendants(pid)
            for doomed in [pid, *below]:
                process_tree.kill_group_and_process(doomed)
            child.process.wait()
        process_tree.end_children()


def main(runs_dir: str, spares: str, waiting: str) -> None:
    lifecycle.follow_the_build()
    lifecycle.serve(Worker(int(spares), int(waiting)), runs_dir)


if __name__ == "__main__":
    main(*sys.argv[1:])
