"""Each chapter as a notebook: same code as the page, rendered, downloadable, and runnable in Jupyter."""

import re

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import PAGES, ROOT

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
    assert f'href="{chapter.stem}.ipynb" download' in page
    assert "https://cdnjs" not in page  # the template's CDN MathJax is dropped
    if "$" in chapter.read_text(encoding="utf-8"):
        assert "<math" in page and 'class="arithmatex"' not in page  # typeset as MathML instead
    assert f'href="../notebooks/{chapter.stem}/"' in build.page(chapter.stem)  # the chapter links to it


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_in_a_fresh_kernel(cold_site, chapter, tmp_path):
    notebook = downloaded(cold_site[1], chapter)
    drawn = [sum(o.output_type == "display_data" for o in cell.outputs) for cell in notebook.cells if cell.cell_type == "code"]
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]
    inline = [sum("image/png" in o.get("data", {}) for o in cell.outputs) for cell in code]
    assert inline == drawn  # every figure the site shows also appears inline in Jupyter
