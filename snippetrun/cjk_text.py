"""MkDocs hook: a line break between two Chinese characters shows no space.

Authors wrap long Chinese lines in the Markdown source, and a browser shows each line break in a
paragraph as a space, which Chinese text does not have ("《pytorch_learn》。 笔记"). The rendered page
is joined wherever a line break sits between two CJK characters or CJK punctuation marks (also when
the next line is indented), and after CJK punctuation before Latin text; code, preformatted text,
formulas and scripts keep their line breaks.
"""

import re

CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
CJK_PUNCTUATION = r"[\u3000-\u303f\uff00-\uffef]"  # 。，：（ … take no space before Latin text either
# Between Chinese characters (the next line may be indented, as in a list item), or after Chinese
# punctuation before Latin text, inline code or math; never before a Markdown block (list, fence, heading).
LATIN = r"[A-Za-z0-9](?![.)] )|`(?!``)|\$"
LINE_BREAK = re.compile(rf"(?<={CJK})\n[ \t]*(?={CJK})|(?<={CJK_PUNCTUATION})\n[ \t]*(?={LATIN})")
# On a rendered page inline elements follow too: 「效果：<code>PyTorch</code>」.
HTML_LINE_BREAK = re.compile(rf"{LINE_BREAK.pattern}|(?<={CJK_PUNCTUATION})\n[ \t]*(?=<(?:code|a|strong|em|span|math)\b)")
# Code keeps its line breaks.
KEEP = re.compile(r"<(pre|code|math|script|style|textarea)\b.*?</\1>", re.DOTALL)


def join_lines(html: str) -> str:
    kept = [match.span() for match in KEEP.finditer(html)]

    def join(match):
        inside = any(begin <= match.start() < end for begin, end in kept)
        return match[0] if inside else ""

    return HTML_LINE_BREAK.sub(join, html)


def on_page_content(html, page, config, files):
    return join_lines(html)
