"""One snippet's process: runs the snippet as `python snippet` would, for either backend.

`execute(request)` runs the snippet from a scratch copy of the project's layout, with fresh
globals, seeds, warnings filters and figures; then, as Python does at exit, it joins threads and runs
exit handlers (pools and DataLoader workers shut down cleanly), ends whatever is still running, and
writes stdout, stderr, figures and its `protocol.Report` into the request's `out` folder. A fault or a timeout
dumps the snippet's stack to `stack.txt`. Seeds, threads and matplotlib's settings are those the
process was given before (`preload.settle`).

The fork backend calls `run` in a fork of the warm worker: the process leads its own process group,
dies with the worker and adopts every process the snippet leaves behind (a subreaper). The spawn
backend calls `execute` in a warm interpreter of its own (`spawn_child.py`).
"""

import atexit
import builtins
import contextlib
import faulthandler
import io
import multiprocessing.process
import os
import random
import signal
import sys
import tempfile
import threading
import time
import traceback
import warnings
from pathlib import Path
from types import FrameType

import matplotlib.pyplot as plt

from . import api_names, figures, network, preload, process_tree, quotes, writes
from .protocol import Report, RunRequest

CHILD_PYTHON = Path(__file__).resolve().parent / "child_python"
NETWORK_LOG = "network-children.txt"  # what Python children were refused


def run(request: RunRequest, inherited_fds: list[int], done_fd: int) -> None:
    """The fork backend's process: execute the snippet, then tell the worker on `done_fd`, before this
    process's teardown (a few ms with torch mapped)."""
    os.setpgid(0, 0)
    network.NO_NAMESPACE = network.enter_private_network()  # before anything here starts a thread
    process_tree.no_new_huge_pages()  # the worker's huge-page heap speeds up forking, not a snippet's arrays
    process_tree.die_with_parent()
    process_tree.become_subreaper()
    for fd in inherited_fds:  # the worker's selector and other runs' pidfds and pipes
        os.close(fd)
    execute(request)
    os.write(done_fd, b"\n")
    os._exit(0)


def execute(request: RunRequest) -> None:
    """Execute request.snippet (relative to request.cwd) and write the results to request.out."""
    out, snippet = Path(request.out), request.snippet
    _limit_memory(request.max_memory_mb)
    _isolate(snippet, Path(request.cwd), out, request.timeout, request.tmp)
    writes.NO_LANDLOCK = writes.allow_writes_only_beneath(Path(request.cwd).parent, request.tmp, *writes.DEVICES)
    guard = _Guard(snippet, out / process_tree.SIGNALLED_WORKER)
    sys.addaudithook(guard)
    report = Report()
    plt.show = lambda *args, **kwargs: report.figures.extend(figures.save_open_figures(out, len(report.figures)))
    try:
        namespace = _run_as_main(snippet)
        report.unshown = len(plt.get_fignums())  # `python snippet.py` shows none of these: neither does the page
        plt.close("all")
        report.values = quotes.evaluate(request.quotes, namespace)  # the script's final globals, before exit
        _resolve_names(report, snippet, namespace)
    except SystemExit as exit_:
        if exit_.code not in (None, 0):
            report.error, report.line = _describe(exit_, snippet)
    except BaseException as exc:  # noqa: BLE001 - the snippet's own error, reported to the author
        report.error, report.line = _describe(exc, snippet)
    report.stragglers = _exit_like_python()
    if closed := [name for fd, name in ((1, "standard output"), (2, "standard error")) if not _is_open(fd)]:
        # plain `python` fails too: it cannot write what is printed after that, nor flush at exit
        why = (
            f"the snippet closed its {' and '.join(closed)} (fd 1 and 2 are where it prints): what it printed after that is lost"
        )
        report.error = f"{report.error}\n{why}" if report.error else why
    if guard.network is None and (out / NETWORK_LOG).exists():
        guard.network = "a Python process it started: " + (out / NETWORK_LOG).read_text(encoding="utf-8").split("\n")[0]
    report.opened = sorted(guard.opened)
    report.network = guard.network
    report.no_network_namespace, report.no_landlock = network.NO_NAMESPACE, writes.NO_LANDLOCK
    report.imported = preload.library_modules(guard.imported)
    report.write(out)


