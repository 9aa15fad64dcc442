"""Values the prose quotes from a snippet's run (`{{ train_mlp.py: correct }}`): on the page, the notebook
page, the .ipynb and the search index; strict errors with page and line; prose that follows a new run."""

import json
import re

import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, found
from test_build import CHAPTERS, summary

QUOTE = re.compile(r"\{\{ (?P<snippet>[^\s:]+\.py): (?P<text>.*?)\s*\}\}")
TRAINING = {"07-digits-classifier/train_mlp.py": "07-digits-classifier", "08-cnn/train_cnn.py": "08-cnn"}


def cache_values(site_root) -> dict:
    """Snippet name -> the values its newest cache entry holds: what the build quoted."""
    entries = sorted((site_root / ".cache/snippets").glob("*.json"), key=lambda path: path.stat().st_mtime_ns)
    values = {}
    for path in entries:
        entry = json.loads(path.read_bytes().split(b"\n", 1)[1])
        values[entry["snippet"].removeprefix("snippets/")] = entry["values"]
    return values


def quotes_of(chapter: str, root=ROOT) -> list:
    """(snippet name, quote text, whether it is in a figure's alt text) of every quote in the chapter's source."""
    source = (root / "docs" / f"{chapter}.md").read_text(encoding="utf-8")
    return [
        (
            m["snippet"] if "/" in m["snippet"] else f"{chapter}/{m['snippet']}",
            m["text"],
            source.rfind("![", 0, m.start()) > source.rfind("\n", 0, m.start()),
        )
        for m in QUOTE.finditer(source)
    ]


def shown_in(place: str, text: str, value: str, in_alt: bool) -> bool:
    """Whether `text` of that place shows the value. The .ipynb has its figures as outputs, without alt text;
    the search index holds no alt text."""
    return (place in (".ipynb", "search") and in_alt) or value in (text.replace("\\", "") if place == ".ipynb" else text)


def prose(html: str) -> str:
    """What a reader reads on the page, alt texts included; code and outputs left out."""
    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article") or soup
    for code in article.select("pre, code, script"):
        code.decompose()
    alts = " ".join(str(image.get("alt", "")) for image in article.select("img"))
    return re.sub(r"\s+", " ", article.get_text(" ") + " " + alts)


def notebook_prose(site, chapter: str) -> str:
    notebook = json.loads((site / f"notebooks/{chapter}/{chapter}.ipynb").read_text(encoding="utf-8"))
    return "\n".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown")


def search_text(site, chapter: str) -> str:
    docs = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    return " ".join(doc["text"] for doc in docs if doc["location"].startswith(f"{chapter}/")).replace("\u200b", "")


@pytest.mark.parametrize("chapter", [chapter for chapter in CHAPTERS if quotes_of(chapter)])
def test_every_quoted_value_is_on_the_page_notebook_download_and_search(cold_site, chapter):
    copy, build = cold_site
    values = cache_values(copy.root)
    places = {
        "page": prose(build.page(chapter)),
        "notebook page": prose(build.page(f"notebooks/{chapter}")),
        ".ipynb": notebook_prose(build.site, chapter),
        "search": search_text(build.site, chapter),
    }
    for snippet, text, in_alt in quotes_of(chapter):
        value = values[snippet][text]["value"]
        for place, shown in places.items():
            assert shown_in(place, shown, value, in_alt), (place, snippet, text, value)
    for place, shown in places.items():
        assert not QUOTE.search(shown) and "无法引用" not in shown, place


def test_the_snippets_as_readers_run_them_print_no_restated_result():
    """Chapter 8 compares with chapter 7 by quoting its run, not by a print of numbers typed in."""
    assert "MLP" not in (ROOT / "snippets/08-cnn/train_cnn.py").read_text(encoding="utf-8").split("print(", 1)[1]


# What the quotes below quote: a snippet of their own, so that no book snippet runs again for them.
QUOTED = 'correct = 3\nmodel = "\\n".join(f"第 {n} 层" for n in range(1, 15))  # a value of 14 lines\n'
MISTAKES = {  # quote -> the reason the build gives
    "{{ quoted.py: not_defined_anywhere }}": "NameError: name 'not_defined_anywhere' is not defined "
    "(the snippet defines no such name when it ends)",
    "{{ quoted.py: correct / 0 }}": "ZeroDivisionError: division by zero",
    "{{ quoted.py: model }}": "its value is 14 lines long; a quoted value is one short line",
    "{{ quoted.py: 'x' * 100 }}": "its value, 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'…, is not one "
    "short line (at most 60 printable characters): quote a number or a short text",
    "{{ no_such_snippet.py: correct }}": "snippets/08-cnn/no_such_snippet.py does not exist",
    "{{ quoted.py: correct + }}": "invalid syntax",
    "{{ correct }}": "write {{ <snippet>.py: <expression> }}, e.g. {{ train_mlp.py: correct / len(y_test):.2% }}",
    "{{ orphan.py: 1 }}": "snippets/08-cnn/orphan.py is not included by any page; a page quotes only a snippet whose "
    "code the site shows",
}


