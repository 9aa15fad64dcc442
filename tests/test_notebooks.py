"""Each chapter as a notebook: same code as the page, rendered, downloadable, and runnable in Jupyter."""

import html
import json
import re
import shutil

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import PAGES, ROOT, found, record_execution
from test_build import tree_digest

CHAPTERS = [page for page in PAGES if "--8<--" in page.read_text(encoding="utf-8")]


def downloaded(build, chapter) -> nbformat.NotebookNode:
    return nbformat.read(build.site / "notebooks" / chapter.stem / f"{chapter.stem}.ipynb", as_version=4)


def snippets_in_page_order(chapter) -> list:
    names = re.findall(r'^\s*--8<-- "([^"]+)"$', chapter.read_text(encoding="utf-8"), re.MULTILINE)
    return [ROOT / "snippets" / name for name in names]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_code_cells_are_the_chapters_snippets_in_page_order(cold_site, chapter):
    notebook = downloaded(cold_site[1], chapter)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert code == [snippet.read_text(encoding="utf-8").rstrip("\n") for snippet in snippets_in_page_order(chapter)]
    assert notebook.cells[0].source.startswith("# ")  # the chapter's title, then its prose
    assert "--8<--" not in "".join(cell.source for cell in notebook.cells)


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_notebook_page_and_download_are_built_and_linked(cold_site, chapter):
    build = cold_site[1]
    page = build.page(f"notebooks/{chapter.stem}")
    assert re.search(rf'<a class="md-button md-button--primary" download="" href="{chapter.stem}.ipynb">', page)
    assert "https://cdnjs" not in page  # the template's CDN MathJax is dropped
    if "$" in chapter.read_text(encoding="utf-8"):
        assert "<math" in page and 'class="arithmatex"' not in page  # typeset as MathML instead
    assert f'href="../notebooks/{chapter.stem}/"' in build.page(chapter.stem)  # the chapter links to it


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_in_a_fresh_kernel(cold_site, chapter, tmp_path, monkeypatch):
    """As a reader runs the download: a new kernel, a matplotlib never configured; no error, no warning."""
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mplconfig"))
    monkeypatch.setenv("TQDM_DISABLE", "1")  # tqdm's bar is the one thing a chapter writes to stderr
    notebook = downloaded(cold_site[1], chapter)
    drawn = [sum(o.output_type == "display_data" for o in cell.outputs) for cell in notebook.cells if cell.cell_type == "code"]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    for snippet in snippets_in_page_order(chapter):
        record_execution(snippet.relative_to(ROOT).as_posix())
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]
    assert not [o.text for cell in code for o in cell.outputs if o.get("name") == "stderr"]  # e.g. a missing glyph
    inline = [sum("image/png" in o.get("data", {}) for o in cell.outputs) for cell in code]
    assert inline == drawn  # every figure the site shows also appears inline in Jupyter


def test_notebook_pages_have_titles_of_their_own(cold_site):
    build = cold_site[1]
    for chapter in CHAPTERS:
        page = build.page(f"notebooks/{chapter.stem}")
        title = found(r"<title>(.*?) - PyTorch 学习笔记</title>", page).group(1)
        assert title.endswith("（Notebook）") and title.removesuffix("（Notebook）") in chapter.read_text(encoding="utf-8")
    assert "<title>PyTorch 学习笔记</title>" in build.page("")  # the home page: the site's name, once


def footer(page: str) -> dict:
    links = re.findall(r'class="md-footer__link md-footer__link--(prev|next)" aria-label="(?:上一页|下一页): ([^"]+)"', page)
    return dict(links)


def test_footer_links_keep_to_the_chapters_or_to_the_notebooks(cold_site):
    build = cold_site[1]
    assert "Notebook" not in footer(build.page(CHAPTERS[-1].stem)).get("next", "")  # the last chapter's 下一页
    assert "prev" not in footer(build.page(f"notebooks/{CHAPTERS[0].stem}"))
    second = footer(build.page(f"notebooks/{CHAPTERS[1].stem}"))
    assert second["prev"].endswith("（Notebook）") and second["next"].endswith("（Notebook）")