def _run_as_main(snippet: str) -> api_names.BindingLog:
    """What runpy.run_path(snippet, run_name="__main__") does, with globals that note the type of what the
    module's code binds on each line (for api_names); `__main__` is a module on those same globals."""
    with io.open_code(snippet) as file:
        code = compile(file.read(), snippet, "exec", dont_inherit=True)
    namespace = api_names.BindingLog(
        code,
        __name__="__main__",
        __file__=snippet,
        __cached__=None,
        __doc__=None,
        __loader__=None,
        __package__="",
        __spec__=None,
        __builtins__=builtins,
    )
    main = sys.modules.get("__main__")
    sys.modules["__main__"] = api_names.MainModule(namespace)
    try:
        exec(code, namespace)  # noqa: S102 - the snippet, as `python snippet` runs it
    finally:
        if main is not None:
            sys.modules["__main__"] = main
    return namespace


def _resolve_names(report: Report, snippet: str, namespace: api_names.BindingLog) -> None:
    """What each name in the code denotes, for the page's links; a failure here costs links, not the run."""
    started = time.perf_counter()
    try:
        source = Path(snippet).read_text(encoding="utf-8-sig")
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a library's deprecation notice on inspecting it is not the snippet's
            report.names, report.targets = api_names.resolve(source, namespace)
    except Exception as error:  # noqa: BLE001 - reported as a note; the page shows the code plain
        report.unresolved = f"{type(error).__name__}: {error}"
    report.resolve_ms = (time.perf_counter() - started) * 1000


def _limit_memory(limit_mb: float | None) -> None:
    """Linux: the data segment (heap and private mappings, torch's tensors among them) may grow by
    `limit_mb` past what the warm interpreter holds; an allocation beyond it fails in the snippet, which
    then reports a MemoryError at its line. Each process it starts inherits the same bound. (macOS does
    not enforce RLIMIT_DATA and Windows has none: there the worker's MemoryWatch is the limit.)"""
    if not limit_mb or sys.platform != "linux":
        return
    import resource

    with contextlib.suppress(OSError, ValueError):
        held = next(
            int(line.split()[1]) * 1024
            for line in Path("/proc/self/status").read_text().splitlines()
            if line.startswith("VmData:")
        )
        resource.setrlimit(resource.RLIMIT_DATA, (held + int(limit_mb * 2**20),) * 2)


def _isolate(snippet: str, cwd: Path, out: Path, timeout: float, tmp: str) -> None:
    """Give the snippet the process state a fresh `python snippet` would see, from the scratch copy."""
    os.chdir(cwd)  # mirrors the project's root; writes land in the throwaway copy
    os.environ["PWD"] = str(cwd)
    os.environ.pop("OLDPWD", None)
    os.environ.update(TMPDIR=tmp, TEMP=tmp, TMP=tmp)  # the run's own temp folder, for it and its children
    # Every Python process the snippet starts refuses the network too, and says so (child_python/).
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHILD_PYTHON), os.environ.get("PYTHONPATH")]))
    os.environ["SNIPPET_NETWORK_LOG"] = str(out / NETWORK_LOG)
    tempfile.tempdir = tmp
    multiprocessing.process.ORIGINAL_DIR = str(cwd)  # type: ignore[attr-defined]  # spawned processes find the snippet here
    if hasattr(signal, "SIGCHLD"):
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # stdin is the worker's request pipe
    for fd, name in ((1, "stdout.txt"), (2, "stderr.txt")):
        os.dup2(os.open(out / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)), fd)
    # Line-buffered, as on a terminal: what a snippet printed before it hangs or is killed is on the page.
    # newline="\n": the same bytes on Windows.
    # They live as long as the process: no context manager (SIM115).
    sys.stdout = open(1, "w", encoding="utf-8", newline="\n", closefd=False, buffering=1)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", newline="\n", closefd=False, buffering=1)  # noqa: SIM115
    stack = open(out / "stack.txt", "w")  # noqa: SIM115
    faulthandler.enable(file=stack)  # a segmentation fault still tells its line
    if process_tree.STACK_SIGNAL:
        faulthandler.register(process_tree.STACK_SIGNAL, file=stack, all_threads=True)  # main thread's line first
    else:  # Windows: no signal to send; the process sets its own alarm (the worker then kills it)
        faulthandler.dump_traceback_later(timeout, file=stack)
    sys.argv = [snippet]
    sys.path[0] = str((cwd / snippet).parent)
    warnings.resetwarnings()
    warnings.simplefilter("error")  # a warning the reader would see is a defect
    # ...but not those `python snippet.py` hides: deprecations inside libraries, import and resource warnings.
    for hidden in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.filterwarnings("ignore", category=hidden)
    warnings.filterwarnings("error", category=DeprecationWarning, module="__main__")
    random.seed(preload.SEED)  # `random` reseeds itself from the OS in every fork; numpy and torch keep the worker's


