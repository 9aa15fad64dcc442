"""Where pages include snippets: a fenced block whose only line is `--8<-- "path"`."""

import re
from dataclasses import dataclass
from pathlib import Path

INCLUDE = re.compile(
    r'^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[^\n]*\n'
    r'(?P=indent)--8<-- "(?P<path>[^"\n]+)"\n(?P=indent)(?P=fence)[ \t]*$',
    re.MULTILINE,
)


@dataclass
class Include:
    snippet: str  # relative to the snippets folder, as written in the page
    page: str  # docs-relative path of the including page
    line: int  # of the --8<-- line


def find_includes(text: str, page: str) -> list:
    return [Include(m.group("path"), page, text.count("\n", 0, m.start()) + 2) for m in INCLUDE.finditer(text)]


def problem(base: Path, include: Include) -> str | None:
    """Why pymdownx.snippets would refuse the include, or None when it is fine."""
    path = (base / include.snippet).resolve()
    if not path.is_relative_to(base.resolve()):
        return "it is outside snippets/"
    return None if path.is_file() else "no such file"


def resolve(base: Path, include: Include) -> Path | None:
    """The included file, or None when pymdownx would refuse it (see `problem`)."""
    return None if problem(base, include) else (base / include.snippet).resolve()
