"""A snippet never reaches the network (the site must build offline); loopback stays usable.

Two layers:
- On Linux, the snippet's process enters a network namespace of its own, holding only a loopback
  interface, before the snippet runs (a user namespace makes this work without root). Every process
  it starts inherits it: whatever a child is written in (a shell's /dev/tcp, curl, C), a packet has
  nowhere to go but loopback.
- Everywhere, an audit hook refuses every socket call that would reach another machine (connect,
  sendto, sendmsg) and every name lookup other than localhost, with an error that names the address:
  in the snippet's own interpreter, and in every Python process it starts (child_python/). On macOS
  and Windows this is the only layer: a child in another language is not covered (ARCHITECTURE.md says so).
"""

import ctypes
import ipaddress
import os
import socket
import struct
import sys

CLONE_NEWUSER, CLONE_NEWNET = 0x10000000, 0x40000000
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
NO_NAMESPACE: str | None = "not entered"  # why this process has no network namespace of its own; None once it has
SENDING = {"socket.connect", "socket.sendto", "socket.sendmsg"}
LOOKUPS = {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr"}


def enter_private_network() -> str | None:
    """Put this (single-threaded) process into a new network namespace with only loopback, up.
    None when done; else why not (the audit hook then stands alone)."""
    if not sys.platform.startswith("linux"):
        return f"{sys.platform} has no network namespaces"
    import fcntl  # POSIX only

    uid, gid = os.getuid(), os.getgid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        return f"unshare(CLONE_NEWUSER | CLONE_NEWNET) failed: {os.strerror(ctypes.get_errno())}"
    try:  # the same user and group inside, so files keep their owners
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as file:
                file.write(text)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as control:  # `ip link set lo up`
            flags = struct.unpack("16sH", fcntl.ioctl(control, SIOCGIFFLAGS, struct.pack("16sH", b"lo", 0)))[1]
            fcntl.ioctl(control, SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | IFF_UP))
    except OSError as error:
        return f"the new network namespace could not be set up: {error}"
    return None


def refusal(event: str, args: tuple) -> str | None:
    """Why the audit event reaches another machine; None when it stays on this one."""
    if event in SENDING:
        address = args[1]
        if address is not None and not _local(address):
            return f"{event.removeprefix('socket.')} to {_shown(address)} refused"
    elif (
        event in LOOKUPS and args and isinstance(args[0], (str, bytes)) and not _literal(args[0]) and not _local_name(args[0])
    ):  # a name, not an address: its lookup would ask a DNS server
        return f"looking up {os.fsdecode(args[0])!r} refused"
    return None


def _local(address) -> bool:
    if not isinstance(address, tuple):
        return True  # a Unix socket (a path, or an abstract name) stays on this machine
    return _local_name(address[0])


def _local_name(host) -> bool:
    host = os.fsdecode(host) if isinstance(host, bytes) else host
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return host in ("localhost", "") or host.endswith(".localhost")


def _literal(host) -> bool:
    try:
        ipaddress.ip_address(os.fsdecode(host).split("%")[0])
        return True
    except ValueError:
        return False


def _shown(address) -> str:
    return f"{address[0]}:{address[1]}" if isinstance(address, tuple) and len(address) > 1 else str(address)
