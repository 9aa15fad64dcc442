"""The figures: the data they show is right, and every figure on every page is built, valid and small."""

import itertools
import re
import shutil
import xml.etree.ElementTree as ET
from importlib.util import find_spec
from pathlib import Path

import pytest

from conftest import PAGES, ROOT, SMALL_PAGE, found, linux_only
from test_build import summary

SVG_BUDGET = 100 * 1024
ZHPLOT = find_spec("zhplot")  # found, not imported: importing it would change this process's matplotlib fonts
assert ZHPLOT and ZHPLOT.origin, "zhplot is in the lock: pip install -r requirements.txt"
ZHPLOT_FONT = Path(ZHPLOT.origin).parent / "fonts" / "NotoSansSC-Regular.ttf"


def figure_data(snippet_results, name: str, number: int = 1) -> dict:
    result = snippet_results[ROOT / "snippets" / name]
    assert result.ok, result.error
    return result.figures[number - 1].data


def test_loss_curve_marks_the_minimum_at_w_2(snippet_results):
    (ax,) = figure_data(snippet_results, "02-linear-regression/exhaustive_search.py")["axes"]
    curve, marker = ax["lines"]
    assert len(curve["x"]) == 41 and (ax["xlabel"], ax["ylabel"]) == ("w", "损失（MSE）")
    lowest = curve["y"].index(min(curve["y"]))
    assert marker["x"] == [pytest.approx(2.0)] == [pytest.approx(curve["x"][lowest])]
    assert marker["y"] == [0.0]
    assert ax["texts"] == ["最小 MSE = 0.0（w = 2.0）"]


def test_point_set_shows_a_to_f_at_their_coordinates(snippet_results):
    (ax,) = figure_data(snippet_results, "03-matplotlib/meshgrid_points.py")["axes"]
    assert sorted(map(tuple, ax["points"][0])) == [(x, y) for x in (0, 1, 2) for y in (0, 1)]
    assert ax["texts"] == ["A (0, 0)", "B (1, 0)", "C (2, 0)", "D (0, 1)", "E (1, 1)", "F (2, 1)"]


def test_meshgrid_plot_is_20_by_20_dots(snippet_results):
    (ax,) = figure_data(snippet_results, "03-matplotlib/meshgrid_plot.py")["axes"]
    assert len(ax["lines"]) == 20 and all(len(line["x"]) == 20 for line in ax["lines"])
    assert {x for line in ax["lines"] for x in line["x"]} >= {0.0, 1000.0}


def test_computation_graph_gradients_equal_the_chain_rule(snippet_results):
    (ax,) = figure_data(snippet_results, "04-backpropagation/computation_graph.py")["axes"]
    x, y, w = 1.0, 2.0, 1.0
    r = x * w - y
    analytic = {"x": 2 * r * w, "w": 2 * r * x, "y": -2 * r, r"\hat{y}": 2 * r, "r": 2 * r, r"\mathrm{loss}": 1.0}
    drawn = {}
    for text in ax["texts"]:
        match = re.fullmatch(r"\$\\partial\\mathrm\{loss\}/\\partial (.+) = (\S+)\$", text)
        if match:
            drawn[match.group(1)] = float(match.group(2))
    assert drawn == analytic
    assert drawn["w"] == -2.0


def test_training_loss_falls_and_w_reaches_2(snippet_results):
    loss_ax, w_ax = figure_data(snippet_results, "05-pytorch-basics/linear_regression_autograd.py")["axes"]
    loss = loss_ax["lines"][0]["y"]
    assert loss_ax["yscale"] == "log" and len(loss) == 100
    assert all(later <= earlier for earlier, later in itertools.pairwise(loss))
    assert loss[-1] < loss[0] * 1e-9
    assert w_ax["lines"][0]["y"][-1] == pytest.approx(2.0, abs=1e-3)


def built_images(build):
    for page in sorted(build.site.rglob("*.html")):
        for tag in re.findall(r"<img [^>]*>", page.read_text(encoding="utf-8")):
            yield page, dict(re.findall(r'(\w+)="([^"]*)"', tag))


