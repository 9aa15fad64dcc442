"""MkDocs hook: every chapter as a Jupyter notebook, rendered by mkdocs-jupyter and downloadable.

A chapter's notebook is generated from the chapter itself: its prose becomes
Markdown cells and each included snippet a code cell, in page order, carrying
the output and figures the build's executor produced (read from its cache,
never run a second time). The reader downloads it as
`notebooks/<chapter>/<chapter>.ipynb`.

mkdocs-jupyter renders the page `notebooks/<chapter>/` from a twin of that
notebook made for the site: its figures are the chapter's own light and dark
SVG files, placed with their captions in the Markdown cell where the chapter
shows them, instead of being inlined into the code cell's output.
notebook_pages.py then gives the page the site's look.
"""

import atexit
import functools
import html
import logging
import os
import re
import shutil
import tempfile
import threading
from pathlib import Path

import nbformat
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs_jupyter.convert import nb2html
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from . import quoted_values, snippet_results
from .cjk_text import LINE_BREAK
from .executor.cache import writable, write_atomically
from .executor.results import Result
from .executor.runner import CACHE_FOLDER, SnippetRunner
from .output_blocks import ERROR_TITLE
from .page_includes import find_includes, resolve
from .source_checks import problems

log = logging.getLogger("mkdocs.hooks.chapter_notebooks")

FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
ADMONITION = re.compile(r'^!!! \w+ "(?P<title>[^"]*)"\n\n(?P<body>(?:(?: {4}.*)?\n)+)', re.MULTILINE)
# Material-only syntax that means nothing in Jupyter; the figures come back as cell outputs, their
# captions as text, and links to other chapters point at the site's pages (from notebooks/<chapter>/).
SITE_ONLY = [
    (re.compile(r"^/// caption\n(.*?)\n^///\n", re.MULTILINE | re.DOTALL), r"*图：\1*\n"),
    (re.compile(r"^!\[[^\]]*\]\(figures/[^)]*\)\n", re.MULTILINE), ""),
    (re.compile(r"^ *<figcaption>(.*)</figcaption>\n", re.MULTILINE), r"*图：\1*\n"),
    (re.compile(r"^ *</?(?:div|figure)\b.*\n", re.MULTILINE), ""),
    (re.compile(r" *\{ *#[\w-]+ *\}$", re.MULTILINE), ""),
    (re.compile(r"\]\(([\w-]+)\.md(#[\w-]*)?\)"), r"](../../\1/\2)"),
]
# On the page's twin: a figure is the chapter's light/dark pair (the theme shows one, the browser loads
# only that one, as images hidden by the scheme are never near the viewport), its caption right under it.
PAGE_FIGURES = [
    (
        re.compile(r"^!\[(?P<alt>[^\]]*)\]\((?P<stem>figures/[\w./-]+?)\.svg\)\n", re.MULTILINE),
        lambda figure: (
            "".join(
                f'<img alt="{html.escape(figure["alt"])}" src="../../{figure["stem"]}{variant}" loading="lazy">'
                for variant in (".svg#only-light", "-dark.svg#only-dark")
            )
            + "\n"
        ),
    ),
]
PAGE_SOURCES = "notebook-pages"  # under .cache/: the twins mkdocs-jupyter renders (mkdocs.yml's include)
TITLE_SUFFIX = "（Notebook）"
GENERATED_NOTE = "> 这个 Notebook 由网站《PyTorch 学习笔记》的同名章节生成，代码与网站上的完全相同，可以从上到下依次运行。"
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}

_active = True  # mkdocs-jupyter is configured: chapters become notebooks
_notebooks: dict[str, str] = {}  # chapter page src_uri -> notebook src_uri
_twins: dict[str, Path] = {}  # notebook src_uri -> the twin's file
_warming_up = threading.Lock()  # held while `mkdocs serve` converts a notebook in the background


def on_config(config):
    global _active
    _active = "mkdocs-jupyter" in config.plugins  # a site without it gets no notebooks
    if not _active:
        return
    # mkdocs-jupyter resolves its cache folder from the working directory; anchor it to mkdocs.yml.
    jupyter = config.plugins["mkdocs-jupyter"].config
    jupyter["cache_dir"] = str(Path(config.config_file_path).resolve().parent / jupyter["cache_dir"])
    jupyter["cache"] = writable()  # a read-only or full .cache: convert every notebook, store nothing
    for name in ("mkdocs.plugins.mkdocs_jupyter", "mkdocs.mkdocs-jupyter"):  # its plugin's and its converter's
        if _as_debug not in logging.getLogger(name).filters:
            logging.getLogger(name).addFilter(_as_debug)


