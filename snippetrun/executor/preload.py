"""What the warm worker loads once so that no snippet pays for it: imports, lazy imports, first calls.

A snippet's process reports the library modules it newly imported (`library_modules`); the runner
sends their names back to the worker, which imports them before its next forks (`preload`), and
keeps the list in the cache folder for the next cold build. That covers imports libraries make
lazily inside calls, e.g. the first `torch.optim.SGD(...)` importing torch._dynamo.
"""

import contextlib
import gc
import importlib
import importlib.abc
import importlib.util
import os
import random
import re
import sys
import sysconfig
import warnings
import weakref
from collections.abc import Iterable

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager

from . import api_urls, figures

SEED = 0  # every snippet starts from these seeds, as if it had set them itself
# Where libraries live; a snippet's own modules (in its scratch copy) are never preloaded.
LIBRARY_PATHS = tuple({sysconfig.get_paths()[name] for name in ("stdlib", "platstdlib", "purelib", "platlib")})


def warm_up() -> None:
    """At the worker's start: first calls that are slow once per process, then `settle`. torch is not
    among them: the worker imports it when the snippets it runs import it (the runner's preloads say
    so); otherwise a snippet that does gets the same torch as a preloaded one (`_TorchOnImport`)."""
    _draw_a_figure()  # fonts, text layout and SVG writer caches: a fork would fill them for every figure
    re.compile("__main__")  # the sandbox's warnings filter; compiled once, found in re's cache by every fork
    api_urls.warm_up()  # the versions the API links name
    settle()


def settle() -> None:
    """Set the state every snippet starts from, in the worker (again after each preload): its forks inherit it."""
    matplotlib.rcParams.update(figures.SVG_RC)
    random.seed(SEED)
    np.random.seed(SEED)
    if "torch" in sys.modules:
        _settle_torch(sys.modules["torch"])
    elif not any(isinstance(finder, _TorchOnImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, _TorchOnImport())
    # The worker's own teardown (torch.library's 100+ finalizers, ~30 ms) is not the snippet's exit.
    for finalizer in list(weakref.finalize._registry):  # type: ignore[attr-defined]  # CPython's own list
        finalizer.atexit = False
    gc.freeze()  # forks share these objects; the collector must not touch (and so copy) them


def _settle_torch(torch) -> None:
    torch.set_num_threads(1)  # parallel forks must not oversubscribe the cores
    torch.manual_seed(SEED)


class _TorchOnImport(importlib.abc.MetaPathFinder):
    """Gives a torch imported after `settle` (by a snippet, a module it imports, or a later preload) the
    state a torch the worker had preloaded starts from: one thread, the seed."""

    def find_spec(self, name, path=None, target=None):
        if name != "torch":
            return None
        sys.meta_path.remove(self)  # once: the spec below comes from the finders that follow
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            run_module = spec.loader.exec_module

            def run_then_settle(module) -> None:
                run_module(module)
                _settle_torch(module)

            spec.loader.exec_module = run_then_settle  # type: ignore[method-assign]  # this spec's loader only
        return spec


def preload(names: list) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a snippet that imports the module sees its warnings itself
        for name in names:
            _import_without_side_effects(name)
    settle()


def _import_without_side_effects(name: str) -> None:
    """Import `name` for the forks, unless importing it changes matplotlib's settings or fonts (`import
    zhplot` registers a font and selects it): such a package is unloaded again, with what it changed
    (the environment too), and never preloaded, so that a snippet gets its effect by importing it, as a
    fresh `python snippet.py` does. (Environment defaults alone, like scikit-learn's, do not count.)"""
    package = name.partition(".")[0]
    if package in _WITH_SIDE_EFFECTS:
        return
    before = _state()
    with contextlib.suppress(BaseException):  # a module that cannot load here stays the snippet's business
        importlib.import_module(name)
    if dict(matplotlib.rcParams) != before[0] or font_manager.fontManager.ttflist != before[2]:
        _WITH_SIDE_EFFECTS.add(package)
        _restore(before, package)


_WITH_SIDE_EFFECTS: set[str] = set()


def _state() -> tuple:
    return dict(matplotlib.rcParams), dict(os.environ), list(font_manager.fontManager.ttflist)


def _restore(state: tuple, package: str) -> None:
    """Back to `state`, with `package` and its modules unloaded."""
    settings, environment, fonts = state
    matplotlib.rcParams.update(settings)
    os.environ.clear()
    os.environ.update(environment)
    font_manager.fontManager.ttflist[:] = fonts
    # findfont's answers are cached by font properties: one naming the removed font must not find it again
    font_manager.FontManager._findfont_cached.cache_clear()  # type: ignore[attr-defined]  # matplotlib's private cache
    for loaded in [module for module in sys.modules if module.partition(".")[0] == package]:
        del sys.modules[loaded]


def library_modules(names: Iterable[str]) -> list[str]:
    """Those of the modules `names` that were loaded from a library, not from the snippet's folder."""
    return sorted(
        name
        for name in set(names)
        if name in sys.modules and (getattr(sys.modules[name], "__file__", None) or "").startswith(LIBRARY_PATHS)
    )


def _draw_a_figure() -> None:
    """Chinese and Latin text as figures draw it, with zhplot's font: its glyphs are then loaded once,
    here, not in every fork. `import zhplot` itself is undone: a snippet's own import does it."""
    before = _state()
    with matplotlib.rc_context(figures.SVG_RC):
        importlib.import_module("zhplot")
        figure, ax = plt.subplots()
        ax.plot([0, 1, 2], [0, 1, 4], label="损失 loss")
        ax.scatter([0.5, 1.5], [1, 2])
        ax.set(title="训练 0123456789", xlabel="x 轴", ylabel="y")
        ax.legend()
        light = figures.svg(figure)
        figures.figure_data(figure, light)
        figures.dark_svg(light)
        plt.close("all")
    _restore(before, "zhplot")
