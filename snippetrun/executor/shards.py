"""Splitting a build's runs across machines: SNIPPET_SHARD=k/n (1-based) runs only shard k of n.

Every shard sees the same cache (CI restores it for each), so every shard finds the same snippets
needing a run, and splits them the same way: longest first, each to the shard with the least work so
far, by the time each snippet took the last time it ran (a file per snippet in the cache folder, so
that merging the shards' folders keeps every one). A shard still writes complete cache entries for its
own share; merging the folders and building once more runs nothing.
"""

import hashlib
import os
import statistics
from dataclasses import dataclass
from pathlib import Path

from .cache import write_atomically

SHARD = "SNIPPET_SHARD"
_TIME_PREFIX = "time-"  # time-<hash of the name>.txt: "<seconds> <name>"
UNKNOWN_SECONDS = 1.0  # a snippet that never ran, when no snippet has


@dataclass(frozen=True)
class Shard:
    number: int  # 1-based
    count: int

    def __str__(self) -> str:
        return f"{SHARD}={self.number}/{self.count}"


def from_environment() -> Shard | None:
    """SNIPPET_SHARD's shard; None when it is unset. A malformed value is a ValueError saying what to write."""
    value = os.environ.get(SHARD, "").strip()
    if not value:
        return None
    number, _, count = value.partition("/")
    if not (number.isdigit() and count.isdigit() and 1 <= int(number) <= int(count)):
        raise ValueError(f"{SHARD}={value!r}: write k/n with 1 <= k <= n, e.g. {SHARD}=2/3")
    return Shard(int(number), int(count))


def share(names: list[str], seconds: dict[str, float], shard: Shard) -> list[str]:
    """The names (of snippets that need a run) that `shard` runs, in the order given."""
    known = [seconds[name] for name in names if name in seconds]
    guess = statistics.median(known) if known else UNKNOWN_SECONDS
    loads = [0.0] * shard.count
    mine = set()
    for name in sorted(names, key=lambda name: (-seconds.get(name, guess), name)):
        least = loads.index(min(loads))
        loads[least] += seconds.get(name, guess)
        if least == shard.number - 1:
            mine.add(name)
    return [name for name in names if name in mine]


def run_times(cache_dir: Path) -> dict[str, float]:
    """How long each snippet took the last time it ran, by name."""
    times = {}
    for path in cache_dir.glob(f"{_TIME_PREFIX}*.txt"):
        try:
            seconds, name = path.read_text(encoding="utf-8").split(" ", 1)
            times[name.strip()] = float(seconds)
        except (OSError, ValueError):
            continue  # damaged: that snippet's time is a guess
    return times


def store_run_time(cache_dir: Path, name: str, seconds: float) -> None:
    digest = hashlib.sha256(name.encode()).hexdigest()[:16]
    write_atomically(cache_dir / f"{_TIME_PREFIX}{digest}.txt", f"{seconds:.3f} {name}\n".encode())
