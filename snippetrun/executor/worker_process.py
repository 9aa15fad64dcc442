"""The runner's side of the worker: starting it for a backend, sending requests, reading answers, ending it."""

import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, cast

from . import environment, process_tree, protocol
from .protocol import Finished, Preload, RunRequest, Started

WORKER_GRACE = 10  # seconds past a snippet's timeout before the worker itself is presumed stuck
# tqdm's defaults: a bar without elapsed time and rate, so two builds print the same bar.
TQDM_DEFAULTS = {"TQDM_BAR_FORMAT": "{l_bar}{bar}| {n_fmt}/{total_fmt}", "TQDM_NCOLS": "72"}
# The worker's heap (torch's, mostly) in transparent huge pages: forking it copies one page-table
# entry per 2 MB instead of per 4 KB, and a fork's exit frees as few. Snippets do not see this: the
# worker removes it from its environment, and a snippet's own process takes no new huge pages
# (zeroing 2 MB for every small array costs more than it saves; see sandbox.run).
WORKER_ENV = {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=1"}


class WorkerProcess:
    """A running worker (fork_worker.py or spawn_worker.py) and the folder its runs' scratch copies go in,
    which it removes when it exits."""

    def __init__(self, backend: str, spares: int, preloads: list[str], keep_a_spare: bool):
        self.runs_dir = Path(tempfile.mkdtemp(prefix="snippet-runs-"))
        if backend == "fork":
            arguments, env = ["-m", f"{__package__}.fork_worker", str(self.runs_dir)], _worker_only_env()
        else:
            arguments, env = ["-m", f"{__package__}.spawn_worker", str(self.runs_dir), str(spares), str(int(keep_a_spare))], {}
        self._process = subprocess.Popen(
            [sys.executable, *arguments],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            env={**environment.for_snippets(os.environ), **TQDM_DEFAULTS, **env},
        )
        self._stdin = cast(IO[bytes], self._process.stdin)  # both are pipes
        # A thread reads the answers (select() takes no pipe on Windows); b"" marks the worker's end.
        self._answers: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=_read_lines, args=(cast(IO[bytes], self._process.stdout), self._answers), daemon=True).start()
        self.send(Preload(preloads))

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def send(self, request: Preload | RunRequest) -> None:
        try:
            self._stdin.write(protocol.encode(request).encode())
            self._stdin.flush()
        except (BrokenPipeError, ValueError):  # ValueError: its input was closed by close_input()
            pass  # the worker died or is ending: next_answer sees its end and reports the runs as lost

    def next_answer(self, deadline: float) -> Started | Finished | None:
        """The worker's next answer; None if it ended, or sent nothing before `deadline`."""
        try:
            line = self._answers.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            return None
        if not line:
            return None
        answer = protocol.decode(line)
        if not isinstance(answer, Started | Finished):
            raise TypeError(f"the worker answered {answer!r}: it gives Started and Finished")
        return answer

    def close_input(self) -> None:
        """The worker ends every snippet process, and then itself, when its input closes."""
        if not self._stdin.closed:
            self._stdin.close()

    def wait(self) -> None:
        self._process.wait()

    def end(self, grace: float) -> str:
        """Kill the worker if it still runs; how it ended, in words ("the snippet worker ...")."""
        try:
            code = self._process.wait(timeout=1)  # its output ended as it died: reaped in a moment
            return f"died ({process_tree.describe_returncode(code)})" if code else "exited"
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
            return f"gave no answer {grace:g} s past the snippet's timeout and was ended"


def _read_lines(stream: IO[bytes], lines: queue.Queue[bytes]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(b"")


def _worker_only_env() -> dict[str, str]:
    """WORKER_ENV, and SNIPPET_WORKER_ENV naming what the worker must unset before it runs snippets."""
    return {**WORKER_ENV, "SNIPPET_WORKER_ENV": " ".join(WORKER_ENV)}
