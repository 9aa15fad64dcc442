"""Chinese search: every term a chapter teaches is one word of the index, and finds that chapter first.

The terms come from the chapter pages themselves (the numbered pages of the nav, in its order), so a new
chapter's terms are tested without editing this file. A chapter teaches

- its tags (front matter `tags:`);
- the bold terms its text defines, the way the chapters introduce a term: with a translation in the
  other script right after the bold or inside it (**小批量**（batch）, **均方误差（MSE）**,
  **momentum（动量）**); named (这叫**前向传播**, 也叫**多层感知机**); opening a list item, as in a list
  of definitions (- **SGD**：…); or followed by the code or formula it names (**优化器** `torch.optim`,
  **梯度** $…$). Other bold text is emphasis (它们**不会**关闭梯度, 写在**当前目录**（按 README…）), and a
  bold word in a preview of another chapter ([第 2 章](…)用**穷举法**) is not taught there;
- in its headings, split at ：、，；+ and the connectors 与 和: code and Latin words (`nn.Module`,
  softmax 与交叉熵), the part in parentheses (线性回归（穷举法）) and, when that is a translation, the part
  before it too (张量（Tensor）); and a heading that is one run of Chinese the chapter's text also uses
  (## 计算图; not ## 接下来, nor ## 训练一个分类器).

A term's teaching chapter is the first chapter, in nav order, that teaches it (Tensor and tensor are one).
Each term is one word of that chapter's entries in the built search index (Material stores Chinese text
cut into words by jieba, with \u200b between them; words split at mkdocs.yml's search separator), and
typing it into the search box ranks that chapter first, with no highlight, in the results or in the first
result's link, that is a single character of the term or a word sharing only a piece of it (下面 for
梯度下降). Material searches a Chinese term by the longest word of the index it begins with (梯度下降 as
梯度*): terms it searches alike (梯度, 梯度下降) cannot rank different chapters first, and may find either's.
"""

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import markdown
import pytest
from bs4 import BeautifulSoup, NavigableString
from mkdocs.utils.yaml import yaml_load

from conftest import ROOT

CONFIG = yaml_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
CHAPTERS = [
    path for entry in CONFIG["nav"] for path in entry.values() if isinstance(path, str) and re.fullmatch(r"\d+-[^/]+\.md", path)
]

SEARCH = next(entry["search"] for entry in CONFIG["plugins"] if isinstance(entry, dict) and "search" in entry)
SEPARATOR = re.compile(SEARCH["separator"])  # the browser side splits text and queries at it
HAN = r"[\u3400-\u9fff]"
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*(?:\(\))?")  # nn.Module, scikit-learn, numpy.meshgrid()
PUNCTUATION = re.compile(r"\s*[：:、，,；;。+]\s*")
CONNECTORS = re.compile(r"\s*[：:、，,；;。+与和]\s*")  # a heading lists its topics: softmax 与交叉熵
GLOSSED = re.compile(r"(.+?)\s*[（(]\s*([^，,）)]+)[^）)]*[）)]")  # 均方误差（MSE）, 缓冲区（buffer，例如 …）
GLOSS_AFTER = re.compile(r"\s*[（(]\s*([^，,）)]+)")
NAMING = re.compile(r"(?:叫|叫做|称为|称作)\s*$")  # 这叫**前向传播**
NUMBERING = re.compile(r"^\d+(?:\.\d+)*\.?\s+")
WORD_JOINER = "\u2060"  # snippetrun/search_segments.py puts it before a lone character that opens a run

# A word is found as a word: not through a piece of it inside another word, nor a piece of an identifier.
NOT_MATCHED = {"反向传播": "传统", "梯度下降": "下面", "DataLoader": "data"}


def is_han(text: str) -> bool:
    return re.fullmatch(f"{HAN}+", text) is not None


