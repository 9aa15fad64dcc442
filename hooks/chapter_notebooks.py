"""MkDocs hook: every chapter as a Jupyter notebook, rendered by mkdocs-jupyter and downloadable.

A chapter's notebook is generated from the chapter itself: its prose becomes
Markdown cells and each included snippet a code cell, in page order, carrying
the output and figures the build's executor produced (read from its cache,
never run a second time). mkdocs-jupyter renders it as `notebooks/<chapter>/`.
"""

import html
import logging
import re
import threading
from pathlib import Path

import nbformat
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File
from mkdocs_jupyter.convert import nb2html
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from cjk_text import LINE_BREAK
from page_includes import find_includes, resolve
from source_checks import problems
from executor.runner import CACHE_FOLDER, SnippetRunner

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
FIGURE_ALT = re.compile(r"^!\[([^\]]*)\]\(figures/[^)]*\)", re.MULTILINE)
NO_ALT = 'alt="No description has been provided for this image"'
TITLE_SUFFIX = "（Notebook）"
GENERATED_NOTE = "> 这个 Notebook 由网站《PyTorch 学习笔记》的同名章节生成，代码与网站上的完全相同，可以从上到下依次运行。"
NETWORK_SCRIPT = re.compile(
    r"<script\b(?:(?!</script>).)*?(?:https?://|text/x-mathjax-config)(?:(?!</script>).)*</script>", re.DOTALL
)
HEADING = re.compile(r'<h([1-6]) id="[^"]*">(.*?)<a class="anchor-link" href="#[^"]*">')
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}

_notebooks = {}  # chapter page src_uri -> notebook src_uri
_alt_texts = {}  # notebook src_uri -> the chapter's figure descriptions, in order
_warming_up = threading.Lock()  # held while `mkdocs serve` converts a notebook in the background


def on_config(config):
    # mkdocs-jupyter resolves its cache folder from the working directory; anchor it to mkdocs.yml.
    jupyter = config.plugins["mkdocs-jupyter"].config
    jupyter["cache_dir"] = str(Path(config.config_file_path).resolve().parent / jupyter["cache_dir"])


def on_serve(server, config, builder):
    # A process's first notebook conversion costs about 0.4 s more than the next ones (nbconvert's
    # setup and lazy imports): pay it while the author reads, not on the first save.
    notebook = next(iter(_notebooks.values()), None)  # one the first build wrote, as on_files names it
    if notebook:
        _warming_up.acquire()
        path = Path(config.config_file_path).resolve().parent / ".cache" / notebook
        threading.Thread(target=_convert_once, args=(path,), daemon=True).start()
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
    root = Path(config.config_file_path).resolve().parent
    base = Path(config.mdx_configs["pymdownx.snippets"]["base_path"][0])
    runner = SnippetRunner(root / CACHE_FOLDER, root=root)
    _notebooks.clear()
    for page in list(files.documentation_pages()):
        snippets = [resolve(base, include) for include in find_includes(page.content_string, page.src_uri)]
        if not snippets or None in snippets:
            continue  # no code, or a broken include: run_snippets reports it
        results = list(runner.cached(snippets).values())
        if not all(result and result.ok for result in results):
            continue  # a snippet failed: run_snippets reports it
        uri = f"notebooks/{Path(page.src_uri).stem}.ipynb"
        notebook = chapter_notebook(page.content_string, results)
        for number, cell in enumerate(notebook.cells, 1):
            for problem in problems(cell.source, f"{uri} (cell {number})"):
                log.error(problem)
        _write_if_changed(root / ".cache" / uri, nbformat.writes(notebook))
        _notebooks[page.src_uri] = uri
        _alt_texts[uri] = FIGURE_ALT.findall(page.content_string)
        # A plain File under .cache/ (not File.generated): mkdocs-jupyter's wrapper needs its src_dir.
        files.append(File(uri, str(root / ".cache"), config.site_dir, config.use_directory_urls))
    return files


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


def on_page_content(content, page, config, files):
    if page.file.src_uri not in _notebooks.values():
        return content
    # The template loads MathJax (and mermaid) from a CDN; the site stays offline and
    # render_math.py typesets the math as MathML instead.
    content = NETWORK_SCRIPT.sub("", content)
    # Code areas scroll sideways; make them reachable by keyboard, as Material does for its own.
    content = re.sub(r'<div class="(highlight-ipynb|CodeMirror)\b', r'<div tabindex="0" class="\1', content)
    # Long outputs scroll in their own box, as on the chapter pages (extra.css); keyboard users reach it.
    content = re.sub(r'(<div class="jp-RenderedText jp-OutputArea-output[^"]*"[^>]*>\s*<pre)', r'\1 tabindex="0"', content)
    content = _heading_ids_from_toc(content, page.toc)
    for alt in _alt_texts.get(page.file.src_uri, []):  # the chapter's descriptions, figure by figure
        content = content.replace(NO_ALT, f'alt="{html.escape(alt)}"', 1)
    name = Path(page.file.src_uri).name
    download = f'<p><a class="md-button md-button--primary" href="{name}" download>下载 {name}</a></p>\n'
    return download + content


def _heading_ids_from_toc(content: str, toc) -> str:
    """nbconvert leaves Chinese headings without ids and mkdocs-jupyter's TOC uses other slugs and
    drops inline code from titles: give the headings, in document order, the TOC's (unique) anchors,
    and the TOC the headings' full text."""
    links = iter(list(_in_order(toc)))

    def retag(heading: re.Match) -> str:
        link = next(links, None)
        if link is None:
            return heading[0]
        link.title = html.unescape(re.sub(r"<[^>]+>", "", heading[2])).strip()
        return f'<h{heading[1]} id="{link.id}">{heading[2]}<a class="anchor-link" href="#{link.id}">'

    return HEADING.sub(retag, content)


def _in_order(links):
    for link in links:
        yield link
        yield from _in_order(link.children)


def chapter_notebook(markdown: str, results: list) -> nbformat.NotebookNode:
    """The chapter's prose as Markdown cells and its snippets as code cells with their outputs."""
    body = FRONT_MATTER.sub("", markdown)
    cells, start = [], 0
    for number, (include, result) in enumerate(zip(find_includes(body, ""), results), 1):
        cells += _markdown_cells(body[start:include.start], first=not cells)
        cells.append(_code_cell(result, number))
        start = include.end
    cells += _markdown_cells(body[start:], first=False)
    for number, cell in enumerate(cells, 1):
        cell.id = f"cell-{number}"  # nbformat's random ids would change the file on every build
    return new_notebook(cells=cells, metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}})


def _markdown_cells(text: str, first: bool) -> list:
    for pattern, replacement in SITE_ONLY:
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


def _code_cell(result, number: int) -> nbformat.NotebookNode:
    outputs = [new_output("stream", name=name, text=text) for name, text in (("stdout", result.stdout),
               ("stderr", result.stderr)) if text]
    for figure in result.figures:
        data = {"image/svg+xml": figure.light, "text/plain": "<Figure>"}
        outputs.append(new_output("display_data", data=data))
    source = result.snippet.read_text(encoding="utf-8").rstrip("\n")
    return new_code_cell(source, execution_count=number, outputs=outputs)


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
