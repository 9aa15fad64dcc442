"""The figures a snippet draws: saved as SVG for the light scheme, recoloured for the dark one,
and described as data (lines, points, texts) that the tests check."""

import io
import json
import re
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib.typing import RcKeyType

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager
from matplotlib.colors import to_hex, to_rgb
from matplotlib.text import Text

# Figures are drawn only with fonts that come with the lock: matplotlib's own (DejaVu) and those a snippet
# registers, such as zhplot's Noto Sans SC for Chinese. The OS's fonts are left out, so a figure is the
# same bytes on every machine, and a snippet that would need one fails here as it would for a reader.
_BUNDLED = Path(matplotlib.get_data_path()).resolve()
font_manager.fontManager.ttflist = [
    font for font in font_manager.fontManager.ttflist if Path(font.fname).resolve().is_relative_to(_BUNDLED)
]
CJK_HINT = (
    "Chinese text in figures needs the line `import zhplot` after `import matplotlib.pyplot as plt`: "
    "it draws Chinese with the font that comes with requirements.txt"
)
# Fixed salt and no date: the same figure gives byte-identical SVG; text stored as paths needs no font
# on the reader's side.
SVG_RC: dict[RcKeyType, Any] = {"svg.hashsalt": "run_snippets", "svg.fonttype": "path"}
DARK_FG, DARK_BG = np.array(to_rgb("#e2e4e9")), np.array(to_rgb("#1e2029"))  # Material's slate text and page
BACKGROUND = "background"  # the gid that marks the figure's and the axes' background patches
BACKGROUND_FILL = re.compile(r'(<g id="background(?:_\d+)?">\s*<path [^>]*?style=")fill: #[0-9a-f]{6}')
HEX_COLOR = re.compile(r"((?:fill|stroke): )#([0-9a-f]{6})\b")


def save_open_figures(out: Path, already: int) -> list[str]:
    """Save every open figure (what `plt.show()` would display) in both schemes, then close it.
    The figure is rendered once; the dark variant is derived from that SVG."""
    saved: list[str] = []
    for number in plt.get_fignums():
        figure, name = plt.figure(number), f"fig-{already + len(saved) + 1}"
        light = svg(figure)
        (out / f"{name}.json").write_text(json.dumps(figure_data(figure, light)))
        (out / f"{name}.svg").write_text(light)
        (out / f"{name}-dark.svg").write_text(dark_svg(light))
        saved.append(name)
    plt.close("all")
    return saved


def svg(figure) -> str:
    """The figure as SVG, cropped to what it draws, its backgrounds marked for `dark_svg`."""
    figure.patch.set_gid(BACKGROUND)
    for ax in figure.axes:
        ax.patch.set_gid(BACKGROUND)
    light = io.StringIO()
    figure.savefig(light, format="svg", bbox_inches="tight", metadata={"Date": None})
    return light.getvalue()


def figure_data(figure, light: str) -> dict:
    """What a figure shows, as data the tests check, and the sizes that decide whether a phone can show it."""
    return {
        "width_pt": float(_svg_width_pt(light)),
        "smallest_text": min(_drawn_texts(figure), default=None),
        "axes": [
            {
                "title": ax.get_title(),
                "xlabel": ax.get_xlabel(),
                "ylabel": ax.get_ylabel(),
                "yscale": ax.get_yscale(),
                "lines": [
                    {"label": line.get_label(), "x": _floats(line.get_xdata()), "y": _floats(line.get_ydata())}
                    for line in ax.get_lines()
                ],
                "points": [_floats(collection.get_offsets()) for collection in ax.collections],
                "texts": [text.get_text() for text in ax.texts],
            }
            for ax in figure.axes
        ],
    }


def _drawn_texts(figure):
    """(size in pt, text) of every text the figure draws: titles, labels, annotations, tick labels."""
    hidden = {id(label) for ax in figure.axes if not ax.axison for label in ax.get_xticklabels() + ax.get_yticklabels()}
    for text in figure.findobj(Text):
        if text.get_visible() and text.get_text().strip() and id(text) not in hidden:
            yield text.get_fontsize(), text.get_text()


def _floats(values) -> list:
    return np.asarray(values, dtype=float).tolist()


def dark_svg(light: str) -> str:
    """The figure for Material's slate scheme: greys swap ends (black text turns light, white boxes
    turn dark), colours lighten a little, and the figure's and axes' backgrounds become transparent."""
    svg = BACKGROUND_FILL.sub(r"\g<1>fill: none", light)
    svg = HEX_COLOR.sub(lambda match: match[1] + _dark_color(match[2]), svg)
    # Text drawn in the default colour has no fill of its own: it inherits the root's.
    return svg.replace("<svg ", f'<svg style="fill: {_dark_color("000000")}" ', 1)


def _svg_width_pt(svg: str) -> str:
    width = re.search(r'<svg [^>]*?width="([\d.]+)pt"', svg)
    if width is None:
        raise ValueError("matplotlib wrote an SVG without its width in pt")
    return width[1]


def _dark_color(hex_rgb: str) -> str:
    rgb = np.array(to_rgb(f"#{hex_rgb}"))
    is_grey = rgb.max() - rgb.min() < 0.1
    dark = DARK_FG + (DARK_BG - DARK_FG) * rgb.mean() if is_grey else rgb + (1 - rgb) * 0.3
    return to_hex(tuple(dark))