def code_cells(page: str) -> list:
    """The text of each code cell's code block, as Material's copy button copies it."""
    blocks = re.findall(
        r'<div class="jp-InputPrompt jp-InputArea-prompt">In\s\[\d+\]:</div>.*?<pre><code>(.*?)</code></pre>', page, re.DOTALL
    )
    return [html.unescape(re.sub(r"<[^>]+>", "", block)).rstrip("\n") for block in blocks]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_copy_button_of_a_notebook_cell_copies_the_snippet_as_it_is(cold_site, chapter):
    """Code cells are Material code blocks (its copy button); line breaks stay, whatever the text around them."""
    page = cold_site[1].page(f"notebooks/{chapter.stem}")
    assert code_cells(page) == [snippet.read_text(encoding="utf-8").rstrip("\n") for snippet in snippets_in_page_order(chapter)]
    assert "clipboard-copy" not in page and "Copy to Clipboard" not in page  # mkdocs-jupyter's English button


def test_notebook_pages_share_the_sites_styles_and_figures(cold_site):
    """No stylesheet or script inlined by nbconvert; figures are the chapter's light/dark files, each with its
    caption, where the chapter shows them; output is framed and labelled as on the chapter."""
    build = cold_site[1]
    for chapter in CHAPTERS:
        page = build.page(f"notebooks/{chapter.stem}")
        chapter_page = build.page(chapter.stem)
        assert "<style" not in page and "data:image" not in page and "jp-RenderedSVG" not in page
        assert len(re.findall(r"<script\b", page)) == len(re.findall(r"<script\b", chapter_page))
        figures = re.findall(r"<figure>(.*?)</figure>", page, re.DOTALL)
        assert len(figures) == len(re.findall(r"<figure>", chapter_page))
        for figure in figures:
            light, dark = re.findall(r'src="([^"]+)"', figure)
            assert light.startswith("../../figures/") and light.endswith(".svg#only-light")
            assert dark == light.replace(".svg#only-light", "-dark.svg#only-dark")
            assert "<figcaption>" in figure
        outputs = re.findall(r'<div class="(snippet-output[^"]*)"><span class="filename">([^<]+)</span>', page)
        assert outputs == re.findall(r'<div class="(snippet-output[^"]*)"><span class="filename">([^<]+)</span>', chapter_page)


def test_notebook_pages_keep_headings_figure_descriptions_captions_and_toc_text(cold_site):
    build = cold_site[1]
    for chapter in CHAPTERS:
        page = build.page(f"notebooks/{chapter.stem}")
        source = chapter.read_text(encoding="utf-8")
        assert "No description has been provided" not in page
        alts = re.findall(r'<img alt="([^"]*)"[^>]*#only-light', build.page(chapter.stem))  # quoted values filled in
        assert len(alts) == len(re.findall(r"^!\[.*\]\(figures/", source, re.MULTILINE))
        assert re.findall(r'<img alt="([^"]*)"[^>]*#only-light', page) == alts
        assert page.count("<figcaption>") == source.count("/// caption") + source.count("<figcaption>")
        assert not re.search(r"<blockquote>(?:(?!</blockquote>).)*<h[1-6]", page, re.DOTALL)  # no heading in a quote
        headings = [
            html.unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r'<h[2-6] id="[^"]*">(.*?)<a class="headerlink"', page)
        ]
        toc = re.findall(r'<a href="#[^"]+" class="md-nav__link">\s*<span class="md-ellipsis">\s*(.*?)\s*</span>', page)
        assert headings and [html.unescape(t) for t in toc[: len(headings)]] == headings  # inline code kept in the TOC


def test_notebooks_converted_again_reuse_the_compiled_templates(site_copy, cold_site):
    """nbconvert's templates are compiled once, into .cache/templates, and give the same pages again."""
    templates = site_copy.root / ".cache/templates"

    def build_converting(notebooks: bool) -> dict:
        if notebooks:
            shutil.rmtree(site_copy.root / ".cache/mkdocs-jupyter")  # every notebook is converted again
        build = site_copy.build(flags=("--verbose",))  # mkdocs-jupyter's lines are DEBUG (chapter_notebooks.py)
        assert build.returncode == 0, build.log
        assert tree_digest(build.site) == tree_digest(cold_site[1].site)
        converted = len(list(build.site.glob("notebooks/*/*.ipynb"))) if notebooks else 0
        assert build.log.count("DEBUG   -  Converting notebook") == converted
        return {path.name: path.stat().st_mtime_ns for path in templates.iterdir()}

    shutil.rmtree(templates)
    theme = build_converting(notebooks=False)
    first = build_converting(notebooks=True)
    assert len(first) > len(theme)  # the notebook templates joined the theme's
    assert build_converting(notebooks=True) == first  # and none was compiled again
    kept = json.loads((site_copy.root / ".cache/notebook-pages.json").read_text(encoding="utf-8"))
    assert len(kept["last"]) == len(list(cold_site[1].site.glob("notebooks/*/index.html")))  # each page's markup, kept