def is_gloss(term: str, gloss: str) -> bool:
    """A translation: Latin (or code) for a Chinese term, Chinese for a Latin one."""
    if re.search(HAN, term):
        return re.search(HAN, gloss) is None and re.search(r"[A-Za-z]", gloss) is not None
    return is_han(gloss)


def names(text: str) -> list[str]:
    """The terms a defined bold span or a heading part names: itself, or a term and its translation."""
    glossed = GLOSSED.fullmatch(text)
    if glossed and is_gloss(*glossed.groups()):
        return [name for part in glossed.groups() for name in names(part)]
    return [text.removesuffix("()")] if is_han(text) or IDENTIFIER.fullmatch(text) else []


def blank(node) -> bool:
    return isinstance(node, NavigableString) and not node.strip()


def defines(strong) -> bool:
    """Whether the text around a bold span defines it as a term (see the module docstring)."""
    text, before = strong.get_text(), strong.previous_sibling
    glossed_inside = GLOSSED.fullmatch(text)
    glossed_after = GLOSS_AFTER.match("".join(node.get_text() for node in strong.next_siblings))
    after = next((node for node in strong.next_siblings if not blank(node)), "")
    item = strong.parent if strong.parent.name == "li" else strong.parent.parent
    opens_item = (
        item is not None
        and item.name == "li"
        and strong.parent in (item, item.find())
        and all(blank(node) for node in strong.previous_siblings)
    )
    return bool(
        (glossed_inside and is_gloss(*glossed_inside.groups()))
        or (glossed_after and is_gloss(text, glossed_after.group(1)))
        or (isinstance(before, NavigableString) and NAMING.search(before))
        or opens_item
        or (not isinstance(after, str) and (after.name == "code" or "arithmatex" in (after.get("class") or [])))
    )


def render(source: str) -> tuple[dict, BeautifulSoup]:
    """A page's front matter, and its Markdown as the site renders it (includes left out: they are code)."""
    front = re.match(r"---\n(.*?)\n---\n", source, re.DOTALL)
    extensions, configs = [], {}
    for entry in CONFIG["markdown_extensions"]:
        name, config = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        # toc: no ¶ in the headings' text; snippetrun.extension would run the book (under Zensical it does)
        if name not in ("pymdownx.snippets", "toc", "snippetrun.extension"):
            extensions.append(name)
            configs[name] = config or {}
    html = markdown.markdown(source[front.end() if front else 0 :], extensions=extensions, extension_configs=configs)
    return (yaml_load(front.group(1)) or {}) if front else {}, BeautifulSoup(html, "html.parser")


def taught_terms(source: str) -> list[str]:
    """The terms a chapter page teaches, in the order they come (see the module docstring)."""
    meta, soup = render(source)
    terms = [str(tag) for tag in meta.get("tags") or []]
    for strong in soup.find_all("strong"):
        if defines(strong):
            terms += [name for part in PUNCTUATION.split(strong.get_text().strip()) for name in names(part)]
    headings = [heading.extract() for heading in soup.find_all(re.compile(r"h[1-6]"))]
    prose = soup.get_text()
    for heading in headings:
        text = NUMBERING.sub("", heading.get_text().strip())
        terms += [
            code.get_text().removesuffix("()") for code in heading.find_all("code") if IDENTIFIER.fullmatch(code.get_text())
        ]
        if is_han(text) and text in prose:
            terms.append(text)  # a section named after its topic
        for part in CONNECTORS.split(text):
            aside = GLOSSED.fullmatch(part)
            if aside:
                terms += names(part) or names(aside.group(2))
            elif IDENTIFIER.fullmatch(part):
                terms.append(part.removesuffix("()"))
    return list(dict.fromkeys(terms))


def teaching_chapters() -> dict[str, str]:
    """Each term, as first spelled → the first chapter that teaches it, as the site's path: 04-backpropagation."""
    teaching: dict[str, str] = {}
    for chapter in CHAPTERS:
        for term in taught_terms((ROOT / "docs" / chapter).read_text(encoding="utf-8")):
            if term.lower() not in map(str.lower, teaching):
                teaching[term] = chapter.removesuffix(".md")
    return teaching


