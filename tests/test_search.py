"""Chinese search in a real browser: each key word lists the chapter that teaches it first."""

import pytest

TEACHING_CHAPTER = {
    "张量": "5. PyTorch 基础",
    "反向传播": "4. 反向传播理解",
    "梯度下降": "5. PyTorch 基础",
    "DataLoader": "7. 手写数字分类：Dataset、DataLoader 与 softmax",
    "nn.Linear": "6. 用 PyTorch 的方式写线性回归",
    "交叉熵": "7. 手写数字分类：Dataset、DataLoader 与 softmax",
    "线性回归": "2. 线性回归（穷举法）",
    "优化器": "6. 用 PyTorch 的方式写线性回归",
}
# A word is found as a word: not through a piece of it inside another word, nor a piece of an identifier.
NOT_MATCHED = {"反向传播": "传统", "梯度下降": "下面", "DataLoader": "data"}


def search(page, site_url, query: str):
    page.goto(site_url)
    page.wait_for_load_state("networkidle")  # the search worker has loaded the index
    box = page.locator("input.md-search__input")
    box.focus()
    box.fill(query)
    page.keyboard.press("End")  # Material queries on key events; fill() alone sends none
    items = page.locator(".md-search-result__item")
    items.first.wait_for(timeout=10_000)
    return items


@pytest.mark.parametrize("word", TEACHING_CHAPTER)
def test_search_ranks_the_teaching_chapter_first(page, site_url, word):
    items = search(page, site_url, word)
    first = items.first.locator("h1").inner_text().replace("\u200b", "")
    assert first == TEACHING_CHAPTER[word]
    if word in NOT_MATCHED:
        marked = [mark.replace("\u200b", "").lower() for mark in page.locator(".md-search-result mark").all_inner_texts()]
        assert marked and NOT_MATCHED[word] not in marked, marked
