"""Chinese search in a real browser: each key word lists the chapter that teaches it near the top."""

import pytest

TEACHING_CHAPTER = {
    "张量": "5. PyTorch 基础",
    "反向传播": "4. 反向传播理解",
    "梯度": "4. 反向传播理解",
    "线性回归": "2. 线性回归（穷举法）",
    "损失函数": "2. 线性回归（穷举法）",
    "优化器": "6. 用 PyTorch 的方式写线性回归",
    "数据加载": "7. 手写数字分类：Dataset、DataLoader 与 softmax",
    "交叉熵": "7. 手写数字分类：Dataset、DataLoader 与 softmax",
}


@pytest.mark.parametrize("word", TEACHING_CHAPTER)
def test_search_finds_the_chapter(page, site_url, word):
    page.goto(site_url)
    page.wait_for_load_state("networkidle")  # the search worker has loaded the index
    box = page.locator("input.md-search__input")
    box.focus()
    box.fill(word)
    page.keyboard.press("End")  # Material queries on key events; fill() alone sends none
    titles = page.locator(".md-search-result__item > .md-search-result__link h1")
    titles.first.wait_for(timeout=10_000)
    top_three = [title.replace("\u200b", "") for title in titles.all_inner_texts()[:3]]
    assert TEACHING_CHAPTER[word] in top_three
