"""What the warm worker loads once so that no snippet pays for it: imports, lazy imports, first calls.

A snippet's process reports the library modules it newly imported (`new_library_modules`); the
runner sends their names back to the worker, which imports them before its next forks
(`preload`), and keeps the list in the cache folder for the next cold build. That covers imports
libraries make lazily inside calls, e.g. the first `torch.optim.SGD(...)` importing torch._dynamo.
"""

import gc
import importlib
import random
import sys
import sysconfig
import warnings
import weakref

import numpy as np
import torch

# Where libraries live; a snippet's own modules (in its scratch copy) are never preloaded.
LIBRARY_PATHS = tuple({sysconfig.get_paths()[name] for name in ("stdlib", "platstdlib", "purelib", "platlib")})


def warm_up() -> None:
    """First calls that are slow once per process, and state no fork should have to copy or tear down."""
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    # The worker's own teardown (torch.library's 100+ finalizers, ~30 ms) is not the snippet's exit.
    for finalizer in list(weakref.finalize._registry):
        finalizer.atexit = False
    gc.freeze()  # forks share these objects; the collector must not touch (and so copy) them


def preload(names: list) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a snippet that imports the module sees its warnings itself
        for name in names:
            try:
                importlib.import_module(name)
            except BaseException:  # noqa: BLE001 - a module that cannot load here stays the snippet's business
                pass
    warm_up()


def new_library_modules(before: set) -> list:
    """Library modules imported since `before` (a set of module names)."""
    return sorted(name for name in set(sys.modules) - before
                  if getattr(sys.modules[name], "__file__", None) and sys.modules[name].__file__.startswith(LIBRARY_PATHS))
