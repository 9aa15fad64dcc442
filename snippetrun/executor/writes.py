"""Where a snippet may write: its scratch copy, its own temp folder and /dev, nothing else.

A snippet runs from a scratch copy, so a relative path never reaches the project. An absolute one
could: on Linux, Landlock (an unprivileged security module, kernel 5.13+) then refuses it, with the
OS's own PermissionError, in the snippet's process and in every process it starts. Reading stays
allowed everywhere. Landlock binds the calling thread and what it starts: the snippet's main thread,
its threads and its children (not threads a library started before the run, which run no snippet
code). Where Landlock is missing (another OS, an old kernel, a container that filters it), the
scratch copy is the only protection, and the build says so once.
"""

import ctypes
import os
import sys

# linux/landlock.h; the syscall numbers are the same on every architecture
CREATE_RULESET, ADD_RULE, RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION, RULE_PATH_BENEATH, PR_SET_NO_NEW_PRIVS = 1, 1, 38
WRITE_FILE, REMOVE_DIR, REMOVE_FILE = 1 << 1, 1 << 4, 1 << 5
MAKE = sum(1 << bit for bit in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
REFER, TRUNCATE = 1 << 13, 1 << 14  # ABI 2, ABI 3

NO_LANDLOCK: str | None = "not entered"  # why writes are not restricted in this process; None once they are


def allow_writes_only_beneath(*folders) -> str | None:
    """Restrict this thread (and what it starts) to writing beneath `folders`. None when done; else why not."""
    if not sys.platform.startswith("linux"):
        return f"{sys.platform} has no Landlock"
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    abi = libc.syscall(CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION))
    if abi < 1:
        return f"Landlock is not available: {os.strerror(ctypes.get_errno())}"
    handled = WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE | (REFER if abi >= 2 else 0) | (TRUNCATE if abi >= 3 else 0)
    ruleset = ctypes.c_uint64(handled)  # struct landlock_ruleset_attr, its first field only (ABI 1 size)
    ruleset_fd = libc.syscall(CREATE_RULESET, ctypes.byref(ruleset), ctypes.c_size_t(8), ctypes.c_uint32(0))
    if ruleset_fd < 0:
        return f"landlock_create_ruleset failed: {os.strerror(ctypes.get_errno())}"
    try:
        for folder in folders:
            fd = os.open(folder, os.O_PATH | os.O_CLOEXEC)
            try:  # struct landlock_path_beneath_attr (packed): u64 allowed_access, s32 parent_fd
                rule = ctypes.create_string_buffer(
                    handled.to_bytes(8, sys.byteorder) + fd.to_bytes(4, sys.byteorder, signed=True)
                )
                if libc.syscall(ADD_RULE, ruleset_fd, RULE_PATH_BENEATH, rule, ctypes.c_uint32(0)) != 0:
                    return f"landlock_add_rule({folder}) failed: {os.strerror(ctypes.get_errno())}"
            finally:
                os.close(fd)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or libc.syscall(RESTRICT_SELF, ruleset_fd, ctypes.c_uint32(0)) != 0:
            return f"landlock_restrict_self failed: {os.strerror(ctypes.get_errno())}"
    finally:
        os.close(ruleset_fd)
    return None


DEVICES = ("/dev",)  # /dev/null, /dev/shm (DataLoader workers share tensors there), a tty
