"""One run's folders, and what the run left in them.

Each run works in a scratch copy of its snippet's folder, outside the project, laid out as the project
is (`snippets/<chapter>/<name>.py`, run from the copy's root as `python snippets/<chapter>/<name>.py`
runs from the project's): writes are thrown away with it. Beside the copy, `out` receives what the run
leaves (stdout.txt, stderr.txt, stack.txt, figures, the protocol.Report), and `tmp` is its temp folder.
"""

import itertools
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import cache, process_tree
from .protocol import Report, RunRequest
from .results import Figure
from .terminal import screen_text

# Where each run's temp folder goes: /tmp where it exists, so that a Unix socket's path in it stays short
# (about 100 bytes at most) whatever TMPDIR the build has; the system's temp folder elsewhere.
SHORT_TEMP = "/tmp" if os.name == "posix" and os.access("/tmp", os.W_OK) else None  # noqa: S108 - mkdtemp makes a private folder in it
_IDS = itertools.count(1)


@dataclass
class Run:
    id: int
    snippet: Path
    name: str  # as the reader runs it: snippets/<chapter>/<name>.py
    key: str  # taken at the start: the file may change while it runs
    quotes: tuple[str, ...]  # what pages quote from its run, as they were at the start
    scratch: Path  # holds cwd/ (the copy) and out/
    tmp: Path  # the run's own temp folder: a short path (Unix sockets), outside the scratch copy
    inputs: dict[str, str]  # file in the snippet's folder -> its hash when the run started
    root: Path | None  # the project, named "." in what the run printed
    started: float = field(default_factory=time.monotonic)
    pid: int | None = None
    alone: bool = False  # run with no other beside it, after its worker died while several ran

    @classmethod
    def prepare(cls, snippet: Path, name: str, quotes: tuple[str, ...], runs_dir: Path, root: Path | None) -> "Run":
        """The run's scratch copy of the snippet's folder (in the worker's `runs_dir`), and the hashes of what is in it."""
        scratch = Path(tempfile.mkdtemp(prefix="run-", dir=runs_dir))
        folder = scratch / "cwd" / Path(name).parent
        shutil.copytree(snippet.parent, folder, ignore=shutil.ignore_patterns("__pycache__"))
        (scratch / "out").mkdir()
        inputs = {p.relative_to(folder).as_posix(): cache.file_hash(p) for p in folder.rglob("*") if p.is_file()}
        tmp = Path(tempfile.mkdtemp(prefix="snippet-tmp-", dir=SHORT_TEMP))
        return cls(next(_IDS), snippet, name, cache.key(snippet, name, quotes), quotes, scratch, tmp, inputs, root)

    @property
    def out(self) -> Path:
        return self.scratch / "out"

    def request(self, timeout: float, memory_mb: float, queued: int) -> RunRequest:
        cwd, out, tmp = (str(folder) for folder in (self.scratch / "cwd", self.out, self.tmp))
        return RunRequest(self.id, self.name, cwd, out, tmp, timeout, list(self.quotes), memory_mb, queued)

    def report(self) -> Report | None:
        return Report.read(self.out)

    def text(self, name: str) -> str:
        """What the run printed to out/`name` as a terminal shows it, without the build machine's paths."""
        path = self.out / name
        raw = path.read_bytes().decode("utf-8", errors="replace") if path.exists() else ""
        return self.scrub(screen_text(raw))

    def scrub(self, text: str) -> str:
        """No absolute path of the build machine on a page: the scratch copy reads as the project, '.'."""
        for folder in (self.scratch / "cwd", self.root):
            if folder:
                text = text.replace(str(folder), ".")
        return text

    def figure(self, name: str) -> Figure:
        svg = (self.out / f"{name}.svg").read_text()
        return Figure(svg, (self.out / f"{name}-dark.svg").read_text(), json.loads((self.out / f"{name}.json").read_text()))

    def signalled_worker(self) -> tuple[int | None, str] | None:
        """The snippet's line and the signal, where it signalled its worker (sandbox._Guard); None if it did not."""
        signalled = self.out / process_tree.SIGNALLED_WORKER
        if not signalled.exists():
            return None
        line, _, signal_number = signalled.read_text().partition(" ")
        return (int(line) if line.strip() else None), signal_number.strip()

    def stack_line(self) -> int | None:
        """The snippet's line in a faulthandler dump of every thread: the main thread's; when the main thread
        is past the snippet's last line (waiting for a thread at exit), the line a thread is on."""
        stack = self.out / "stack.txt"
        text = stack.read_text(errors="replace") if stack.exists() else ""
        threads = re.split(r"\n(?=(?:Current thread|Thread) 0x)", text)
        started = [thread for thread in threads if " in _bootstrap\n" in thread + "\n"]  # threading.Thread's bottom frame
        prefix = f'  File "{self.name}", line '
        for thread in [thread for thread in threads if thread not in started] + started:
            for line in thread.splitlines():  # most recent call first
                if line.startswith(prefix):
                    return int(line[len(prefix) :].split()[0])
        return None

    def files_read(self, opened: list[str]) -> set[str]:
        """The files of the snippet's folder, as it was when the run started, that the run opened."""
        folder = self.scratch / "cwd" / Path(self.name).parent
        read = {Path(path).relative_to(folder).as_posix() for path in opened if Path(path).is_relative_to(folder)}
        return read & self.inputs.keys()

    def end(self) -> None:
        """A run whose worker died: its processes (what the worker's death left of them) and its folders."""
        if self.pid:
            process_tree.kill_group_and_process(self.pid)
        self.remove()

    def remove(self) -> None:
        for folder in (self.scratch, self.tmp):
            shutil.rmtree(folder, ignore_errors=True)
