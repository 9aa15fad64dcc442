"""How a snippet's printed output is framed, on chapter pages and notebook pages alike."""

from typing import NamedTuple

SCROLL_AFTER_LINES = 20  # longer output scrolls in its box (extra.css), and its label says so


class Stream(NamedTuple):
    title: str
    classes: str


STDOUT = Stream("输出", "snippet-output")
STDERR = Stream("标准错误（stderr）", "snippet-output snippet-stderr")
ERROR_TITLE = "运行出错"  # a failed snippet's error box; in a notebook, the first line of its error output


def title(label: str, text: str) -> str:
    lines = text.rstrip("\n").count("\n") + 1
    return f"{label}（共 {lines} 行，可滚动查看）" if lines > SCROLL_AFTER_LINES else label
