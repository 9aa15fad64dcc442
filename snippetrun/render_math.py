"""MkDocs hook: typeset the pages' LaTeX as MathML at build time.

pymdownx.arithmatex (generic mode) keeps `$...$` and `$$...$$` away from
Markdown and wraps them as `\\(...\\)` and `\\[...\\]`; this hook replaces each
with MathML, which browsers display natively: no script, no font, no network.
A formula latex2mathml cannot handle is an error naming the page and line.
"""

import html
import logging
import re

from latex2mathml.converter import convert

log = logging.getLogger("mkdocs.hooks.render_math")

# A formula in running text and the Chinese punctuation right after it (，。；：、）) stay on one line:
# Chrome would otherwise start the next line with the punctuation.
ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">\s*\\(?P<open>[(\[])(?P<tex>.*?)\\[)\]]\s*</(?P=tag)>'
    r"(?P<punctuation>[\u3000-\u303f\uff00-\uffef]?)",
    re.DOTALL,
)
# TeX sets a function name (\log, \exp, ...) apart from its argument; MathML needs the space written out.
FUNCTION_NAME = re.compile(r"(<mi>(?:log|ln|exp|sin|cos|tan|max|min|arg)</mi>)(?!<mo[^>]*>\()")
# On notebook pages (mkdocs-jupyter) TeX stays as $...$ inside the rendered Markdown cells.
NOTEBOOK_MARKDOWN = re.compile(r'(<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^>]*>)(.*?)(</div>)', re.DOTALL)
DOLLARS = re.compile(r"\$\$(?P<block>.+?)\$\$|\$(?P<inline>[^$\n]+?)\$", re.DOTALL)
# latex2mathml passes a command it does not know through as text, e.g. <mi>\foo</mi>.
UNKNOWN_COMMAND = re.compile(r">(\\[A-Za-z]+)<")


def on_page_content(content, page, config, files):
    content = NOTEBOOK_MARKDOWN.sub(lambda cell: cell[1] + DOLLARS.sub(_as_arithmatex, cell[2]) + cell[3], content)
    return ARITHMATEX.sub(lambda match: _with_punctuation(_mathml(match, page), match["punctuation"]), content)


def _with_punctuation(mathml: str, punctuation: str) -> str:
    return f'<span class="math-nobreak">{mathml}{punctuation}</span>' if punctuation else mathml


def _as_arithmatex(math: re.Match) -> str:
    if math["block"] is not None:
        return f'<div class="arithmatex">\\[{math["block"]}\\]</div>'
    return f'<span class="arithmatex">\\({math["inline"]}\\)</span>'


def _mathml(match: re.Match, page) -> str:
    tex = html.unescape(match.group("tex")).strip()
    display = "block" if match.group("open") == "[" else "inline"
    try:
        mathml = FUNCTION_NAME.sub(r'\1<mspace width="0.167em" />', convert(tex, display=display))
        if display == "block":  # a wide formula scrolls; keyboard users must reach it
            mathml = mathml.replace("<math ", '<math tabindex="0" ', 1)
        unknown = UNKNOWN_COMMAND.search(mathml)
        if unknown:
            raise ValueError(f"unknown command {unknown.group(1)}")
    except Exception as error:  # noqa: BLE001 - latex2mathml raises several unrelated types
        source = page.file.content_string  # the author's file, not the Markdown other hooks extended
        line = source.count("\n", 0, max(source.find(tex), 0)) + 1
        log.error(f"docs/{page.file.src_uri}:{line}: cannot typeset ${tex}$: {error or type(error).__name__}")
        return f'<code class="math-error">{html.escape(tex)}</code>'
    return mathml
