"""MkDocs hook: the build's cache folder, `.cache` beside mkdocs.yml (git-ignored).

Snippet results, notebooks, compiled templates, highlighted code and search segments are kept there
between builds. At the start of every build (each `mkdocs serve` rebuild too) this checks that the
folder takes writes. If it does not (read-only, full disk), the build says so in one warning line
and runs without caching (executor/cache.py).
"""

from pathlib import Path

from mkdocs.plugins import event_priority

from .executor import cache


@event_priority(100)  # before every hook that reads or writes the folder
def on_config(config):
    cache.begin_build(Path(config.config_file_path).resolve().parent / ".cache")
