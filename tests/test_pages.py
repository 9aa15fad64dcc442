"""The pages as a reader sees them: every code block comes from snippets/ and is collected."""

import re

import pytest

from snippetrun.cjk_text import KEEP

from conftest import PAGES, pytest_markdown_docs_markdown_it

INCLUDE = re.compile(r'^[ \t]*--8<-- "[^"]+"$', re.MULTILINE)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_python_block_is_an_include(page):
    text = page.read_text(encoding="utf-8")
    blocks = re.findall(r"^([ \t]*)```python[^\n]*\n(.*?)^\1```", text, re.MULTILINE | re.DOTALL)
    for indent, body in blocks:
        assert re.fullmatch(rf'{indent}--8<-- "[^"]+"\n', body), f"inline Python in {page.name}:\n{body}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_include_is_run_as_page_code(page):
    """pytest-markdown-docs only sees top-level fences; an include it cannot see would go untested."""
    text = page.read_text(encoding="utf-8")
    fences = [t for t in pytest_markdown_docs_markdown_it().parse(text) if t.type == "fence" and t.info.split()[:1] == ["python"]]
    assert len(fences) == len(INCLUDE.findall(text))
    assert not any("--8<--" in fence.content for fence in fences)


def test_a_line_break_between_chinese_characters_shows_no_space(cold_site):
    """Authors wrap Chinese lines in the source (list items indent the next line); the browser must not
    show a space there, nor after Chinese punctuation before Latin text or code (「效果：PyTorch」)."""
    wrapped = re.compile(r"[\u4e00-\u9fff，。；：）」]\s*\n[ \t]*[\u4e00-\u9fff（「]|[，。；：）」]\s*\n[ \t]*(?:[A-Za-z]|CODE)")
    for page in cold_site[1].site.rglob("*.html"):
        text = KEEP.sub("CODE", page.read_text(encoding="utf-8"))
        assert not wrapped.findall(text), f"{page}: {wrapped.findall(text)}"
    assert "整理自一篇 2021 年 3 月 1 日的博客文章《pytorch_learn》。笔记先用" in cold_site[1].page(".")
