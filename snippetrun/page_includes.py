"""Where pages include snippets, by pymdownx.snippets' own definition of an include line.

An include is a fenced code block whose only line is `--8<-- "<chapter>/<name>.py"` (any quoting or
dash count pymdownx accepts) naming a whole UTF-8 file under snippets/: the build runs it. Every
other line pymdownx.snippets would expand (two includes in one block, an include beside other
code, outside a code block, part of a file, the block form) is refused with page and line, so no
code reaches a page without having run.

The one chosen exception is a listing: a block with the class `.listing`, e.g.
```` ```{ .python .listing title="snippets/<chapter>/helper.py" } ````, shows a helper module that an
included snippet imports, without running it on its own. The page labels it so (run_snippets.py).
"""

import re
from dataclasses import dataclass
from pathlib import Path

from pymdownx.snippets import SnippetPreprocessor

INCLUDE_LINE = SnippetPreprocessor.RE_ALL_SNIPPETS
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)")
LISTING = re.compile(r"(?:^|[\s{])\.listing\b")  # the fence's class that shows a helper module without running it
ONE_LINE = 'a code block that includes a snippet must hold exactly one line, --8<-- "<chapter>/<name>.py"'


@dataclass
class Include:
    snippet: str  # relative to the snippets folder, as written in the page
    page: str  # docs-relative path of the including page
    line: int  # of the --8<-- line, 1-based, in the text scanned
    start: int  # the span, in the text scanned, that shows the code: the fence (or the stray line)
    end: int
    indent: str = ""
    mistake: str | None = None  # why this is not a runnable include
    listing: bool = False  # shown, not run: a helper module an included snippet imports


def find_includes(text: str, page: str) -> list:
    """Every line of `text` that pymdownx.snippets would expand, as an Include (runnable or not)."""
    includes, lines = [], re.findall(r"[^\n]*\n|[^\n]+$", text)  # not splitlines(): \f is no line break here
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    number = 0
    while number < len(lines):
        fence = FENCE.match(lines[number])
        if fence:
            close = _closing_line(lines, number, fence)
            includes += _fenced(lines[number + 1 : close], number, page, offsets[number], offsets[close + 1], fence)
            number = close + 1
            continue
        marker = _marker(lines[number])
        if marker:
            why = "an include must be a code block of its own (pymdownx would paste the file into the page as text)"
            includes.append(Include(_path(marker), page, number + 1, offsets[number], offsets[number + 1], mistake=why))
        number += 1
    return includes


def _closing_line(lines: list, opening: int, fence: re.Match) -> int:
    mark = fence["fence"]
    for number in range(opening + 1, len(lines)):
        stripped = lines[number].strip()
        if stripped and set(stripped) == {mark[0]} and len(stripped) >= len(mark):
            return number
    return len(lines) - 1  # unclosed: the block runs to the end of the page


def _fenced(body: list, opening: int, page: str, start: int, end: int, fence: re.Match) -> list:
    markers = [(n, m) for n, line in enumerate(body) if (m := _marker(line))]
    if not markers:
        return []
    line = opening + 2 + markers[0][0]
    path = _path(markers[0][1])
    mistake = ONE_LINE if len(body) != 1 or not markers[0][1]["inline_marker"] else None
    return [Include(path, page, line, start, end, fence["indent"], mistake=mistake, listing=bool(LISTING.search(fence["info"])))]


def _marker(line: str) -> re.Match | None:
    match = INCLUDE_LINE.match(line.rstrip("\n"))
    return match if match and not match["escape"] else None


def _path(marker: re.Match) -> str:
    return marker["snippet"][1:-1].strip() if marker["inline_marker"] else "(block form)"


def problem(base: Path, include: Include) -> str | None:
    """Why the include cannot run, or None when it is fine."""
    if include.mistake:
        return include.mistake
    if re.search(r":(\d|\[|$)", include.snippet):
        return "include the whole file: the page must show exactly the code that ran"
    path = (base / include.snippet).resolve()
    if not path.is_relative_to(base.resolve()):
        return "it is outside snippets/"
    if not path.is_file():
        return "no such file"
    if path.suffix != ".py":
        return "only Python files (.py) can be included, and each is run"
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        return f"it is not UTF-8 ({error.reason} at byte {error.start}): save it as UTF-8, the page shows it as UTF-8"
    return None


def resolve(base: Path, include: Include) -> Path | None:
    """The included file, or None when it cannot run (see `problem`)."""
    return None if problem(base, include) else (base / include.snippet).resolve()
