"""The executor's cache: one file per result, written atomically, checked whenever it is read.

An entry is `<key>.json` in the cache folder: a first line holding the SHA-256 of the rest, then
the result as JSON. The key covers the snippet's path and code, the versions that run it, the
executor's own code and the environment variables snippets see (environment.py); the entry lists
the files the snippet read from its folder, with their
hashes, and is reused only while they are unchanged. A damaged entry is discarded (the snippet
runs again) with an info line, not a warning: the cache is the build's own state.

Every write to `.cache` (entries here, and the hooks' own caches) goes through `write_atomically`. A
cache folder that cannot be written (read-only, full disk) is said once per build in one warning line:
the build goes on without caching, and leaves no partial file.
"""

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from . import environment

log = logging.getLogger("mkdocs.hooks.executor.cache")

HERE = Path(__file__).resolve().parent
_VERSIONED = ("torch", "numpy", "matplotlib", "scikit-learn")
PRELOADS = "preloads.txt"  # beside the entries, which are <key>.json
_OLD_PRELOADS = "preload-modules.txt"  # an older executor's list, without the libraries that needed each module


def key(snippet: Path, name: str, quotes: tuple = ()) -> str:
    """Hash of the snippet's name and code, the values pages quote from it (expressions evaluated in its
    run), the versions and the executor."""
    digest = hashlib.sha256(_ENVIRONMENT)
    digest.update(name.encode() + b"\0" + snippet.read_bytes())
    for quote in sorted(quotes):
        digest.update(b"\0quote\0" + quote.encode())
    return digest.hexdigest()[:32]


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def store(cache_dir: Path, entry_key: str, result: dict) -> None:
    body = json.dumps(result, ensure_ascii=False, sort_keys=True).encode()
    write_atomically(cache_dir / f"{entry_key}.json", hashlib.sha256(body).hexdigest().encode() + b"\n" + body)


def begin_build(folder: Path) -> None:
    """Start of a build (and of each `mkdocs serve` rebuild): find out whether the cache folder takes writes."""
    global _unwritable
    _unwritable = None
    probe = folder / ".probe"
    if write_atomically(probe, b"probe"):
        probe.unlink(missing_ok=True)


def writable() -> bool:
    """False once a write to the cache failed in this build: later ones are not tried."""
    return _unwritable is None


def write_atomically(path: Path, data: bytes) -> bool:
    """Readers (a concurrent build, the next one) see all of the file or none of it. False, said once
    per build, when the cache cannot be written: the build goes on without it."""
    if _unwritable is not None:
        return False
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        Path(temporary).replace(path)
        return True
    except OSError as error:
        if temporary:
            Path(temporary).unlink(missing_ok=True)  # a full disk is not kept full by our own leftovers
        _cannot_write(path.parent, error)
        return False


def _cannot_write(folder: Path, error: OSError) -> None:
    global _unwritable
    _unwritable = error
    why = error.strerror or type(error).__name__
    log.warning(f"The cache folder {folder} cannot be written ({why}): this build runs without caching")


def load(cache_dir: Path, entry_key: str, folder: Path) -> dict | None:
    """The stored result, if it is whole and the files it read in `folder` are unchanged."""
    path = cache_dir / f"{entry_key}.json"
    try:
        checksum, body = path.read_bytes().split(b"\n", 1)
    except (FileNotFoundError, ValueError):
        if path.exists():
            _discard(path, "it is incomplete")
        return None
    if hashlib.sha256(body).hexdigest().encode() != checksum:
        _discard(path, "its checksum does not match")
        return None
    result = json.loads(body)
    changed = [name for name, digest in result["inputs"].items() if _hash_or_none(folder / name) != digest]
    if changed:
        log.info(f"Cached result of {result['snippet']} is out of date: {', '.join(changed)} changed")
        return None
    return result


def preloads(cache_dir: Path) -> dict[str, set[frozenset[str]]]:
    """Library modules snippets imported in earlier builds (the worker loads them before forking), each
    with what the snippets that imported it import themselves (runner.py), a line per snippet."""
    try:
        lines = (cache_dir / PRELOADS).read_text().splitlines()
    except OSError:
        return {}
    modules: dict[str, set[frozenset[str]]] = {}
    for module, *imports in map(str.split, filter(str.strip, lines)):
        modules.setdefault(module, set()).add(frozenset(imports))
    return modules


def store_preloads(cache_dir: Path, modules: dict[str, set[frozenset[str]]]) -> None:
    lines = sorted(" ".join([name, *sorted(imports)]) for name, needed_by in modules.items() for imports in needed_by)
    write_atomically(cache_dir / PRELOADS, "".join(f"{line}\n" for line in lines).encode())


def remove_leftovers(cache_dir: Path) -> None:
    """Folders and partial files from older executors or from builds that were killed mid-write."""
    if not cache_dir.is_dir():
        return
    for path in cache_dir.iterdir():
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.name == _OLD_PRELOADS or (path.name.startswith(".partial-") and time.time() - path.stat().st_mtime > 600):
            _remove(path)  # not one a concurrent build is writing right now


def _discard(path: Path, why: str) -> None:
    log.info(f"Discarded the cache entry {path.name}: {why}; the snippet runs again")
    _remove(path)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # a read-only cache: its entries are only read
        path.unlink(missing_ok=True)


def _hash_or_none(path: Path) -> str | None:
    try:
        return file_hash(path)
    except OSError:
        return None


def _environment() -> bytes:
    parts = [sys.version] + [f"{name}=={metadata.version(name)}" for name in _VERSIONED]
    parts += [path.read_text() for path in sorted(HERE.rglob("*.py"))]  # the executor's own code
    return "\0".join(parts).encode() + b"\0" + environment.cache_key_part(os.environ)


_ENVIRONMENT = _environment()
_unwritable: OSError | None = None  # the error of this build's first failed cache write
