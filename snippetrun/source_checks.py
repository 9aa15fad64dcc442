"""MkDocs hook: refuse sources that carry the trace of a swallowed backslash.

A Python string escape turns TeX's `\\frac` into a form feed and "rac", `\\times` into a tab and
"imes", `\\nabla` into a newline and "abla". Such text is valid TeX and renders wrong without any
error, so the strict build fails on it instead, with file:line:
- a control character other than tab and newline in a page, a snippet or a generated notebook;
- in a formula, a tab or newline directly followed by the rest of a TeX command name.
"""

import logging
import re
import unicodedata
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.source_checks")

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ESCAPES = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v"}
# Common TeX commands that start with a letter Python's escapes use: what is left after the escape.
COMMANDS = (
    "alpha approx angle arccos arcsin arctan aleph ast beta bar begin binom bmatrix boldsymbol bullet "
    "boxed breve backslash frac forall nabla neq notin nearrow rho rightarrow right rangle rfloor rceil "
    "times theta tau text textbf tilde top triangle tanh vec varepsilon vartheta varphi vdots vmatrix"
)
TAILS = {
    letter: sorted((c[1:] for c in COMMANDS.split() if c[0] == letter), key=len, reverse=True) for letter in set(ESCAPES.values())
}
MANGLED = re.compile("|".join(f"{re.escape(char)}(?:{'|'.join(TAILS[letter])})(?![A-Za-z])" for char, letter in ESCAPES.items()))
FORMULA = re.compile(r"\$\$.+?\$\$|\$[^$]+?\$", re.DOTALL)


def problems(text: str, source: str) -> list:
    """`source:line: why` for each trace of a swallowed backslash in `text`."""
    found = [(m.start(), _control(m[0])) for m in CONTROL.finditer(text)]
    for formula in FORMULA.finditer(text):
        for m in MANGLED.finditer(formula[0]):
            command = "\\" + ESCAPES[m[0][0]] + m[0][1:]
            found.append(
                (
                    formula.start() + m.end() - 1,
                    (
                        f'a formula has {_name(m[0][0])} and "{m[0][1:]}" where '
                        f"{command} was meant: write the backslash twice or use a raw string"
                    ),
                )
            )
    return [f"{source}:{text.count(chr(10), 0, at) + 1}: {why}" for at, why in sorted(set(found))]


def swallowed_backslash(text: str) -> str | None:
    """For a short text such as a figure label: the first trace of a swallowed backslash, in words."""
    mangled = MANGLED.search(text)
    if mangled:
        return f'{_name(mangled[0][0])} and "{mangled[0][1:]}" where \\{ESCAPES[mangled[0][0]]}{mangled[0][1:]} was meant'
    control = CONTROL.search(text)
    return _control(control[0]) if control else None


def _control(char: str) -> str:
    hint = f' (in "\\{ESCAPES[char]}" a Python string swallowed the backslash?)' if char in ESCAPES else ""
    return f"control character {_name(char)} in the source{hint}"


def _name(char: str) -> str:
    return f"U+{ord(char):04X} ({unicodedata.name(char, '').lower() or _CONTROL_NAMES.get(char, 'control')})"


_CONTROL_NAMES = {
    "\a": "bell",
    "\b": "backspace",
    "\t": "tab",
    "\n": "newline",
    "\v": "vertical tab",
    "\f": "form feed",
    "\r": "carriage return",
    "\x1b": "escape",
    "\x00": "null",
}


def on_files(files, config):
    sources = [(file.content_string, f"docs/{file.src_uri}") for file in files.documentation_pages()]
    base = Path(config.mdx_configs["pymdownx.snippets"]["base_path"][0])
    sources += [
        (path.read_text(encoding="utf-8-sig", errors="replace"), f"snippets/{path.relative_to(base).as_posix()}")
        for path in sorted(base.rglob("*.py"))
    ]
    for text, source in sources:
        for problem in problems(text, source):
            log.error(problem)
    return files
