"""What a terminal would show at the end, from what a snippet wrote.

A carriage return moves back to the start of the line and later text overwrites it (a progress bar
leaves its final state), a backspace moves back one character, ANSI escape sequences (colours,
cursor moves) are dropped, and no other control character reaches a page.
"""

import re

ESCAPE = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
CONTROL = re.compile(r"[\x00-\x07\x0b-\x1f\x7f]")  # keeps \t, \n; \b and \r are handled first


def screen_text(raw: str) -> str:
    return "\n".join(_final_line(line) for line in ESCAPE.sub("", raw).split("\n"))


def _final_line(line: str) -> str:
    if "\r" not in line and "\b" not in line:
        return CONTROL.sub("", line)
    cells: list[str] = []
    cursor = 0
    for char in line:
        if char == "\r":
            cursor = 0
        elif char == "\b":
            cursor = max(0, cursor - 1)
        elif not CONTROL.match(char):
            cells[cursor : cursor + 1] = [char]
            cursor += 1
    return "".join(cells).rstrip() if cells else ""