class _Guard:
    """Audit hook: records the files the snippet opens (cache inputs) and the modules it loads (for the
    worker to preload), refuses the network, and notes the line that signals the worker (if that kills
    it, the build then knows which snippet did, and where)."""

    def __init__(self, snippet: str, signalled: Path):
        self.opened: set[str] = set()
        self.imported: list[str] = []
        self.network: str | None = None
        self.snippet, self.signalled, self.worker = snippet, signalled, os.getppid()

    def __call__(self, event: str, args: tuple) -> None:
        if event == "import":
            self.imported.append(args[0])
        elif event in ("os.kill", "os.killpg") and args[0] == self.worker:
            frame: FrameType | None = sys._getframe(1)
            while frame and frame.f_code.co_filename != self.snippet:
                frame = frame.f_back
            self.signalled.write_text(f"{frame.f_lineno if frame else ''} {args[1]}\n")
        elif event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            self.opened.add(os.path.abspath(os.fsdecode(args[0])))  # noqa: PTH100 - not resolve(): symlinks stay as opened
        elif why := network.refusal(event, args):
            self.network = self.network or why
            raise PermissionError(f"snippets must not use the network ({why})")


def _exit_like_python() -> list:
    """What interpreter exit does (join threads, run exit handlers, flush), then end leftovers."""
    finalize = threading._shutdown  # type: ignore[attr-defined]  # what Py_Finalize calls first
    for step in (finalize, atexit._run_exitfuncs, sys.stdout.flush, sys.stderr.flush):
        try:
            step()
        except BaseException as exc:  # noqa: BLE001 - shown like Python shows an error in an exit handler
            with contextlib.suppress(OSError):  # the snippet closed its stderr
                print(f"Exception ignored at exit: {exc!r}", file=sys.stderr, flush=True)
    if hasattr(signal, "SIGCHLD"):
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    return process_tree.end_children()


def _is_open(fd: int) -> bool:
    try:
        os.fstat(fd)
        return True
    except OSError:
        return False


def _describe(exc: BaseException, snippet: str) -> tuple[str, int | None]:
    """The traceback from the snippet's first frame on, and the failing line in it."""
    tb = traceback.TracebackException.from_exception(exc)
    starts = [i for i, frame in enumerate(tb.stack) if frame.filename == snippet]
    if not starts:  # e.g. a SyntaxError: the file never started running
        return "".join(tb.format_exception_only()), getattr(exc, "lineno", None)
    line = tb.stack[starts[-1]].lineno
    own = str(Path(__file__).parent)  # e.g. the audit hook that refused a call: not the reader's code
    tb.stack = traceback.StackSummary.from_list([frame for frame in tb.stack[starts[0] :] if not frame.filename.startswith(own)])
    error = "".join(tb.format())
    if "missing from font" in error and "zhplot" not in sys.modules:
        error += figures.CJK_HINT + "\n"
    return error, line
