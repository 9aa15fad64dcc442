"""The figures a snippet draws: saved as SVG for the light scheme, recoloured for the dark one,
and described as data (lines, points, texts) that the tests check."""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.colors import to_rgb, to_rgba_array  # noqa: E402

CJK_FONT = "Noto Sans CJK SC"  # Debian's fonts-noto-cjk
CJK_HINT = f"Chinese text in figures needs the font {CJK_FONT}: install it (apt-get install fonts-noto-cjk)"
# Fixed salt and no date: the same figure gives byte-identical SVG; text stored as paths needs no font
# on the reader's side. Glyphs DejaVu Sans lacks (Chinese) fall back to the CJK font.
SVG_RC = {"svg.hashsalt": "run_snippets", "svg.fonttype": "path", "font.family": ["DejaVu Sans", CJK_FONT]}


def _know_cjk_font() -> bool:
    """Whether matplotlib knows the CJK font; its font list may predate installing the font."""
    if any(font.name == CJK_FONT for font in font_manager.fontManager.ttflist):
        return True
    for path in font_manager.findSystemFonts():
        if "NotoSansCJK" in path:
            font_manager.fontManager.addfont(path)
    return any(font.name == CJK_FONT for font in font_manager.fontManager.ttflist)


HAS_CJK_FONT = _know_cjk_font()
DARK_FG, DARK_BG = np.array(to_rgb("#e2e4e9")), np.array(to_rgb("#1e2029"))  # Material's slate text and page


def save_open_figures(out: Path, already: int) -> list:
    """Save every open figure (what `plt.show()` would display) in both schemes, then close it."""
    saved = []
    for number in plt.get_fignums():
        figure, name = plt.figure(number), f"fig-{already + len(saved) + 1}"
        (out / f"{name}.json").write_text(json.dumps(figure_data(figure)))
        _save_svg(figure, out / f"{name}.svg")
        _recolor_for_dark(figure)
        _save_svg(figure, out / f"{name}-dark.svg")
        saved.append(name)
    plt.close("all")
    return saved


def _save_svg(figure, path: Path) -> None:
    figure.savefig(path, format="svg", bbox_inches="tight", metadata={"Date": None})


def figure_data(figure) -> dict:
    """What a figure shows, as data the tests can check."""
    return {"axes": [{
        "title": ax.get_title(), "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(), "yscale": ax.get_yscale(),
        "lines": [{"label": line.get_label(), "x": _floats(line.get_xdata()), "y": _floats(line.get_ydata())}
                  for line in ax.get_lines()],
        "points": [_floats(collection.get_offsets()) for collection in ax.collections],
        "texts": [text.get_text() for text in ax.texts],
    } for ax in figure.axes]}


def _floats(values) -> list:
    return np.asarray(values, dtype=float).tolist()


def _recolor_for_dark(figure) -> None:
    """Greys swap ends (black text turns light, white boxes turn dark); colours lighten a little."""
    figure.patch.set_alpha(0)
    for ax in figure.axes:
        ax.patch.set_alpha(0)
    artists = figure.findobj()
    artists += [a.arrow_patch for a in artists if getattr(a, "arrow_patch", None)]  # not a child of its annotation
    for artist in artists:
        for prop in ("color", "facecolor", "edgecolor", "markerfacecolor", "markeredgecolor"):
            getter, setter = getattr(artist, f"get_{prop}", None), getattr(artist, f"set_{prop}", None)
            if getter and setter and artist is not figure.patch:
                _recolor(getter, setter)


def _recolor(getter, setter) -> None:
    try:
        colors = to_rgba_array(getter())
    except (ValueError, TypeError):
        return  # 'auto', colormaps and the like stay as they are
    if len(colors) == 0:
        return
    rgb, alpha = colors[:, :3], colors[:, 3:]
    grey = rgb.max(axis=1, keepdims=True) - rgb.min(axis=1, keepdims=True) < 0.1
    lightness = rgb.mean(axis=1, keepdims=True)
    dark = np.where(grey, DARK_FG + (DARK_BG - DARK_FG) * lightness, rgb + (1 - rgb) * 0.3)
    new = np.hstack([dark, alpha])
    setter(new[0] if len(new) == 1 else new)