def test_a_windows_snippet_with_bom_and_crlf_gives_the_same_page_notebook_and_search_as_a_clean_one(site_copy):
    code = "# 你好\nprint('一行', 1)\n"
    site_copy.add_snippet("clean.py", code)
    site_copy.add_snippet("windows.py", "")
    (site_copy.root / "snippets/05-pytorch-basics/windows.py").write_bytes(b"\xef\xbb\xbf" + code.replace("\n", "\r\n").encode())
    build = site_copy.build()
    assert build.returncode == 0, build.log
    blocks = re.findall(
        r'<span class="filename">snippets/05-pytorch-basics/(?:clean|windows).py</span>(.*?)</pre>',
        build.page("05-pytorch-basics"),
        re.DOTALL,
    )
    clean, windows = (re.sub(r"__codelineno-\d+-", "", block) for block in blocks)  # line anchors count the blocks
    assert windows == clean and "# 你好" in clean
    cells = [
        cell
        for cell in nbformat.read(build.site / "notebooks/05-pytorch-basics/05-pytorch-basics.ipynb", as_version=4).cells
        if cell.cell_type == "code"
    ][-2:]
    assert [cell.source for cell in cells] == [code.rstrip("\n")] * 2  # Jupyter would refuse U+FEFF in a cell
    assert [cell.outputs[0].text for cell in cells] == ["一行 1\n"] * 2
    assert "\ufeff" not in (build.site / "search/search_index.json").read_text(encoding="utf-8")


def test_a_helper_module_can_be_listed_labelled_as_not_run_and_its_notebook_still_runs(site_copy, tmp_path):
    """The chosen exception to "every block runs": a `.listing` block shows a helper module beside the snippet
    that imports it, labelled so on the page; in the notebook its cell writes the file the next cell imports.
    A listing of a file no snippet imports fails the build."""
    page = "docs/05-pytorch-basics.md"
    site_copy.write("snippets/05-pytorch-basics/shapes_helper.py", 'def describe(t):\n    return f"形状 {tuple(t.shape)}"\n')
    text = (site_copy.root / page).read_text(encoding="utf-8")
    listing = '\n```{{ .python .listing title="snippets/05-pytorch-basics/{0}" }}\n--8<-- "05-pytorch-basics/{0}"\n```\n'
    site_copy.write(page, text + listing.format("shapes_helper.py"))
    site_copy.add_snippet(
        "uses_helper.py", "import torch\nfrom shapes_helper import describe\n\nprint(describe(torch.zeros(2, 3)))\n"
    )
    build = site_copy.build()
    assert build.returncode == 0, build.log
    shown = build.page("05-pytorch-basics")
    assert "辅助模块：不单独运行" in shown and "导入它的是 snippets/05-pytorch-basics/uses_helper.py" in shown
    assert "形状 (2, 3)" in shown and "Ran snippets/05-pytorch-basics/shapes_helper.py" not in build.log
    notebook = nbformat.read(build.site / "notebooks/05-pytorch-basics/05-pytorch-basics.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[-2].source.startswith("%%writefile shapes_helper.py\ndef describe(t):")
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    printed = "".join(output.text for output in code[-1].outputs if output.get("name") == "stdout")  # in chunks, as it came
    assert printed == "形状 (2, 3)\n"  # the reader's Jupyter imports what the cell wrote

    site_copy.write("snippets/05-pytorch-basics/unused_helper.py", "VALUE = 1\n")
    site_copy.write(page, text + listing.format("unused_helper.py"))
    build = site_copy.build()
    problems = [line for line in build.log.splitlines() if "unused_helper.py" in line]
    assert len(problems) == 1, problems  # its listing's error only: no "not included by any page" beside it
    line = text.count("\n") + 3
    assert (
        f'docs/05-pytorch-basics.md:{line}: cannot list "05-pytorch-basics/unused_helper.py": no included snippet '
        "imports or reads it: include it as code that runs instead (without .listing)"
    ) in build.log