def test_each_quoting_mistake_fails_the_strict_build_once_with_page_line_and_reason(site_copy):
    page = "docs/08-cnn.md"
    text = (site_copy.root / page).read_text(encoding="utf-8")
    site_copy.write("snippets/08-cnn/orphan.py", "print(1)\n")
    lines = ["", "| 模型 | 值 |", "| --- | --- |", *(f"| 第 {n} 个 | {quote} |" for n, quote in enumerate(MISTAKES, 1))]
    lines += ["", "一个失败的代码的值只报一次错：{{ failing.py: value }}。"]
    site_copy.write(page, text + "\n".join(lines) + "\n")
    line = site_copy.add_snippet("failing.py", "value = 1\nraise RuntimeError('坏了')\n", page=page)
    site_copy.add_snippet("quoted.py", QUOTED, page=page)
    build = site_copy.build()
    assert build.returncode != 0
    first = text.count("\n") + 4
    expected = {
        f"docs/08-cnn.md:{first + n}: cannot quote {_as_written(quote)}: {why}" for n, (quote, why) in enumerate(MISTAKES.items())
    }
    errors = [line for line in build.log.splitlines() if line.startswith("ERROR")]
    quoted = {line.removeprefix("ERROR   -  ") for line in errors if "cannot quote" in line}
    assert quoted == expected
    failing = [line for line in errors if "failing.py" in line]  # one mistake, one message: at its code
    assert failing == [f"ERROR   -  snippets/08-cnn/failing.py:2: snippet failed (included by docs/08-cnn.md:{line})"]
    assert "orphan.py is not included by any page" in build.log  # the orphan warning, beside the quote's error

    shown = build.page("08-cnn")  # the strict build wrote the pages before it gave up: serve shows them so
    marks = re.findall(r'<span class="quoted-value-error">(.*?)</span>', shown)
    assert len(marks) == len(MISTAKES) and all(mark.startswith("无法引用 {{ ") for mark in marks)
    assert "（snippets/08-cnn/failing.py 运行失败，这里没有值）" in shown


def _as_written(quote: str) -> str:
    """The quote as the build names it: its snippet with the chapter's folder."""
    return re.sub(r"\{\{ (\w+\.py):", r"{{ 08-cnn/\1:", quote)


def test_prose_follows_new_outputs_when_the_training_seeds_change(site_copy, cold_site):
    """Every value the chapters quote from the two training runs is that run's, after a new seed; no old
    figure is left in the site."""
    for snippet in TRAINING:
        path = site_copy.root / "snippets" / snippet
        code = path.read_text(encoding="utf-8")
        assert code.count("torch.manual_seed(0)") == 1
        path.write_text(code.replace("torch.manual_seed(0)", "torch.manual_seed(1)"), encoding="utf-8")
    build = site_copy.build()
    assert build.returncode == 0, build.log
    assert summary(build.log)[0] == len(TRAINING)  # the two training snippets only
    old, new = cache_values(cold_site[0].root), cache_values(site_copy.root)

    outputs = {snippet: _printed(build.page(chapter), snippet) for snippet, chapter in TRAINING.items()}
    mlp_right = int(found(r"测试集: (\d+)/450", outputs["07-digits-classifier/train_mlp.py"])[1])
    cnn_right = int(found(r"测试集 (\d+)/450", outputs["08-cnn/train_cnn.py"])[1])
    chapter7, chapter8 = (prose(build.page(chapter)) for chapter in TRAINING.values())
    assert f"分错了 {450 - mlp_right} 张" in chapter7  # the prose states what the output above it printed
    assert f"MLP 是 {450 - mlp_right} 张" in chapter8 and f"CNN 是 {450 - cnn_right} 张" in chapter8

    changed = 0
    for chapter in CHAPTERS:
        places = {
            "page": prose(build.page(chapter)),
            "notebook page": prose(build.page(f"notebooks/{chapter}")),
            ".ipynb": notebook_prose(build.site, chapter),
        }
        for snippet, text, in_alt in quotes_of(chapter, site_copy.root):
            value = new[snippet][text]["value"]
            assert all(shown_in(place, shown, value, in_alt) for place, shown in places.items()), (snippet, text, value)
            changed += snippet in TRAINING and value != old[snippet][text]["value"]
    assert changed >= 10  # accuracies, wrong counts, losses, epochs and dead kernels all moved with the seed

    figures = {path.relative_to(build.site).as_posix() for path in (build.site / "figures").rglob("*.svg")}
    cold_figures = {path.relative_to(cold_site[1].site).as_posix() for path in (cold_site[1].site / "figures").rglob("*.svg")}
    assert figures == cold_figures  # the same figures by name, and no other
    for snippet in TRAINING:
        stem = f"figures/{snippet.removesuffix('.py')}-1.svg"
        assert (build.site / stem).read_bytes() != (cold_site[1].site / stem).read_bytes(), stem


def _printed(html: str, snippet: str) -> str:
    """The standard output the page shows under the snippet's code."""
    soup = BeautifulSoup(html, "html.parser")
    title = soup.find(string=f"snippets/{snippet}")
    block = title.find_parent(class_="highlight") if title else None
    output = block.find_next(class_="snippet-output") if block else None  # stdout comes first
    assert output is not None, snippet
    return output.get_text()
