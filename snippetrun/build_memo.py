"""Results of a pure function kept across builds in one JSON file (search segments, highlighted code).

The file holds what the last two builds used, so builds that alternate (snippets on and off, two
branches) do not evict each other, and nothing else: it never grows past two builds' worth.
"""

import json
from pathlib import Path
from typing import Any

from .executor.cache import write_atomically


class BuildMemo:
    def __init__(self, path: Path):
        self.path = path
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            self.last, self.before = stored["last"], stored["before"]
        except (OSError, ValueError, KeyError, TypeError):
            self.last, self.before = {}, {}
        self.known = {**self.before, **self.last}
        self.used: dict[str, Any] = {}

    def get(self, key: str):
        """The stored value (now counted as used by this build), or None."""
        if key in self.known:
            self.used[key] = self.known[key]
        return self.used.get(key)

    def put(self, key: str, value) -> None:
        self.known[key] = self.used[key] = value

    def save(self) -> None:
        """End of a build: keep what it used and what the one before used."""
        if self.used != self.last or not self.path.exists():
            self.last, self.before = self.used, self.last
            content = {"last": self.last, "before": self.before}
            write_atomically(self.path, json.dumps(content, ensure_ascii=False, sort_keys=True).encode())
        self.known, self.used = {**self.before, **self.last}, {}
