"""MkDocs hook: notebook pages that look like the rest of the site.

mkdocs-jupyter renders a notebook as JupyterLab's HTML and inlines JupyterLab's stylesheets, its own
copy-button script and a MathJax loader into every page. This hook keeps the notebook's cells and
prompts and gives the rest the site's own markup, so the theme's styles apply (extra.css lays out
the cells):

- code is a Material code block: the same highlighting and the theme's copy button ("复制");
- printed output is framed and labelled as on the chapter pages (output_blocks.py);
- a figure and its caption form one <figure>, as on the chapter pages;
- no inline stylesheet or script: MathML replaces MathJax (render_math.py), nothing is loaded from
  the network;
- headings get the TOC's anchors and the TOC the headings' full text;
- a download button for the .ipynb sits under the title.

Parsing a page takes most of a warm build: the result is kept in `.cache/notebook-pages.json`
(`build_memo.BuildMemo`) under a hash of the page, its TOC and this code.
"""

import hashlib
from importlib import metadata
from pathlib import Path

from bs4 import BeautifulSoup, Comment

from .build_memo import BuildMemo
from .output_blocks import ERROR_TITLE, STDERR, STDOUT, title

STREAMS = {"text/plain": STDOUT, "application/vnd.jupyter.stderr": STDERR}
CAPTION_PREFIX = "图："


CACHE_FILE = ".cache/notebook-pages.json"
# What the result depends on besides the page: this code, the output boxes' titles, and BeautifulSoup
_CODE = hashlib.sha256(
    b"".join((Path(__file__).parent / name).read_bytes() for name in ("notebook_pages.py", "output_blocks.py"))
    + metadata.version("beautifulsoup4").encode()
).hexdigest()

_memo: BuildMemo | None = None  # kept across `mkdocs serve` rebuilds


def on_config(config):
    global _memo
    if _memo is None:
        _memo = BuildMemo(Path(config.config_file_path).resolve().parent / CACHE_FILE)


def on_post_build(config):
    if _memo:
        _memo.save()


def on_page_content(content, page, config, files):
    """A notebook page in the site's markup; kept across builds (html.parser takes 0.15 s a page), with the
    TOC's titles it gives, as the page and its TOC are unchanged."""
    if not page.file.src_uri.startswith("notebooks/") or not page.file.src_uri.endswith(".ipynb"):
        return content
    links = list(_in_order(page.toc))
    toc = [(link.id, link.title) for link in links]
    key = hashlib.sha256(repr((_CODE, page.file.src_uri, content, toc)).encode()).hexdigest()
    kept = _memo.get(key) if _memo else None
    if kept is None:
        kept = {"html": _site_markup(content, page), "titles": [link.title for link in links]}
        if _memo:
            _memo.put(key, kept)
    for link, heading in zip(links, kept["titles"], strict=True):
        link.title = heading
    return kept["html"]


def _site_markup(content: str, page) -> str:
    soup = BeautifulSoup(content, "html.parser")
    for element in soup.select("style, script, .zeroclipboard-container, .clipboard-copy-txt, .jp-Collapser"):
        element.decompose()
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        comment.extract()  # "Load mathjax" and the like, about what was just removed
    for wrapper in soup.select("[tabindex]"):
        del wrapper["tabindex"]  # Material makes the code that scrolls focusable, once
    for code in soup.select("div.highlight-ipynb"):
        _as_code_block(soup, code)
    for output in soup.select("div.jp-RenderedText"):
        _as_output_block(soup, output)
    for caption in soup.select(".jp-RenderedMarkdown > p > em:only-child"):
        _attach_caption(soup, caption)
    _heading_ids_from_toc(soup, page.toc)
    name = Path(page.file.src_uri).stem + ".ipynb"
    button = soup.new_tag("a", attrs={"class": "md-button md-button--primary", "href": name, "download": ""})
    button.string = f"下载 {name}"
    download = soup.new_tag("p")
    download.append(button)
    title = soup.find("h1")
    if title is None:
        raise ValueError(f"{page.file.src_uri} has no title: a notebook page starts with its chapter's # heading")
    title.insert_after(download)
    return str(soup)


def _as_code_block(soup, highlighted) -> None:
    """nbconvert's Pygments markup, as Material's: <div class="highlight"><pre><code>."""
    pre = highlighted.pre
    code = soup.new_tag("code")
    for child in list(pre.contents):
        code.append(child.extract())
    pre.append(code)
    highlighted["class"] = ["highlight"]


def _as_output_block(soup, output) -> None:
    kind = STREAMS.get(output.get("data-mime-type"))
    if kind is None:
        return
    text = output.pre.get_text()
    label_text = title(kind.title, text)
    if text.lstrip().startswith(ERROR_TITLE):  # a failed snippet's error (chapter_notebooks.py): its first line
        label_text, _, text = text.lstrip().partition("\n")
    block = soup.new_tag("div", attrs={"class": f"{kind.classes} highlight"})
    label = soup.new_tag("span", attrs={"class": "filename"})
    label.string = label_text
    pre, code = soup.new_tag("pre"), soup.new_tag("code")
    code.string = text
    pre.append(code)
    block.extend([label, pre])
    output.clear()
    output.append(block)


def _attach_caption(soup, caption) -> None:
    """A paragraph 「图：…」 right after a paragraph of images is that figure's caption."""
    paragraph, images = caption.parent, caption.parent.find_previous_sibling()
    if not (
        caption.get_text().startswith(CAPTION_PREFIX)
        and images is not None
        and images.name == "p"
        and images.find("img")
        and not images.get_text(strip=True)
    ):
        return
    caption.contents[0].replace_with(caption.contents[0].removeprefix(CAPTION_PREFIX))  # as on the chapter page
    figure, figcaption, text = soup.new_tag("figure"), soup.new_tag("figcaption"), soup.new_tag("p")
    images.insert_before(figure)
    text.extend(list(caption.contents))
    figcaption.append(text)
    figure.extend([images.extract(), figcaption])
    paragraph.decompose()


def _heading_ids_from_toc(soup, toc) -> None:
    """nbconvert leaves Chinese headings without ids and mkdocs-jupyter's TOC uses other slugs and
    drops inline code from titles: give the headings, in document order, the TOC's (unique) anchors,
    and the TOC the headings' full text."""
    links = iter(list(_in_order(toc)))
    for heading in soup.select(".jp-RenderedMarkdown :is(h1, h2, h3, h4, h5, h6)"):
        link = next(links, None)
        if link is None:
            return
        anchor = heading.find("a", class_="anchor-link")
        if anchor:
            anchor.extract()
        link.title = heading.get_text().strip()
        heading["id"] = link.id
        if anchor:  # Material's permalink, shown on hover
            anchor.attrs = {"class": "headerlink", "href": f"#{link.id}", "title": "Permanent link"}
            heading.append(anchor)


def _in_order(links):
    for link in links:
        yield link
        yield from _in_order(link.children)
