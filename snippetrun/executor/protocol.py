"""The messages between the runner, its worker, a spawn interpreter and a snippet's process.

Runner and worker talk over the worker's stdin and stdout, one JSON object per line (`encode`,
`decode`): the runner sends `Preload` and `RunRequest`; the worker answers `Started` as a snippet
starts and `Finished` when it has ended. The spawn worker and its interpreters (spawn_child.py) use
the same lines for `Preload` and `RunRequest`, and the interpreter answers `Ready`, `SnippetStarted`
and `ResultsWritten`. The snippet's process leaves a `Report` in its out folder (result.json),
with its output and figures beside it.

Both backends' workers take and give exactly these, so the runner cannot tell them apart.
"""

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import get_args

REPORT = "result.json"

# A quoted value (quotes.py), keyed by its quote's text: {"value": text} or {"error": why}.
QuotedValues = dict[str, dict[str, str]]


@dataclass(frozen=True)
class Preload:
    """Import these modules now, so that the snippets that need them do not pay for it."""

    modules: list[str]


@dataclass(frozen=True)
class RunRequest:
    """Run one snippet as `python <snippet>` would from `cwd`, writing its results to `out`."""

    id: int
    snippet: str  # relative to cwd, as the reader runs it: snippets/<chapter>/<name>.py
    cwd: str  # the scratch copy of the project's layout
    out: str  # where stdout.txt, stderr.txt, stack.txt, the figures and the Report go
    tmp: str  # the run's own temp folder, outside the scratch copy
    timeout: float
    quotes: list[str] = field(default_factory=list)  # evaluated over its final globals (quotes.py)
    max_memory_mb: float = 0  # 0: no limit
    queued: int = 0  # runs waiting behind it: the spawn worker keeps that many interpreters warm


@dataclass(frozen=True)
class Started:
    """The snippet's process runs: from now on its timeout counts."""

    id: int
    pid: int


@dataclass(frozen=True)
class Finished:
    """The snippet's process has ended, or has written its results and ended what it started."""

    id: int
    status: str  # e.g. "exit status 0", "killed by signal 9 (SIGKILL)"
    timed_out: bool = False
    stragglers: list[str] = field(default_factory=list)  # command lines of processes it left, now ended
    memory_mb: float = 0  # what its processes held when the memory watch ended them; 0: it did not


@dataclass(frozen=True)
class Ready:
    """A spawn interpreter has imported the libraries and waits for its one snippet."""


@dataclass(frozen=True)
class SnippetStarted:
    """A spawn interpreter starts the snippet, holding `baseline_mb` (its memory watch's zero)."""

    baseline_mb: float


@dataclass(frozen=True)
class ResultsWritten:
    """A spawn interpreter has written the snippet's results; it ends now."""


Message = Preload | RunRequest | Started | Finished | Ready | SnippetStarted | ResultsWritten
_KINDS: dict[str, type[Message]] = {kind.__name__: kind for kind in get_args(Message)}


def encode(message: Message) -> str:
    """One line of JSON, newline included."""
    return json.dumps({"kind": type(message).__name__, **asdict(message)}, ensure_ascii=False) + "\n"


def decode(line: str | bytes) -> Message:
    data = json.loads(line)
    return _KINDS[data.pop("kind")](**data)


@dataclass(frozen=True)
class ApiTarget:
    """What a name in the code denotes: a library object, or a class or function the snippet defines."""

    name: str  # qualified, e.g. torch.nn.Conv2d; the snippet's own: DigitsCNN
    url: str  # the installed version's documentation page; "": the snippet's own, at `line`
    signature: str  # e.g. torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, …)
    summary: str  # the first line of its docstring
    line: int = 0  # where the snippet defines it


@dataclass(frozen=True)
class ApiName:
    """A name's place in the code: its line and its character columns [start, end) on that line."""

    line: int
    start: int
    end: int
    target: str  # an ApiTarget's name


@dataclass
class Report:
    """What the snippet's process found out about its run: result.json in its out folder."""

    error: str | None = None  # the traceback from the snippet's first frame, or why the run failed
    line: int | None = None  # the snippet's line that failed
    figures: list[str] = field(default_factory=list)  # names of the figures it showed, in order (figures.py)
    unshown: int = 0  # figures it drew and never showed
    values: QuotedValues = field(default_factory=dict)
    stragglers: list[str] = field(default_factory=list)  # processes still running at its end, then ended
    opened: list[str] = field(default_factory=list)  # absolute paths of the files it opened
    imported: list[str] = field(default_factory=list)  # library modules it imported (for the worker's preload)
    network: str | None = None  # its first attempt to use the network
    no_network_namespace: str | None = None  # why this OS gave it no private network namespace
    no_landlock: str | None = None  # why this OS gave it no Landlock write rules
    names: list[ApiName] = field(default_factory=list)  # the names in its code that resolved (api_names.py)
    targets: dict[str, ApiTarget] = field(default_factory=dict)  # what they denote, by name
    unresolved: str | None = None  # why resolving its names failed (the run itself is fine)
    resolve_ms: float = 0  # how long resolving them took (the benchmark's figure)

    def write(self, out: Path) -> None:
        (out / REPORT).write_text(json.dumps(asdict(self)), encoding="utf-8")

    @classmethod
    def read(cls, out: Path) -> "Report | None":
        """The report the run left; None if it left none, or a damaged one (it died while writing)."""
        try:
            data = json.loads((out / REPORT).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        report = cls(**data)
        report.names = [ApiName(**name) for name in data["names"]]
        report.targets = {name: ApiTarget(**target) for name, target in data["targets"].items()}
        return report
