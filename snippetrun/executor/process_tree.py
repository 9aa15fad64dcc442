"""Process-tree control for the executor: subreapers, parent-death signals, ending trees.

On Linux, a process that is a "child subreaper" adopts the orphans of its descendants, so every
process a snippet starts stays below it, however it detaches (double fork, setsid). Ending a tree is
then: kill every child, reap it (its own children are adopted at that moment), repeat until none is
left. Elsewhere (macOS, Windows) there is no subreaper: the tree is what psutil finds below a
process, so a process whose parent has already exited is no longer found (ARCHITECTURE.md, the backends).
"""

import contextlib
import ctypes
import os
import signal
import sys
import time
from pathlib import Path

import psutil

SIGNALLED_WORKER = "signalled-worker.txt"  # in a run's out folder: the snippet's line that signalled its worker

LINUX = sys.platform == "linux"
STACK_SIGNAL = getattr(signal, "SIGUSR2", None)  # sent on timeout: faulthandler writes where the snippet is
STACK_DUMP_WAIT = 0.5  # seconds a timed-out snippet has to write its stack
_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER, _PR_SET_THP_DISABLE = 1, 36, 41
_libc = ctypes.CDLL(None, use_errno=True) if LINUX else None


def _prctl(option: int, value: int) -> None:
    if _libc is None or _libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl failed")


def no_new_huge_pages() -> None:
    """Memory this process allocates from now on comes in 4 KB pages (what it shares keeps its pages).
    Only a speed-up: where the kernel refuses, nothing changes."""
    with contextlib.suppress(OSError):
        _prctl(_PR_SET_THP_DISABLE, 1)


def become_subreaper() -> None:
    """Adopt the orphans of this process's descendants (Linux; other OSes have no such thing)."""
    if LINUX:
        _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Receive `sig` when the parent process dies (Linux; elsewhere a pipe's EOF tells)."""
    if LINUX:
        _prctl(_PR_SET_PDEATHSIG, sig)


def children(pid: int | None = None) -> list:
    pid = pid or os.getpid()
    if not LINUX:
        try:
            return [child.pid for child in psutil.Process(pid).children()]
        except psutil.Error:
            return []
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue  # the thread ended meanwhile
    return found


def descendants(pid: int) -> list:
    """Every process below `pid` now, deepest last (psutil: works on every OS)."""
    try:
        return [child.pid for child in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []


MEMORY_CHECK_SECONDS = 0.25  # how often a worker measures each running snippet's processes


def tree_private_mb(pid: int) -> float:
    """The memory `pid` and every process below it hold privately (USS, psutil: every OS), in MB.

    Not their resident sizes: a process the snippet forks shares its pages until it writes them (or
    execs), and a fork of the worker shares the worker's; resident sizes would count those pages once per
    process."""
    total = 0
    for process in [pid, *descendants(pid)]:
        try:
            total += psutil.Process(process).memory_full_info().uss
        except psutil.Error:
            continue  # ended meanwhile
    return total / 2**20


class MemoryWatch:
    """A run's memory limit as its worker enforces it: what its process tree holds beyond what the process
    held as it started (the warm interpreter's torch is not the snippet's), checked every
    MEMORY_CHECK_SECONDS. Above the limit the snippet's stack is dumped to `stack` (its line), then the tree
    is killed."""

    def __init__(self, pid: int, limit_mb: float, stack: Path, baseline_mb: float | None = None):
        self.pid, self.limit_mb, self.stack = pid, limit_mb, stack
        # measured by the process itself as it starts the snippet, where it can be: the worker may see
        # its "started" only after the snippet has allocated
        self.baseline_mb = tree_private_mb(pid) if baseline_mb is None else baseline_mb
        self.exceeded_mb = 0.0  # what it held when it was killed

    def check(self) -> bool:
        """Kill the tree if it holds more than the limit; True when it did."""
        used = tree_private_mb(self.pid) - self.baseline_mb
        if used <= self.limit_mb or self.exceeded_mb:
            return False
        self.exceeded_mb = used
        below = descendants(self.pid)  # found while their parent lives (Windows)
        ask_for_stack_then_kill(self.pid, self.stack)
        for process in below:
            kill_group_and_process(process)
        return True


def command_line(pid: int) -> str:
    try:
        return " ".join(psutil.Process(pid).cmdline()).strip() or f"pid {pid}"
    except psutil.Error:
        return f"pid {pid}"


def end_children(keep=()) -> list:
    """Kill every child of this process but `keep`, and every process they leave behind (on Linux,
    where this process is a subreaper, also those that detached). Returns the command lines ended."""
    ended = []
    while doomed := [pid for pid in children() if pid not in keep]:
        doomed += [pid for parent in doomed for pid in descendants(parent) if pid not in doomed]
        for pid in doomed:
            ended.append(command_line(pid))
            kill_group_and_process(pid)
        for pid in doomed:
            _reap(pid)
    return ended


def end_group(pgid: int) -> list:
    """Kill the process group `pgid` (POSIX), naming its members: what a snippet's interpreter, the
    group's leader, left behind after it ended, even orphaned (no subreaper on macOS)."""
    members = []
    for pid in psutil.pids():
        try:
            if pid != os.getpid() and os.getpgid(pid) == pgid:
                members.append(command_line(pid))
        except OSError:
            continue
    kill_group_and_process(pgid)
    return members


def ask_for_stack_then_kill(pid: int, stack: Path) -> None:
    """A process still running at its timeout: have faulthandler write its stack (on STACK_SIGNAL, where
    the OS has one; without, it set its own alarm), give it a moment to do so, then kill its group."""
    if STACK_SIGNAL:
        try:
            os.kill(pid, STACK_SIGNAL)
        except ProcessLookupError:
            return
    give_up, size = time.monotonic() + STACK_DUMP_WAIT, 0
    while time.monotonic() < give_up:  # until the dump stops growing: it is written one thread after another
        time.sleep(0.02)
        size, before = (stack.stat().st_size if stack.exists() else 0), size
        if size and size == before:
            break
    kill_group_and_process(pid)


def kill_group_and_process(pid: int) -> None:
    """Kill a process and, if it leads one, its process group (POSIX)."""
    if hasattr(os, "killpg"):
        for kill in (os.killpg, os.kill):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                kill(pid, signal.SIGKILL)
        return
    with contextlib.suppress(psutil.Error):
        psutil.Process(pid).kill()


def _reap(pid: int) -> None:
    try:
        if os.name == "posix":
            os.waitpid(pid, 0)  # a grandchild (no subreaper) is not ours to wait for: ChildProcessError
        else:
            psutil.Process(pid).wait(5)
    except (ChildProcessError, psutil.Error):
        pass  # reaped elsewhere (e.g. by the code that started it), or not our child


def describe_status(status: int) -> str:
    """A wait status in words: 'exit status 3', 'killed by signal 11 (SIGSEGV: segmentation fault)'."""
    if os.WIFSIGNALED(status):
        return _killed_by(os.WTERMSIG(status))
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def describe_returncode(code: int) -> str:
    """subprocess's returncode in the same words (negative: the signal that ended it, on POSIX)."""
    return _killed_by(-code) if code < 0 else f"exit status {code}"


def _killed_by(number: int) -> str:
    name = signal.Signals(number).name
    what = signal.strsignal(number) or name
    return f"killed by signal {number} ({name}: {what[0].lower() + what[1:]})"
