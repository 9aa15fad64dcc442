"""Formulas are typeset as MathML at build time; one latex2mathml cannot handle fails the build."""

import re

import pytest

from conftest import PAGES
from test_build import CHAPTERS

MATH_PAGES = [chapter for chapter in CHAPTERS if "$" in (PAGES[0].parent / f"{chapter}.md").read_text(encoding="utf-8")]


@pytest.mark.parametrize("page", MATH_PAGES)
def test_every_formula_is_mathml(cold_site, page):
    html = cold_site[1].page(page)
    source = (PAGES[0].parent / f"{page}.md").read_text(encoding="utf-8")
    formulas = len(re.findall(r"\$\$.+?\$\$|\$[^$\n]+\$", source, re.DOTALL))
    assert formulas > 0
    assert len(re.findall(r'<math [^>]*xmlns="http://www.w3.org/1998/Math/MathML"', html)) == formulas
    assert 'class="arithmatex"' not in html and "math-error" not in html


def test_block_formulas_are_display_math(cold_site):
    html = cold_site[1].page("04-backpropagation")
    assert html.count('display="block"') == 3


def test_formula_latex2mathml_cannot_handle_fails_the_build(site_copy):
    page = site_copy.root / "docs/04-backpropagation.md"
    text = page.read_text()
    page.write_text(text + "\n损失写作 $\\lossfunction{w}$。\n")
    build = site_copy.build()
    assert build.returncode != 0
    line = text.count("\n") + 2
    assert f"docs/04-backpropagation.md:{line}: cannot typeset $\\lossfunction{{w}}$: unknown command \\lossfunction" in build.log
