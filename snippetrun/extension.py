"""The Python-Markdown front: the same executor for any Python-Markdown host, e.g. `zensical build`.

    markdown_extensions:
      - snippetrun.extension

Under MkDocs the plugin does this work (it builds notebooks, figure files and search too), and this
extension stands aside. Elsewhere, the first page it renders runs every snippet the docs folder's pages
include or quote, through the same cache and sandbox (`run_snippets.run_pages`); each page then gets its
outputs and error boxes under its code, its quoted values, the names in its code linked to their API
pages, and its figures as light/dark pairs of `data:` images (a host with no plugin API cannot add the
figure files). A failing snippet, a broken include or quote fails the page with every message, one per
line, naming snippet, page and line: the host's build exits non-zero.
"""

import base64
import functools
import logging
from pathlib import Path

from markdown import Extension
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from . import code_links, run_snippets
from .executor.runner import CACHE_FOLDER, SnippetRunner

log = logging.getLogger("snippetrun.extension")
DOCS = "docs"
SNIPPETS = "snippets"


class SnippetError(RuntimeError):
    """What a page's snippets got wrong, one message a line; raised to fail the host's build."""


def _data_uri(svg: str, scheme: str) -> str:
    return f"data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}#only-{scheme}"


def _figure_pair(image) -> str:
    """The light/dark pair of `data:` images for `![alt](figures/<chapter>/<name>-<n>.svg)`."""
    figure = run_snippets._results[image["snippet"] + ".py"].figures[int(image["number"]) - 1]
    return "".join(
        f"![{image['alt']}]({_data_uri(svg, scheme)}){{ loading=lazy }}"
        for svg, scheme in ((figure.light, "light"), (figure.dark, "dark"))
    )


@functools.cache
def _site(root: Path) -> tuple:
    """Run every snippet of the site once per process: (the snippets folder, errors by page, other errors)."""
    base = (root / SNIPPETS).resolve()
    pages = [
        (path.relative_to(root / DOCS).as_posix(), path.read_text(encoding="utf-8-sig"))
        for path in sorted((root / DOCS).rglob("*.md"))
    ]
    if run_snippets._runner is None:
        run_snippets._runner = SnippetRunner(root / CACHE_FOLDER, root=root)
    errors, warnings = run_snippets.run_pages(pages, base)
    for message in warnings:
        log.warning(message)
    by_page: dict[str, list[str]] = {}
    for message in errors:  # "docs/<page>:<line>: ..." or "snippets/...: snippet failed (included by docs/<page>:<line>)"
        page = message.split("included by docs/", 1)[-1] if "included by docs/" in message else message.removeprefix("docs/")
        by_page.setdefault(page.split(":", 1)[0], []).append(message)
    for src_uri, text in pages:
        by_page.setdefault(src_uri, []).extend(run_snippets._figure_ref_problems(text, src_uri))
    return base, by_page


class _Outputs(Preprocessor):
    def run(self, lines: list) -> list:
        if run_snippets.options is not None:  # MkDocs with the plugin: it does all of this
            return lines
        root = Path.cwd()
        base, by_page = _site(root)
        page = _page_path(self.md)
        if by_page.get(page):
            raise SnippetError("\n".join(by_page[page]))
        return run_snippets.page_markdown("\n".join(lines), page, base, figure=_figure_pair).split("\n")


class _Links(Postprocessor):
    """The page's finished HTML, with the names in its snippets' code linked (code_links.py)."""

    def run(self, text: str) -> str:
        if run_snippets.options is not None:  # MkDocs with the plugin: its own stage links the pages
            return text
        code_links.index(run_snippets.results())
        return code_links.link_blocks(text)


def _page_path(md) -> str:
    """The page being rendered, relative to the docs folder (Zensical's rendering context)."""
    for processor in md.preprocessors:
        page = getattr(processor, "page", None)
        if page is not None and getattr(page, "path", None):
            return Path(page.path).as_posix().removeprefix(f"{DOCS}/")
    return ""


class SnippetsExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        md.preprocessors.register(_Outputs(md), "snippetrun", 33)  # before pymdownx.snippets (32) pastes the code
        md.postprocessors.register(_Links(md), "snippetrun-links", 5)  # after the code blocks leave the raw-HTML stash (30)


def makeExtension(**kwargs):  # noqa: N802 - Python-Markdown's name
    return SnippetsExtension(**kwargs)