def test_every_page_figure_has_both_variants_chinese_alt_and_budget(cold_site):
    build = cold_site[1]
    figures = [(page, img) for page, img in built_images(build) if "figures/" in img["src"]]
    shown = sum(page.read_text(encoding="utf-8").count("](figures/") for page in PAGES)
    assert len(figures) == 2 * 2 * shown  # every figure a page shows, light and dark, on chapter and notebook page
    for page, img in figures:
        assert img["loading"] == "lazy"  # the browser fetches only the variant the scheme shows
        src, scheme = img["src"].split("#")
        svg = (page.parent / src).resolve()
        assert svg.is_relative_to(build.site) and svg.stat().st_size <= SVG_BUDGET, svg
        assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"
        assert scheme == ("only-dark" if svg.stem.endswith("-dark") else "only-light")
        assert re.search(r"[\u4e00-\u9fff]", img["alt"]), f"{page}: alt text must say in Chinese what {src} shows"
    lights = sorted(img["src"].replace(".svg#only-light", "") for _, img in figures if "only-light" in img["src"])
    darks = sorted(img["src"].replace("-dark.svg#only-dark", "") for _, img in figures if "only-dark" in img["src"])
    assert lights == darks


def test_dark_variant_is_recoloured_not_copied(cold_site):
    figures = cold_site[1].site / "figures/02-linear-regression"
    light = (figures / "exhaustive_search-1.svg").read_text()
    dark = (figures / "exhaustive_search-1-dark.svg").read_text()
    assert "#000000" in light and "#000000" not in dark  # black axes and text turn light
    assert "#e2e4e9" in dark


def test_figure_text_without_a_glyph_fails_the_build_and_says_how_to_draw_chinese(site_copy):
    """A character the figure's fonts lack would be a box: an error. Chinese needs `import zhplot`."""
    hieroglyph = site_copy.add_snippet(
        "hieroglyph.py", "import matplotlib.pyplot as plt\nimport zhplot\nplt.title('损失 \U00013000')\nplt.show()\n"
    )
    chinese = site_copy.add_snippet("no_zhplot.py", "import matplotlib.pyplot as plt\nplt.title('损失')\nplt.show()\n")
    build = site_copy.build()
    assert build.returncode != 0
    problems = [line for line in build.log.splitlines() if "snippet failed" in line]
    assert [line.split("-  ", 1)[1] for line in problems] == [
        f"snippets/05-pytorch-basics/hieroglyph.py:4: snippet failed (included by docs/05-pytorch-basics.md:{hieroglyph})",
        f"snippets/05-pytorch-basics/no_zhplot.py:3: snippet failed (included by docs/05-pytorch-basics.md:{chinese})",
    ], build.log
    assert build.log.count("missing from font") >= 2 and build.log.count("needs the line `import zhplot`") == 1


def test_figure_text_too_small_for_a_phone_is_a_warning_with_the_figure_shown_and_cached(site_copy):
    """A phone shows a figure at most 358 px wide (the browser tests check that): its smallest text must
    still be 9 px there. A 10-inch-wide figure with 8 pt tick labels would be about 4 px: the strict build
    fails on the warning, cold and warm, but the figure is on the page and in the cache, as it exists."""
    line = site_copy.add_snippet(
        "wide.py",
        "import matplotlib.pyplot as plt\nplt.figure(figsize=(10, 3))\nplt.plot([1, 2, 3])\nplt.xticks(fontsize=8)\nplt.show()\n",
    )
    chapter = (site_copy.root / "docs/05-pytorch-basics.md").read_text(encoding="utf-8")
    site_copy.write("docs/05-pytorch-basics.md", chapter + "\n![一条直线](figures/05-pytorch-basics/wide-1.svg)\n")
    for build in (site_copy.build(), site_copy.build("site-warm")):
        assert build.returncode != 0
        problems = [line for line in build.log.splitlines() if line.startswith(("WARNING", "ERROR"))]
        assert len(problems) == 1 and "snippet failed" not in build.log, problems
        assert re.fullmatch(
            r"WARNING -  snippets/05-pytorch-basics/wide.py: figure 1: its smallest text, '[\d.]+' at 8 pt, "
            r"is [34]\.\d\d px on a phone, which shows the \d+ px wide figure 358 px wide; a reader needs "
            r"9 px \(plugins.snippetrun.min_figure_text_px in mkdocs.yml\): make the figure narrower "
            r"\(figsize\), put its panels in fewer columns, or make the text larger \(fontsize\) "
            rf"\(included by docs/05-pytorch-basics.md:{line}\)",
            problems[0],
        )
        assert (build.site / "figures/05-pytorch-basics/wide-1.svg").exists()
        assert "手机上看不清：snippets/05-pytorch-basics/wide.py 的第 1 张图" in build.page("05-pytorch-basics")
    assert summary(build.log)[0] == 0  # the warm build ran nothing: the result was cached