TEACHING = teaching_chapters()


class SearchIndex:
    """The built site's search/search_index.json, split into words as Material's browser side splits it:
    at its separator (mkdocs.yml's) and at HTML tags, lowercased."""

    def __init__(self, site: Path):
        index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
        self.texts, self.fields = {}, {}  # location → title and text; the words of each field, a tag a field
        for doc in index["docs"]:
            self.texts[doc["location"]] = re.sub(r"<[^>]*>", " ", f"{doc['title']} {doc['text']}")
            fields = [doc["title"], doc["text"], *doc.get("tags", [])]
            self.fields[doc["location"]] = [self.words(re.sub(r"<[^>]*>", " ", field)) for field in fields]
        self.vocabulary = {word for fields in self.fields.values() for words in fields for word in words}

    def words(self, text: str) -> list[str]:
        return [word.lower() for word in SEPARATOR.split(text) if word]

    def chapter(self, chapter: str, of: dict) -> list:
        return [value for location, value in of.items() if location.startswith(f"{chapter}/")]

    def has_word(self, chapter: str, term: str) -> bool:
        """Whether the term is one word (an identifier: its words in a row) in some entry of the chapter."""
        term_words = self.words(term)
        return any(
            words[i : i + len(term_words)] == term_words
            for fields in self.chapter(chapter, self.fields)
            for words in fields
            for i in range(len(words))
        )

    def cuts(self, chapter: str, term: str) -> list[str]:
        """How the chapter's entries cut the term into words: 前向|计算."""
        cut = re.compile("\u200b?".join(map(re.escape, term)), re.IGNORECASE)
        return sorted(
            {match[0].replace("\u200b", "|") for text in self.chapter(chapter, self.texts) for match in cut.finditer(text)}
        )

    def searched_as(self, term: str) -> str:
        """What Material's query segmenter searches a Chinese term by: the longest word of the index it begins with."""
        if not is_han(term):
            return term.lower()
        return next((term[:n] for n in range(len(term) - 1, 0, -1) if term[:n] in self.vocabulary), term)

    def alone(self, character: str) -> list[str]:
        """Where a character is a word of the index by itself, with the words around it."""
        return [
            f"{location}: …{'|'.join(words[max(0, i - 3) : i + 4])}…"
            for location, fields in self.fields.items()
            for words in fields
            for i, word in enumerate(words)
            if word == character
        ]


def fits(term: str, highlighted: str) -> bool:
    """Whether a word that a search for the term highlights belongs to the term: it begins with a word of the
    term or, for Chinese, with a head of it at least two characters long (the index word Material searches
    it by: 梯度 of 梯度下降). Never a single character of a longer term, nor a word sharing a later piece."""
    word = highlighted.replace("\u200b", "").replace(WORD_JOINER, "").strip().lower()
    heads = [
        piece[:n]
        for piece in map(str.lower, SEPARATOR.split(term))
        if piece
        for n in (range(2, len(piece) + 1) if is_han(piece) else [len(piece)])
    ]
    return not word or word.startswith(tuple(heads))


@pytest.fixture(scope="module")
def index(cold_site):
    return SearchIndex(cold_site[1].site)


def test_every_chapter_teaches_terms():
    assert [chapter for chapter in CHAPTERS if chapter.removesuffix(".md") not in TEACHING.values()] == []
    assert set(NOT_MATCHED) <= set(TEACHING)


