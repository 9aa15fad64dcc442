"""Sources that carry the trace of a swallowed backslash (\\frac -> form feed + "rac") fail the build."""

import re

from conftest import found

MANGLED = {  # what a Python string made of the TeX -> the command the error names
    "$w - 0.01 \\cdot \x0crac{\\partial l}{\\partial w}$": "\\frac",
    "$x \times y$": "\\times",
    "$$\n\\nabla f = 0,\n\nabla g = 0\n$$": "\\nabla",
}


def test_each_mangled_formula_fails_the_build_with_page_and_line(site_copy):
    page = site_copy.root / "docs/04-backpropagation.md"
    text = page.read_text()
    lines = {}
    for formula, command in MANGLED.items():
        text += "\n"
        lines[command] = text.count("\n") + 1 + formula.rsplit(command[2:], 1)[0].count("\n")
        text += f"公式：{formula}\n"
    page.write_text(text)
    build = site_copy.build()
    assert build.returncode != 0
    for command, line in lines.items():
        assert re.search(
            rf'docs/04-backpropagation.md:{line}: a formula has U\+00.. \(.*\) and "{command[2:]}" '
            rf"where \{command} was meant",
            build.log,
        ), command
    assert "docs/04-backpropagation.md:" in build.log and "control character U+000C (form feed)" in build.log


def test_a_control_character_in_a_snippet_or_figure_text_fails(site_copy):
    snippet = "snippets/03-matplotlib/meshgrid_plot.py"
    site_copy.write(snippet, 'import matplotlib.pyplot as plt\nplt.xlabel("$\\theta$")  # not a raw string\nplt.show()\n# \x0c\n')
    build = site_copy.build()
    assert build.returncode != 0
    assert f"{snippet}:4: control character U+000C (form feed)" in build.log
    assert "figure 1 has the text '$\\theta$': U+0009 (tab) and \"heta\" where \\theta was meant" in build.log


def test_the_chapter_5_update_rule_is_a_fraction(cold_site):
    html = cold_site[1].page("05-pytorch-basics")
    rule = found(r"<math[^>]*display=\"block\".*?</math>", html, re.DOTALL).group(0)
    assert "<mfrac>" in rule and "rac" not in re.sub(r"<[^>]+>", "", rule)