def _as_debug(record: logging.LogRecord) -> bool:
    """mkdocs-jupyter's per-notebook INFO lines (cache hit, converting, ...) are details: shown as DEBUG,
    with `mkdocs build -v`, so that a rebuild's log holds the snippets that ran and the problems."""
    if record.levelno != logging.INFO:
        return True
    record.levelno, record.levelname = logging.DEBUG, "DEBUG"
    return logging.getLogger("mkdocs").isEnabledFor(logging.DEBUG)


def on_serve(server, config, builder):
    # A process's first notebook conversion costs about 0.4 s more than the next ones (nbconvert's
    # setup and lazy imports): pay it while the author reads, not on the first save.
    twin = next(iter(_twins.values()), None)  # one the first build wrote
    if twin:
        _warming_up.acquire()
        threading.Thread(target=_convert_once, args=(twin,), daemon=True).start()
    return server


def _convert_once(notebook: Path) -> None:
    try:
        nb2html(str(notebook), execute=False, allow_errors=False)
    finally:
        _warming_up.release()


def on_pre_build(config):
    with _warming_up:  # nb2html keeps state in globals: a build's conversions wait for the warm-up's
        pass


@event_priority(50)  # after run_snippets has filled the cache, before mkdocs-jupyter picks up notebooks
def on_files(files, config):
    if not _active:
        return files
    root = Path(config.config_file_path).resolve().parent
    base = Path(config.mdx_configs["pymdownx.snippets"]["base_path"][0])
    runner = SnippetRunner(root / CACHE_FOLDER, root=root)
    runner.quotes = snippet_results.quotes  # the same keys as run_snippets' runner
    _notebooks.clear()
    _twins.clear()
    for page in list(files.documentation_pages()):
        results = [_result(base, include, runner) for include in find_includes(page.content_string, page.src_uri)]
        if not results or None in results:
            continue  # no code, or never run
        stem = Path(page.src_uri).stem
        uri = f"notebooks/{stem}.ipynb"
        with_values = functools.partial(
            quoted_values.substitute,
            page=page.src_uri,
            base=base.resolve(),
            markup=False,
            result_of=functools.partial(_quoted_result, base, runner),
        )
        notebook = chapter_notebook(page.content_string, results, with_values=with_values)
        for number, cell in enumerate(notebook.cells, 1):
            for problem in problems(cell.source, f"{uri} (cell {number})"):
                log.error(problem)
        files.append(File.generated(config, f"notebooks/{stem}/{stem}.ipynb", content=nbformat.writes(notebook)))
        twin = chapter_notebook(page.content_string, results, for_page=True, with_values=with_values)
        folder = _write_twin(root / ".cache" / PAGE_SOURCES, uri, nbformat.writes(twin))
        # A plain File (not File.generated): mkdocs-jupyter reads it from disk, and its wrapper needs its src_dir.
        files.append(File(uri, str(folder), config.site_dir, config.use_directory_urls))
        _twins[uri] = folder / uri
        _notebooks[page.src_uri] = uri
    return files


def _result(base: Path, include, runner: SnippetRunner) -> Result | None:
    """What the include's cell shows: this build's result (a failed run is in no cache); a cell not run
    yet while the snippet runs in the background; the cache's when execution is switched off; for a
    broken include, which run_snippets reports, an error that says so (nothing is read)."""
    path = resolve(base, include)
    if path is None:
        return Result(Path(os.devnull), error=f"无法引入 snippets/{include.snippet}")
    path = path.resolve()
    if include.listing:  # a helper module: not run on its own (its cell writes it, see _listing_cell)
        return Result(path)
    if path in snippet_results.running:
        return Result(path)
    return snippet_results.latest.get(path) or runner.cached([path])[path]


def _quoted_result(base: Path, runner: SnippetRunner, snippet: str):
    """For quoted_values: the Result the chapter's page quotes from (this build's, or the cache's)."""
    path = (base / snippet).resolve()
    if path in snippet_results.running:
        return quoted_values.RUNNING
    return snippet_results.latest.get(path) or runner.cached([path])[path]


def on_nav(nav, config, files):
    """The footer's 「上一页」/「下一页」 follow one reading order at a time: the last chapter does not lead
    into the notebooks, nor the first notebook back into the chapters."""
    for sequence in (
        [page for page in nav.pages if page.file.src_uri not in _notebooks.values()],
        [page for page in nav.pages if page.file.src_uri in _notebooks.values()],
    ):
        for before, after in zip([None, *sequence], [*sequence, None], strict=True):
            if before:
                before.next_page = after
            if after:
                after.previous_page = before
    return nav


