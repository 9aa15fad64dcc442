"""Linux process-tree control for the snippet worker: subreapers, parent-death signals, ending trees.

A process that is a "child subreaper" adopts the orphans of its descendants, so every process a
snippet starts stays below it, however it detaches (double fork, setsid). Ending a tree is then:
kill every child, reap it (its own children are adopted at that moment), repeat until none is left.
"""

import ctypes
import os
import signal
from pathlib import Path

_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER, _PR_SET_THP_DISABLE = 1, 36, 41
_libc = ctypes.CDLL(None, use_errno=True)


def _prctl(option: int, value: int) -> None:
    if _libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl failed")


def no_new_huge_pages() -> None:
    """Memory this process allocates from now on comes in 4 KB pages (what it shares keeps its pages).
    Only a speed-up: where the kernel refuses, nothing changes."""
    try:
        _prctl(_PR_SET_THP_DISABLE, 1)
    except OSError:
        pass


def become_subreaper() -> None:
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Receive `sig` when the parent process dies (e.g. the build is killed)."""
    _prctl(_PR_SET_PDEATHSIG, sig)


def children(pid: int | None = None) -> list:
    pid = pid or os.getpid()
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue  # the thread ended meanwhile
    return found


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return f"pid {pid}"


def end_children(keep=()) -> list:
    """SIGKILL every child of this (subreaper) process but `keep`, and every process they leave behind.
    Returns the command lines of the processes ended, for the log."""
    ended = []
    while doomed := [pid for pid in children() if pid not in keep]:
        for pid in doomed:
            ended.append(command_line(pid))
            kill_group_and_process(pid)
        for pid in doomed:
            _reap(pid)
    return ended


def kill_group_and_process(pid: int) -> None:
    """SIGKILL a process and, if it leads one, its process group."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass  # reaped elsewhere (e.g. by the code that started it)


def describe_status(status: int) -> str:
    """A wait status in words: 'exit status 3', 'killed by signal 11 (SIGSEGV: segmentation fault)'."""
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = signal.Signals(number).name
        what = signal.strsignal(number) or name
        return f"killed by signal {number} ({name}: {what[0].lower() + what[1:]})"
    return f"exit status {os.waitstatus_to_exitcode(status)}"
