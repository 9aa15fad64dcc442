"""What one snippet may produce for a page (plugins.snippetrun in mkdocs.yml), and the checks of a result
against it: a result over a limit fails with what to do about it; small text in a figure is a warning."""

import math
from dataclasses import dataclass
from typing import Any

from ..source_checks import swallowed_backslash
from .results import Result

PHONE_CONTENT_PX = 358  # what Material's page leaves for a figure on a 390 px wide phone
MEMORY_SETTING = "(plugins.snippetrun.max_memory_mb in mkdocs.yml): use less data, or a smaller model or batch"


@dataclass
class Limits:
    output_lines: int = 500
    output_kb: int = 100
    figure_kb: int = 1024
    figure_text_px: float = 9  # the smallest text of a figure, as a 390 px wide phone shows it
    memory_mb: int = 2048  # what one snippet's processes may hold beyond the warm interpreter (a reader's laptop)


def check(result: Result, limits: Limits) -> None:
    """A result that a page cannot show fails, and keeps only the first lines of what it printed; a figure
    whose text a phone shows too small is a warning, with the figure shown (and cached)."""
    if result.ok and (why := unfit_for_page(result, limits)):
        result.error = why
        result.stdout, result.stderr = first_lines(result.stdout), first_lines(result.stderr)
        result.figures = []
    result.warnings = {
        number: f"figure {number}: {why}"
        for number, figure in enumerate(result.figures, 1)
        if (why := too_small_on_a_phone(figure.data, limits.figure_text_px))
    }


def unfit_for_page(result: Result, limits: Limits) -> str | None:
    """Why the result is too big for a page, with what to do about it; None when it fits."""
    for stream, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        lines, kb = len(text.splitlines()), len(text.encode()) / 1024
        if lines > limits.output_lines or kb > limits.output_kb:
            printed = f"1 line of {kb:.0f} KB" if lines == 1 else f"{lines} lines ({kb:.0f} KB)"
            return (
                f"the snippet printed {printed} to {stream}; a page shows at most "
                f"{limits.output_lines} lines and {limits.output_kb} KB (plugins.snippetrun.max_output_lines / "
                "max_output_kb in mkdocs.yml): print less, e.g. every 10th step or a summary"
            )
    for number, figure in enumerate(result.figures, 1):
        texts = [text for ax in figure.data["axes"] for text in (ax["title"], ax["xlabel"], ax["ylabel"], *ax["texts"])]
        for text in texts:
            if why := swallowed_backslash(text):
                return f'figure {number} has the text {text!r}: {why}; write TeX in a raw string, e.g. r"$\\theta$"'
        kb = len(figure.light.encode()) / 1024
        if kb > limits.figure_kb:
            return (
                f"figure {number} is {kb:.0f} KB as SVG; the limit is {limits.figure_kb} KB "
                "(plugins.snippetrun.max_figure_kb in mkdocs.yml): plot fewer points (downsample), or "
                "rasterize the heavy artist, e.g. plt.scatter(x, y, rasterized=True)"
            )
    return None


def too_small_on_a_phone(data: dict[str, Any], smallest_px: float) -> str | None:
    """Why a phone would show the figure's smallest text too small to read; None when it can be read."""
    if not data.get("smallest_text"):
        return None
    size, text = data["smallest_text"]
    width_px = data["width_pt"] * 4 / 3
    shown = size * 4 / 3 * min(1, PHONE_CONTENT_PX / width_px)
    if shown >= smallest_px:
        return None
    shown = math.floor(shown * 100) / 100  # printed as less than the need it fails: 8.99 px, never "9.0 px"
    return (
        f"its smallest text, {text!r} at {size:g} pt, is {shown:.2f} px on a phone, which shows the "
        f"{width_px:.0f} px wide figure {min(width_px, PHONE_CONTENT_PX):.0f} px wide; a reader needs "
        f"{smallest_px:g} px (plugins.snippetrun.min_figure_text_px in mkdocs.yml): make the figure narrower "
        "(figsize), put its panels in fewer columns, or make the text larger (fontsize)"
    )


def first_lines(text: str, count: int = 20, width: int = 300) -> str:
    """What the page shows of an output over the limits: its first lines, each cut at `width` characters."""
    lines = text.splitlines(keepends=True)
    shown = [
        line if len(line.rstrip("\n")) <= width else f"{line[:width]}…（这一行还有 {len(line.rstrip(chr(10))) - width} 个字符）\n"
        for line in lines[:count]
    ]
    if len(lines) > count:
        shown.append(f"…（后面还有 {len(lines) - count} 行，超出页面的上限，没有显示）\n")
    return "".join(shown)