def on_page_markdown(markdown, page, config, files):
    if page.file.src_uri in _notebooks.values():
        page.meta["search"] = {"exclude": True}  # its chapter is already in the index
        return markdown
    notebook = _notebooks.get(page.file.src_uri)
    if notebook is None:
        return markdown
    return markdown + (
        '\n\n!!! abstract "Jupyter Notebook 版本"\n\n'
        f"    本章的代码、输出和图也整理成了一个 Notebook：[在网站上查看 Notebook 版本]({notebook})，"
        "页面顶部可以下载 `.ipynb`，在 Jupyter 里从头运行。\n"
    )


def chapter_notebook(
    markdown: str, results: list, for_page: bool = False, with_values=lambda text: text
) -> nbformat.NotebookNode:
    """The chapter's prose as Markdown cells and its snippets as code cells with their outputs;
    for_page: the twin the site renders, whose figures stay in the prose, where the chapter has them;
    with_values: the prose with the values it quotes (quoted_values.py), as text."""
    body = with_values(FRONT_MATTER.sub("", markdown))
    cells: list[NotebookNode] = []
    start = 0
    for number, (include, result) in enumerate(zip(find_includes(body, ""), results, strict=True), 1):
        cells += _markdown_cells(body[start : include.start], first=not cells, for_page=for_page)
        cells.append(_listing_cell(result) if include.listing else _code_cell(result, number, figures=not for_page))
        start = include.end
    cells += _markdown_cells(body[start:], first=False, for_page=for_page)
    for number, cell in enumerate(cells, 1):
        cell.id = f"cell-{number}"  # nbformat's random ids would change the file on every build
    return new_notebook(cells=cells, metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}})


def _markdown_cells(text: str, first: bool, for_page: bool) -> list:
    for pattern, replacement in PAGE_FIGURES + SITE_ONLY if for_page else SITE_ONLY:
        text = pattern.sub(replacement, text)
    text = ADMONITION.sub(_as_quote, text)
    text = LINE_BREAK.sub("", text)  # Jupyter, too, would show a space for the line break
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    if first:  # after the title, say where the notebook comes from
        title, _, rest = text.partition("\n")
        text = f"{title}{TITLE_SUFFIX}\n\n{GENERATED_NOTE}\n\n{rest.strip()}".strip()
    return [new_markdown_cell(text)] if text else []


def _as_quote(admonition: re.Match) -> str:
    lines = [line[4:] for line in admonition.group("body").rstrip("\n").split("\n")]
    quote = [f"> **{admonition.group('title')}**", ">", *(f"> {line}".rstrip() for line in lines)]
    return "\n".join(quote) + "\n\n"  # a blank line ends the quote: what follows is not inside it


def _listing_cell(result) -> nbformat.NotebookNode:
    """A helper module's cell: Jupyter writes it to a file beside the notebook, as it lies beside its snippet."""
    source = result.snippet.read_text(encoding="utf-8-sig").rstrip("\n")
    return new_code_cell(f"%%writefile {result.snippet.name}\n{source}", execution_count=None, outputs=[])


def _code_cell(result, number: int, figures: bool) -> nbformat.NotebookNode:
    source = result.snippet.read_text(encoding="utf-8-sig").rstrip("\n")  # a Windows editor's BOM is not code
    if result.snippet in snippet_results.running:  # under `mkdocs serve`: as Jupyter shows a cell not run yet
        return new_code_cell(source, execution_count=None, outputs=[])
    outputs = [
        new_output("stream", name=name, text=text)
        for name, text in (("stdout", result.stdout), ("stderr", result.stderr))
        if text
    ]
    if not result.ok:  # shown as Jupyter shows an exception, under what the snippet printed first
        title = f"{ERROR_TITLE}：第 {result.line or 1} 行"
        outputs.append(
            new_output("error", ename=ERROR_TITLE, evalue=title, traceback=[title, *result.error.rstrip("\n").split("\n")])
        )
    for figure in result.figures if figures else ():
        data = {"image/svg+xml": figure.light, "text/plain": "<Figure>"}
        outputs.append(new_output("display_data", data=data))
    return new_code_cell(source, execution_count=number, outputs=outputs)


def _write_twin(folder: Path, uri: str, text: str) -> Path:
    """The folder that holds the twin: the cache's, or a temp folder of this process's own when the
    cache takes no writes (mkdocs-jupyter reads the twin from disk)."""
    path = folder / uri
    if (path.exists() and path.read_text(encoding="utf-8") == text) or write_atomically(path, text.encode()):
        return folder
    path = _temporary_page_sources() / uri
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return _temporary_page_sources()


@functools.cache
def _temporary_page_sources() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="notebook-pages-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder / PAGE_SOURCES  # mkdocs.yml's include matches the end of the path
