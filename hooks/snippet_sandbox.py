"""The warm worker: imports torch and matplotlib once, then forks per snippet.

`python snippet_sandbox.py` reads one request per line on stdin (a JSON pair
`[snippet, out_dir]`), forks, and answers with the child's pid. The child runs
the snippet with fresh globals, seeds, warnings filters and figures, and
writes its stdout, stderr, figures and result.json into out_dir.
"""

import json
import os
import random
import runpy
import signal
import sys
import traceback
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgb, to_rgba_array  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

SEED = 0
# Fixed salt and no date: the same figure gives byte-identical SVG.
SVG_RC = {"svg.hashsalt": "run_snippets", "svg.fonttype": "path"}


def run(snippet: str, out_dir: str) -> None:
    """Execute `snippet` as `python snippet` would, writing results to `out_dir`."""
    out = Path(out_dir).resolve()  # before chdir: results must land in out_dir
    _isolate(snippet, out)
    figures = []
    plt.show = lambda *args, **kwargs: figures.extend(_save_open_figures(out, len(figures)))
    try:
        runpy.run_path(snippet, run_name="__main__")
        figures.extend(_save_open_figures(out, len(figures)))
        result = {"figures": figures, "error": None, "line": None}
    except SystemExit as exit_:
        failed = exit_.code not in (None, 0)
        result = {"figures": figures, "error": f"SystemExit: {exit_.code}" if failed else None, "line": None}
    except BaseException as exc:  # the snippet's own error, reported to the author
        result = {"figures": figures, **_describe(exc, snippet)}
    sys.stdout.flush()
    sys.stderr.flush()
    (out / "result.json").write_text(json.dumps(result))


def _isolate(snippet: str, out: Path) -> None:
    """Give the snippet the process state a fresh `python snippet` would see."""
    work_dir = out / "cwd"
    work_dir.mkdir()
    os.chdir(work_dir)  # anything the snippet writes lands in a throwaway folder
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # stdin is the worker's request pipe
    sys.argv = [snippet]
    sys.path[0] = str(Path(snippet).parent)
    for fd, name in ((1, "stdout.txt"), (2, "stderr.txt")):
        os.dup2(os.open(out / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False)
    warnings.resetwarnings()
    warnings.simplefilter("error")  # a warning the reader would see is a defect
    # ...but not those `python snippet.py` hides: deprecations inside libraries, import and resource warnings.
    for hidden in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.filterwarnings("ignore", category=hidden)
    warnings.filterwarnings("error", category=DeprecationWarning, module="__main__")
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)  # parallel forks must not oversubscribe the cores
    matplotlib.rcParams.update(SVG_RC)


def _save_open_figures(out: Path, already: int) -> list:
    """Save every open figure (what `plt.show()` would display) in both schemes, then close it."""
    saved = []
    for number in plt.get_fignums():
        figure, name = plt.figure(number), f"fig-{already + len(saved) + 1}"
        (out / f"{name}.json").write_text(json.dumps(_figure_data(figure)))
        _save_svg(figure, out / f"{name}.svg")
        _recolor_for_dark(figure)
        _save_svg(figure, out / f"{name}-dark.svg")
        saved.append(name)
    plt.close("all")
    return saved


def _save_svg(figure, path: Path) -> None:
    figure.savefig(path, format="svg", bbox_inches="tight", metadata={"Date": None})


def _figure_data(figure) -> dict:
    """What a figure shows, as data the tests can check."""
    return {"axes": [{
        "xlabel": ax.get_xlabel(), "ylabel": ax.get_ylabel(), "yscale": ax.get_yscale(),
        "lines": [{"label": line.get_label(), "x": _floats(line.get_xdata()), "y": _floats(line.get_ydata())}
                  for line in ax.get_lines()],
        "points": [_floats(collection.get_offsets()) for collection in ax.collections],
        "texts": [text.get_text() for text in ax.texts],
    } for ax in figure.axes]}


def _floats(values) -> list:
    return np.asarray(values, dtype=float).tolist()


DARK_FG, DARK_BG = np.array(to_rgb("#e2e4e9")), np.array(to_rgb("#1e2029"))  # Material's slate text and page


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


def _describe(exc: BaseException, snippet: str) -> dict:
    """The traceback from the snippet's first frame on, and the failing line in it."""
    tb = traceback.TracebackException.from_exception(exc)
    starts = [i for i, frame in enumerate(tb.stack) if frame.filename == snippet]
    if not starts:  # e.g. a SyntaxError: the file never started running
        return {"error": "".join(tb.format_exception_only()), "line": getattr(exc, "lineno", None)}
    line = tb.stack[starts[-1]].lineno
    tb.stack = traceback.StackSummary.from_list(tb.stack[starts[0]:])
    return {"error": "".join(tb.format()), "line": line}


def serve() -> None:
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps finished children
    for request in sys.stdin:
        snippet, out_dir = json.loads(request)
        pid = os.fork()
        if pid == 0:
            try:
                run(snippet, out_dir)
            finally:
                os._exit(0)
        print(pid, flush=True)


if __name__ == "__main__":
    serve()