RULE = {  # a page's Markdown → the terms it teaches
    "---\ntags: [张量]\n---\n这叫**前向传播**；一个**小批量**（batch）；**均方误差（MSE）**：": [
        "张量",
        "前向传播",
        "小批量",
        "均方误差",
        "MSE",
    ],
    "- **SGD + momentum（动量）**：…\n- **Adam**：…": ["SGD", "momentum", "动量", "Adam"],
    "交给**优化器** `torch.optim`，损失对 w 的**梯度** $g$": ["优化器", "梯度"],
    "它们**不会**关闭梯度；写在**当前目录**（按 README 运行）；每个样本**恰好出现一次**：": [],
    "- [第 2 章](02-linear-regression.md)用**穷举法**：": [],
    "# 2. 线性回归（穷举法）\n## 5.1 基本单位：张量（Tensor）\n## `DataLoader`：分批和打乱\n## softmax 与交叉熵": [
        "穷举法",
        "张量",
        "Tensor",
        "DataLoader",
        "softmax",
    ],
    "## 计算图\n\n画出计算图来求导。\n\n## 接下来\n\n## 训练一个分类器": ["计算图"],
}


@pytest.mark.parametrize("source", RULE)
def test_the_rule_takes_the_terms_a_page_defines(source):
    assert taught_terms(source) == RULE[source]


def test_a_highlight_fits_a_term_by_its_words_and_heads():
    assert not any(fits(term, word) for term, word in [*NOT_MATCHED.items(), ("张量", "张")])
    assert all(
        fits(term, word)
        for term, word in [
            ("梯度下降", "梯度"),
            ("梯度下降", "梯度方向"),
            ("DataLoader", "DataLoader："),
            ("nn.Module", "Module"),
        ]
    )


def test_every_term_is_one_word_of_its_chapter_in_the_index(index):
    cut = {
        term: f"{chapter}: {index.cuts(chapter, term) or 'not in its text'}"
        for term, chapter in TEACHING.items()
        if not index.has_word(chapter, term)
    }
    assert cut == {}, "cut into several words: add the term to snippetrun/search_words.txt"


class Results:
    def __init__(self, site_url: str, first_link: str, marks: list[str]):
        self.chapter = urlsplit(first_link).path.removeprefix(urlsplit(site_url).path).strip("/")  # "": home page
        self.highlight = parse_qs(urlsplit(first_link).query).get("h", [""])[0].split()  # what its page highlights
        self.marks = marks


@pytest.fixture(scope="module")
def search(browser, site_url):
    """Types a query into the search box of one page, kept for every term, and reads the results it shows."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(site_url)
    page.wait_for_load_state("networkidle")  # the search worker has loaded the index
    box, items = page.locator("input.md-search__input"), page.locator(".md-search-result__item")

    def results(query: str) -> Results:
        box.fill("")  # the last query's results go first, so the ones that come next are this query's
        page.keyboard.press("End")  # Material queries on key events; fill() alone sends none
        items.first.wait_for(state="detached")
        box.fill(query)
        page.keyboard.press("End")
        items.first.wait_for(timeout=10_000)
        first_link = items.first.locator("a").first.evaluate("a => a.href")
        return Results(site_url, first_link, page.locator(".md-search-result mark").all_inner_texts())

    yield results
    context.close()


@pytest.mark.parametrize("term", TEACHING)
def test_search_ranks_the_teaching_chapter_first(search, index, term):
    found = search(term)
    searched_as = index.searched_as(term)
    alike = {chapter for other, chapter in TEACHING.items() if index.searched_as(other) == searched_as}
    assert found.chapter in alike, (
        f"{found.chapter or 'the home page'} ranks first for {term} (searched as {searched_as}*),"
        f" not {TEACHING[term]}, the first chapter that teaches it: a tag ranks a chapter first"
    )
    stray = sorted({word for word in found.highlight + found.marks if not fits(term, word)})
    alone = {word: index.alone(word.lower())[:5] for word in stray if len(word) == 1}
    assert stray == [], (
        f"a search for {term} highlights {stray}; where a lone character is a word of the index: "
        f"{alone} (add the word it belongs to to snippetrun/search_words.txt)"
    )
