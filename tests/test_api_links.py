"""Names in code link to their API pages (snippetrun/code_links.py, executor/api_names.py and api_urls.py)."""

import ast
import html
import io
import json
import re
import tokenize

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from snippetrun.executor.protocol import ApiTarget

from conftest import PAGES, ROOT, found

GOLDEN = ROOT / "tests" / "api-links.tsv"
CHAPTERS = [page.stem for page in PAGES if "--8<--" in page.read_text(encoding="utf-8")]
LINK = re.compile(r'<a class="api-link" href="(?P<href>[^"]*)" title="(?P<title>[^"]*)">(?P<text>[^<]*)</a>')
# What the issue counts as a library name: chains from these roots (outside import lines), and two classes
LIBRARY_ROOT = re.compile(r"torch|nn|optim|np|plt|ax\w*|sklearn")
LIBRARY_NAMES = {"DataLoader", "TensorDataset"}
LIBRARIES = {"torch", "numpy", "matplotlib", "sklearn"}


def golden() -> dict[str, str]:
    """tests/api-links.tsv: every name the site links, its URL, and how the URL was checked."""
    rows = [line.split("\t") for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    return {name: url for name, url, _checked in rows}


def linked_targets(snippet_results) -> dict[str, ApiTarget]:
    return {name: target for result in snippet_results.values() for name, target in result.targets.items() if target.url}


def test_every_linked_name_and_its_url_are_in_the_golden_table(snippet_results):
    linked = {name: target.url for name, target in linked_targets(snippet_results).items()}
    table = golden()
    assert {n: u for n, u in linked.items() if table.get(n) != u} == {}, "new or changed links: add them to tests/api-links.tsv"
    assert sorted(set(table) - set(linked)) == [], "the site no longer links these: remove them from tests/api-links.tsv"


def test_the_tooltip_shows_the_signature_of_the_installed_version(snippet_results, cold_site):
    conv = linked_targets(snippet_results)["torch.nn.Conv2d"]
    assert conv.signature == "torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, …)"
    assert conv.summary.startswith("Applies a 2D convolution over an input signal")
    page = cold_site[1].page("08-cnn")
    titles = {html.unescape(link["title"]) for link in LINK.finditer(page) if link["text"] == "Conv2d"}
    assert titles == {f"{conv.signature}\n{conv.summary}"}


def _library_names(code: str):
    """(line, start, end) of the last name of each library chain in the code, found by Python's tokenizer
    (not in comments or strings) outside import lines: chains from the usual aliases, and the names
    imported from the libraries (`from torch.utils.data import DataLoader`)."""
    imported = {
        alias.asname or alias.name
        for node in ast.walk(ast.parse(code))
        if isinstance(node, ast.ImportFrom) and (node.module or "").partition(".")[0] in LIBRARIES
        for alias in node.names
    }
    lines = code.splitlines()
    for chain in _chains(code):
        first, last = chain[0], chain[-1]
        if lines[first.start[0] - 1].lstrip().startswith(("import ", "from ")):
            continue
        if (LIBRARY_ROOT.fullmatch(first.string) and len(chain) > 1) or first.string in imported | LIBRARY_NAMES:
            yield last.start[0], last.start[1], last.end[1]


def _chains(code: str):
    """Each run of NAME tokens joined by dots: a.b.c -> [a, b, c]."""
    chain: list[tokenize.TokenInfo] = []
    dotted = False
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.NAME and (not chain or dotted):
            chain.append(token)
            dotted = False
        elif token.string == "." and chain and not dotted:
            dotted = True
        else:
            if chain:
                yield chain
            chain, dotted = ([token] if token.type == tokenize.NAME else []), False
    if chain:
        yield chain


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_nine_in_ten_library_names_of_each_chapter_link_on_its_pages(chapter, snippet_results, cold_site):
    """Counted by Python's tokenizer, independently of the resolver; the links are on the chapter page and
    on its notebook page, at exactly those characters, and the notebook to download stays plain code."""
    results = {path: result for path, result in snippet_results.items() if path.parent.name == chapter}
    total = linked = 0
    for path, result in results.items():
        code = path.read_text(encoding="utf-8-sig")
        spans = {(name.line, name.start, name.end) for name in result.names if result.targets[name.target].url}
        wanted = list(_library_names(code))
        total += len(wanted)
        linked += sum(span in spans for span in wanted)
        lines = code.splitlines()
        for name in result.names:  # each span is the name itself, in characters
            assert re.fullmatch(r"\w+", lines[name.line - 1][name.start : name.end]), (path, name)
    assert total and linked / total >= 0.9, f"{chapter}: {linked} of {total} library names link"
    names = [
        lines[name.line - 1][name.start : name.end]
        for path, result in sorted(results.items())
        for lines in [path.read_text(encoding="utf-8-sig").splitlines()]
        for name in result.names
    ]
    for page, own in ((chapter, True), (f"notebooks/{chapter}", False)):
        shown = [link["text"] for link in LINK.finditer(cold_site[1].page(page))]
        expected = [n for n, t in zip(names, _targets_in_order(results), strict=True) if own or t.url]
        assert sorted(shown) == sorted(expected), page
    notebook = json.loads((cold_site[1].site / f"notebooks/{chapter}/{chapter}.ipynb").read_text(encoding="utf-8"))
    assert not any("api-link" in "".join(cell["source"]) for cell in notebook["cells"])


def _targets_in_order(results):
    return [result.targets[name.target] for _, result in sorted(results.items()) for name in result.names]


def test_a_name_the_snippet_defines_links_to_its_line_on_the_page(cold_site):
    page = cold_site[1].page("08-cnn")
    links = [link for link in LINK.finditer(page) if link["text"] == "DigitsCNN"]
    assert links and all(link["href"].startswith("#__codelineno-") for link in links)
    for link in links:
        assert f'id="{link["href"][1:]}"' in page  # the line anchor exists
        line = re.search(rf'id="{link["href"][1:]}".*?\n', page, re.DOTALL)
        assert line and "DigitsCNN" in re.sub(r"<[^>]*>", "", line.group())
        assert "（本段代码第" in html.unescape(link["title"])


UNSURE = """\

import math
import os.path
from pathlib import (
    Path,
)

note = "张量：中文在前，列号不变"; root = math.sqrt(2.0)
value = [1, 2]
value = "a, b"
total = 0.0


class Counter:
    sqrt = "in a class body, not math's"

    def count(self):
        global total
        return total.real, self.sqrt.upper()


print(value.split(","), Path("x").name, note, root, Counter().count(), os.path.join("a", "b"))
"""  # a blank first line (Pygments drops it); value held a list, then a str; total is rebound by `global`


def test_links_sit_on_their_characters_after_chinese_and_never_guess(small_site):
    """A line with Chinese before a name links exactly the name; a name whose value changed type links
    nothing; when a name stops resolving, the next build says so in one INFO line, and does not fail."""
    small_site.add_snippet("unsure.py", UNSURE)
    build = small_site.build()
    assert build.returncode == 0, build.log
    page = build.page(small_site.chapter)
    block = found(r"snippets/chapter-001/unsure\.py</span>(.*?)</pre>", page, re.DOTALL).group(1)
    texts = [link["text"] for link in LINK.finditer(block)]
    # not split (value held two types), real (total is rebound by a function), upper (a class attribute),
    # count (the snippet's own method), nor Counter (its own class: this site's blocks have no line anchors)
    assert texts == ["Path", "sqrt", "print", "Path", "name", "join"]
    line = next(line for line in block.split("\n") if "张量" in line)
    assert re.sub(r"<[^>]*>", "", line).endswith('note = "张量：中文在前，列号不变"; root = math.sqrt(2.0)')
    assert ">sqrt</a>" in line
    small_site.write(f"snippets/{small_site.chapter}/unsure.py", UNSURE + "math = None  # now math held two types\n")
    again = small_site.build()
    assert again.returncode == 0, again.log
    assert found(r"INFO\s+-\s+snippets/chapter-001/unsure\.py: math\.sqrt no longer links to its API page.*", again.log)


def test_the_copy_button_copies_plain_code_and_the_signature_shows_on_hover_focus_and_tap(browser, site_url, cold_site):
    """Material's copy button gives the code without markup; hovering or focusing a name shows Material's
    tooltip, with an accessible name; on a phone the first tap shows it, the second follows the link."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(site_url + "08-cnn/")
    block = page.locator(".md-typeset div.highlight", has=page.locator("span.filename", has_text="train_cnn.py"))
    copy = block.locator("button[data-md-type=copy]")
    copy.click()
    assert page.evaluate("navigator.clipboard.readText()") == (ROOT / "snippets/08-cnn/train_cnn.py").read_text().rstrip("\n")
    # Material's tooltip took the icon button's title (accessibility.js keeps it as its name: axe below)
    expect(copy).to_have_attribute("aria-describedby", re.compile(r"^__tooltip"))
    assert copy.get_attribute("title") is None and copy.get_attribute("aria-label") == "复制"
    conv = block.locator("a.api-link", has_text="Conv2d").first
    for show in (conv.hover, conv.focus):
        page.mouse.move(0, 0)
        page.evaluate("document.activeElement.blur()")
        show()
        tooltip = page.locator(".md-tooltip2--active[role=tooltip]")
        tooltip.wait_for()
        assert tooltip.inner_text().startswith("torch.nn.Conv2d(in_channels, out_channels, kernel_size")
        assert conv.get_attribute("aria-describedby") == tooltip.get_attribute("id")
    violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []  # with the tooltip shown
    context.close()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = phone.new_page()
    page.route("https://**", lambda route: route.abort())  # followed, but nothing leaves this machine
    page.goto(site_url + "08-cnn/")
    conv = page.locator("a.api-link", has_text="Conv2d").first
    conv.scroll_into_view_if_needed()
    conv.tap()
    page.locator(".md-tooltip2--active[role=tooltip]").wait_for()
    assert page.url == site_url + "08-cnn/"  # the first tap stays on the page
    with page.expect_request(lambda request: request.is_navigation_request()) as followed:
        conv.tap()
    assert followed.value.url == "https://docs.pytorch.org/docs/2.13/generated/torch.nn.Conv2d.html"
    phone.close()
