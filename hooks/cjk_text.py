"""MkDocs hook: a line break between two Chinese characters shows no space.

Authors wrap long Chinese lines in the Markdown source, and a browser shows each line break in a
paragraph as a space, which Chinese text does not have ("《pytorch_learn》。 笔记"). The rendered page
is joined wherever a line break sits between two CJK characters or CJK punctuation marks; code,
preformatted text, formulas and scripts keep their line breaks.
"""

import re

CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
LINE_BREAK = re.compile(rf"(?<={CJK})\n(?={CJK})")
KEEP = re.compile(r"<(pre|code|math|script|style|textarea)\b.*?</\1>", re.DOTALL)


def join_lines(html: str) -> str:
    pieces, start = [], 0
    for kept in KEEP.finditer(html):
        pieces += [LINE_BREAK.sub("", html[start:kept.start()]), kept[0]]
        start = kept.end()
    return "".join(pieces) + LINE_BREAK.sub("", html[start:])


def on_page_content(html, page, config, files):
    return join_lines(html)
