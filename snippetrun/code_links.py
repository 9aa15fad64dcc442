"""MkDocs hook: every library name in a snippet's code block links to its API page, with its signature.

The snippet's own run resolved its names (executor/api_names.py) and the result carries them: for each
name its line and character columns, and what it denotes (qualified name, URL of the installed
version's documentation, signature and the first line of the docstring). Here each code block of a
chapter page or notebook page whose text is a snippet's code gets an `<a>` on exactly those
characters, inside Pygments' token, so highlighting, line anchors and the copy button (which copies
the text) are as before. The tooltip is Material's (`content.tooltips`) from the link's title. A name
the snippet defines itself links to its line on the page. The downloaded .ipynb stays plain code.

Columns are characters of the decoded text, not bytes: Chinese comments and strings shift nothing.
A name that linked in the last build and no longer does is one INFO line (`.cache/api-links.json`).
"""

import hashlib
import html
import json
import logging
import re
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from .executor.protocol import ApiName, ApiTarget
from .executor.results import Result

log = logging.getLogger("mkdocs.hooks.code_links")

CODE_BLOCK = re.compile(r"(<pre[^>]*>(?:<span></span>)?<code[^>]*>)(.*?)(</code></pre>)", re.DOTALL)
TOKEN = re.compile(r"<[^>]*>|&#?\w+;|[^<&]+")
LINE_ANCHOR = re.compile(r'<a id="__codelineno-(\d+)-1"')
LAST_BUILD = ".cache/api-links.json"
LINK_CLASS = "api-link"

_by_code: dict[str, Result] = {}  # a snippet's code, as a block shows it -> its result


def on_config(config):
    _by_code.clear()


def on_files(files, config):
    """After run_snippets' on_files (priority 60): every snippet has run or come from the cache. Index them by their code."""
    from . import run_snippets  # its results; imported here, as it imports the runner

    index(run_snippets.results())
    _tell_what_no_longer_links(Path(config.config_file_path).resolve().parent / LAST_BUILD, run_snippets.results())
    return files


def index(results: dict[str, Result]) -> None:
    """Know each snippet's code, as a block shows it, for `link_blocks` and `linked` (either front calls this)."""
    _by_code.clear()
    _digests.clear()
    _first_lines.clear()
    for result in results.values():
        if result.ok and result.names:
            text = result.snippet.read_text(encoding="utf-8-sig")
            code = _code_text(text)
            _by_code[code] = result
            _first_lines[code] = len(text) - len(text.lstrip("\n")) + 1  # Pygments drops leading blank lines
            names = [(name.line, name.start, name.end, name.target) for name in result.names]
            _digests[code] = hashlib.sha256(repr((names, sorted(result.targets.items()))).encode()).hexdigest()


_first_lines: dict[str, int] = {}  # a snippet's code -> its file's line that a block shows first
_digests: dict[str, str] = {}  # a snippet's code -> a hash of its links: part of the highlight cache's key


def links_of(code: str) -> str | None:
    """A hash of the links a block of this code gets, or None if it is no snippet's code with links."""
    return _digests.get(_code_text(code))


def linked(code: str, highlighted: str) -> str:
    """A code block as pymdownx.highlight made it, with the names of its snippet's code linked
    (highlight_cache.py calls this, and keeps the result: a warm build does no linking)."""
    code = _code_text(code)
    if code not in _by_code:
        return highlighted
    return CODE_BLOCK.sub(lambda block: _linked_block(block, code), highlighted, count=1)


def on_page_content(content, page, config, files):
    if not _by_code or not page.file.src_uri.endswith(".ipynb"):  # a chapter's code was linked as it was highlighted
        return content
    started = time.perf_counter()
    linked = link_blocks(content)
    _linking_seconds[0] += time.perf_counter() - started
    return linked


_linking_seconds = [0.0]  # this build's, on notebook pages, for the benchmark


def on_post_build(config):
    log.debug(f"Linked the names in code blocks in {_linking_seconds[0] * 1000:.1f} ms")
    _linking_seconds[0] = 0.0