def test_a_figure_never_shown_fails_instead_of_appearing_somewhere(site_copy):
    """`python snippet.py` shows no figure without plt.show(): neither chapter nor notebook may show one."""
    line = site_copy.add_snippet("never_shown.py", "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\n")
    build = site_copy.build()
    assert (
        f"snippets/05-pytorch-basics/never_shown.py:1: snippet failed (included by docs/05-pytorch-basics.md:{line})" in build.log
    )
    assert "the snippet drew 1 figure(s) it never shows: a reader running it sees nothing" in build.log
    assert not list(build.site.glob("figures/05-pytorch-basics/never_shown-*.svg"))  # no orphan file


@linux_only("the font is put where matplotlib looks on Linux (~/.fonts)")
def test_figures_never_use_a_font_of_the_machine(small_site, tmp_path):
    """A font installed on the machine (here in the user's font folder) is not used by the build: a reader
    without it would see other glyphs, and figures must be the same bytes everywhere."""
    fonts = tmp_path / "home" / ".fonts"
    fonts.mkdir(parents=True)
    shutil.copy(ZHPLOT_FONT, fonts)
    line = small_site.add_snippet(
        "os_font.py",
        "import matplotlib.pyplot as plt\nplt.rcParams['font.family'] = 'Noto Sans SC'\nplt.title('损失')\nplt.show()\n",
        page=SMALL_PAGE,
    )
    build = small_site.build(HOME=str(tmp_path / "home"), MPLCONFIGDIR=str(tmp_path / "mpl"))
    assert build.returncode != 0
    assert f"snippets/chapter-001/os_font.py:4: snippet failed (included by {SMALL_PAGE}:{line})" in build.log
    assert "missing from font(s) DejaVu Sans" in build.log  # the build fell back to matplotlib's own font


def test_optimizer_figure_shows_three_falling_curves(snippet_results):
    (ax,) = figure_data(snippet_results, "06-nn-module/compare_optimizers.py")["axes"]
    assert [line["label"] for line in ax["lines"]] == ["SGD", "SGD + momentum", "Adam"]
    assert ax["yscale"] == "log" and all(len(line["y"]) == 500 for line in ax["lines"])
    for line in ax["lines"]:
        assert line["y"][-1] < line["y"][0] * 1e-5


def test_digit_figures_show_labelled_samples_curves_and_mistakes(snippet_results):
    samples = figure_data(snippet_results, "07-digits-classifier/load_digits_data.py")["axes"]
    assert [ax["title"] for ax in samples] == [f"标签 {n % 10}" for n in range(24)]  # 4 rows of 6: a phone reads them
    loss_ax, accuracy_ax = figure_data(snippet_results, "07-digits-classifier/train_mlp.py")["axes"]
    loss, accuracy = loss_ax["lines"][0]["y"], accuracy_ax["lines"][0]["y"]
    assert len(loss) == len(accuracy) == 20 and loss[-1] < loss[0] / 10 and accuracy[-1] > 0.95
    mistakes = figure_data(snippet_results, "07-digits-classifier/train_mlp.py", 2)["axes"]
    assert len(mistakes) == 10
    for ax in mistakes:
        true, guess = found(r"\A标签 (\d)\n预测 (\d)\Z", ax["title"]).groups()
        assert true != guess
