"""(Shared by the hooks) Values the prose quotes from a snippet's run: `{{ train_mlp.py: correct }}`.

A quote names a snippet and, after a colon, what stands inside an f-string's braces: an expression over
the snippet's globals as the script ends, with an optional format spec, e.g.
`{{ train_mlp.py: correct / len(y_test):.2% }}`. A bare file name is a snippet of the page's own chapter
(`docs/07-digits-classifier.md` -> `snippets/07-digits-classifier/`); a path names another chapter's,
`{{ 07-digits-classifier/train_mlp.py: correct }}`. The snippet's own run evaluates it (executor/quotes.py),
so the page, its notebook and the search index show what that run computed. Quotes inside code are text.
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .executor import quotes
from .page_includes import FENCE

QUOTE = re.compile(r"\{\{(?P<body>[ \t][^\n]*?)\}\}")  # `{{ ` with a space: TeX's {{ is not one
NAMED = re.compile(r"\s*(?P<snippet>[^\s:{}]+\.py)\s*:(?P<text>.*)", re.DOTALL)
INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]{}|#])")
RUNNING = "运行中…"
SYNTAX = "write {{ <snippet>.py: <expression> }}, e.g. {{ train_mlp.py: correct / len(y_test):.2% }}"


@dataclass(frozen=True)
class Quote:
    page: str  # docs-relative path of the quoting page
    line: int  # 1-based, in the text scanned
    start: int  # the span of `{{ ... }}` in the text scanned
    end: int
    snippet: str | None  # relative to the snippets folder, posix; None when the quote names none
    text: str  # the expression with its conversion and format spec, as evaluated
    in_alt: bool  # inside an image's alt text, which takes no markup
    mistake: str | None = None  # why it cannot be evaluated, found without running anything

    @property
    def written(self) -> str:
        return f"{{{{ {self.snippet}: {self.text} }}}}" if self.snippet else f"{{{{ {self.text} }}}}"


def find_quotes(text: str, page: str, base: Path) -> list:
    """Every `{{ ... }}` of `text` outside code, as a Quote, checked as far as the page alone can tell."""
    code = _code_spans(text)
    found = []
    for match in QUOTE.finditer(text):
        if any(start <= match.start() < end for start, end in code):
            continue
        before = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
        in_alt = (opening := before.rfind("![")) >= 0 and "](" not in before[opening:]  # alt text takes no markup
        line = text.count("\n", 0, match.start()) + 1
        named = NAMED.fullmatch(match["body"])
        if not named:
            found.append(Quote(page, line, match.start(), match.end(), None, match["body"].strip(), in_alt, SYNTAX))
            continue
        snippet = named["snippet"].replace("\\", "/")
        if "/" not in snippet:
            snippet = f"{Path(page).stem}/{snippet}"
        expression = named["text"].strip()
        mistake = _missing(base, snippet) or quotes.check(expression)
        found.append(Quote(page, line, match.start(), match.end(), snippet, expression, in_alt, mistake))
    return found


def _missing(base: Path, snippet: str) -> str | None:
    path = (base / snippet).resolve()
    if not path.is_relative_to(base.resolve()) or not path.is_file():
        return f"snippets/{snippet} does not exist"
    return None


def shown(quote: Quote, result_of: Callable, markup: bool = True) -> str:
    """What the page shows for the quote: its value; 「运行中…」; or where it failed, a short note.
    `result_of(snippet)` is its Result, None if it did not run, or RUNNING while it runs (mkdocs serve)."""
    result = result_of(quote.snippet) if quote.snippet and not quote.mistake else None
    if result == RUNNING:
        return RUNNING
    if result is not None and not result.ok:  # the error is at its code; here only a pointer to it
        return f"（snippets/{quote.snippet} 运行失败，这里没有值）"
    value = result.values.get(quote.text) if result is not None else None
    if value and "value" in value:
        return _as_text(value["value"])
    why = quote.mistake or (value or {}).get("error") or "这段代码没有运行"
    note = f"无法引用 {quote.written}：{why}"
    if not markup or quote.in_alt:
        return "【" + _as_text(note) + "】"
    return f'<span class="quoted-value-error">{html.escape(note, quote=False)}</span>'


def _as_text(value: str) -> str:
    """The value as Markdown that shows it literally, in prose, a table cell or alt text."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(value, quote=False))


def substitute(text: str, page: str, base: Path, result_of: Callable, markup: bool = True) -> str:
    """`text` with each quote replaced by what `shown` gives for it."""
    parts, start = [], 0
    for quote in find_quotes(text, page, base):
        parts += [text[start : quote.start], shown(quote, result_of, markup)]
        start = quote.end
    return "".join(parts) + text[start:]


def problem(quote: Quote, result) -> str | None:
    """The build's error for the quote, with page, line, snippet and reason; None when it shows a value
    (or its snippet failed, which is reported once, at the snippet's code)."""
    if quote.mistake:
        why = quote.mistake
    elif result is None or result == RUNNING or not result.ok:
        return None
    elif "error" in (value := result.values.get(quote.text, {"error": "it was not evaluated"})):
        why = value["error"]
        if why.startswith("NameError"):
            why += " (the snippet defines no such name when it ends)"
    else:
        return None
    return f"docs/{quote.page}:{quote.line}: cannot quote {quote.written}: {why}"


def _code_spans(text: str) -> list:
    """Where `text` holds code, fenced or inline: quotes there are shown as written."""
    spans, lines, offset, fence = [], text.splitlines(keepends=True), 0, None
    for line in lines:
        if fence is None and (opening := FENCE.match(line)):
            fence, fence_start = opening["fence"], offset
        elif fence is not None and line.strip() and set(line.strip()) == {fence[0]} and len(line.strip()) >= len(fence):
            spans.append((fence_start, offset + len(line)))
            fence = None
        offset += len(line)
    if fence is not None:
        spans.append((fence_start, offset))
    spans += [
        match.span() for match in INLINE_CODE.finditer(text) if not any(start <= match.start() < end for start, end in spans)
    ]
    return spans