def link_blocks(page_html: str) -> str:
    """The page with its snippets' code blocks linked; other blocks as they were."""

    def linked_if_a_snippet(block: re.Match) -> str:
        code = _code_text(html.unescape(re.sub(r"<[^>]*>", "", block.group(2))))
        return _linked_block(block, code) if code in _by_code else block.group()

    return CODE_BLOCK.sub(linked_if_a_snippet, page_html)


def _linked_block(block: re.Match, code: str) -> str:
    opening, inner, closing = block.groups()
    result, first_line = _by_code[code], _first_lines[code]
    anchor = LINE_ANCHOR.search(inner)
    block_number = anchor.group(1) if anchor else None
    return opening + link_code(inner, result.names, result.targets, block_number, first_line) + closing


def link_code(
    inner: str, names: list[ApiName], targets: dict[str, ApiTarget], block_number: str | None, first_line: int = 1
) -> str:
    """Highlighted code with an `<a>` on each name's characters. A name split by markup (never one
    identifier) stays plain; so does a name the snippet defines where the block has no line anchors."""
    on_line: dict[int, list[ApiName]] = defaultdict(list)
    for name in sorted(names, key=lambda name: (name.line, name.start)):
        on_line[name.line - first_line + 1].append(name)  # the block's line
    if first_line != 1:  # the snippet's own definitions, by the block's line anchors
        targets = {key: replace(t, line=t.line - first_line + 1) if t.line else t for key, t in targets.items()}
    shown, line, column = [], 1, 0
    for piece in TOKEN.findall(inner):
        if piece.startswith("<"):
            shown.append(piece)
        elif piece.startswith("&"):
            shown.append(piece)
            column += 1
        else:
            for number, text in enumerate(piece.split("\n")):
                if number:
                    shown.append("\n")
                    line, column = line + 1, 0
                shown.append(_linked_text(text, column, on_line.get(line, ()), targets, block_number))
                column += len(text)
    return "".join(shown)


def _linked_text(text: str, column: int, names, targets: dict[str, ApiTarget], block_number: str | None) -> str:
    shown, at = [], 0  # `at`: how much of `text` is already shown
    for name in names:
        start, end = name.start - column, name.end - column
        if start < at or end > len(text):
            continue
        target = targets[name.target]
        if target.url:
            href = target.url
        elif block_number is not None:
            href = f"#__codelineno-{block_number}-{target.line}"
        else:
            continue
        shown.append(html.escape(text[at:start], quote=False))
        title = html.escape(tooltip(target)).replace("\n", "&#10;")  # the block's lines stay lines of code
        name_text = html.escape(text[start:end], quote=False)
        shown.append(f'<a class="{LINK_CLASS}" href="{html.escape(href)}" title="{title}">{name_text}</a>')
        at = end
    shown.append(html.escape(text[at:], quote=False))
    return "".join(shown)


def tooltip(target: ApiTarget) -> str:
    """What hovering (or focusing) the name shows: the installed signature and the docstring's first line."""
    where = f"（本段代码第 {target.line} 行定义）" if not target.url else ""
    return "\n".join(filter(None, [target.signature + where, target.summary]))


def _code_text(code: str) -> str:
    """A block's text as Pygments and the notebook show a snippet's code: no BOM (a Windows editor's), LF line
    ends, no blank lines before or after."""
    return code.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def _tell_what_no_longer_links(memory: Path, results: dict[str, Result]) -> None:
    """One INFO line per name that linked in the last build and no longer does (a library renamed it, or
    the code changed what it denotes): not an error, the page simply shows it plain."""
    now = {name: sorted({result.targets[n.target].name for n in result.names}) for name, result in results.items() if result.ok}
    try:
        before = json.loads(memory.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        before = {}
    for snippet, names in sorted(before.items()):
        if snippet not in now:
            continue
        code = results[snippet].snippet.read_text(encoding="utf-8-sig")
        for gone in sorted(set(names) - set(now[snippet])):
            if re.search(rf"\b{re.escape(gone.rsplit('.', 1)[-1])}\b", code):  # still in the code, now plain
                log.info(f"snippets/{snippet}: {gone} no longer links to its API page (it did in the last build)")
    kept = {**before, **now}
    try:
        memory.parent.mkdir(parents=True, exist_ok=True)
        memory.write_text(json.dumps(kept, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
    except OSError:
        pass  # a read-only cache folder (cache_folder.py said so): only the INFO lines are lost
