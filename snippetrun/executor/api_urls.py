"""Where the documentation of the installed version of an object lives: rules per library, and a few exceptions.

Each library publishes one page per object under a versioned path; where it has none (torch.utils.data,
torch.nn.Module's methods, matplotlib.ticker), the object is an anchor on its module's or class's page.
tests/api-links.tsv holds every URL the site links, checked against the published documentation.
"""

import functools
import sys
from importlib import metadata

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"

# torch: objects documented on their module's page rather than a generated page of their own
TORCH_MODULE_PAGES = {"torch.utils.data": "data.html"}
# torch: classes whose members each have a generated page (autosummary); other classes' members are anchors
TORCH_MEMBER_PAGES = {"torch.Tensor", "torch.optim.Optimizer"}
# torch: where the rules miss (checked against the 2.13 documentation); None: documented nowhere, not linked
TORCH_EXCEPTIONS: dict[str, str | None] = {
    "torch.Tensor": "tensors.html#torch.Tensor",
    "torch.Tensor.dtype": "tensor_attributes.html#torch.dtype",
    "torch.Tensor.data": None,
    "torch.nn.Flatten": "generated/torch.nn.modules.flatten.Flatten.html",
}
# matplotlib: classes whose members each have a page in api/_as_gen; other objects are anchors on <module>_api.html
MATPLOTLIB_MEMBER_PAGES = {"matplotlib.axes.Axes", "matplotlib.figure.Figure"}
MATPLOTLIB_CLASS_PAGES = {"matplotlib.axes.Axes": "api/axes_api.html#matplotlib.axes.Axes"}
# matplotlib: modules whose objects each have a page in api/_as_gen (an autosummary in <module>_api.rst)
MATPLOTLIB_GENERATED_MODULES = {"matplotlib.pyplot", "matplotlib.patches"}
# classes whose documentation lists the members they inherit: a member is named after them
# (matplotlib.figure.Figure.suptitle, though FigureBase defines it)
INHERITED_MEMBERS = {"matplotlib.axes.Axes", "matplotlib.figure.Figure"}
# builtins documented in stdtypes.html, not functions.html
STDTYPES = {"range", "list", "str", "dict", "tuple", "set", "frozenset", "bytes", "bytearray", "memoryview"}


def url(name: str, value: object) -> str | None:
    """The URL of `name`'s documentation (`value`: the object it names); None for a library without rules."""
    top = name.partition(".")[0]
    if top == "torch":
        return _torch(name, value)
    if top == "numpy":
        base = f"https://numpy.org/doc/{_version('numpy', 2)}/reference"
        folder = "random/generated" if name.startswith("numpy.random.") else "generated"
        return f"{base}/{folder}/{name}.html"
    if top == "matplotlib":
        return _matplotlib(name)
    if top == "sklearn":
        base = f"https://scikit-learn.org/{_version('scikit-learn', 2)}/modules/generated"
        owner = _owning_class(name)
        return f"{base}/{owner}.html#{name}" if owner else f"{base}/{name}.html"
    if top == "builtins":
        return _builtin(name)
    if top in sys.stdlib_module_names:
        module = _longest_module(name)
        return f"https://docs.python.org/{PYTHON}/library/{module}.html#{name}" if module else None
    return None


def is_documented_value(value: object) -> bool:
    """A value (not a class or function) with a documentation entry of its own: torch's dtypes."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(value, torch.dtype)


def _torch(name: str, value: object) -> str | None:
    base = f"https://docs.pytorch.org/docs/{_version('torch', 2)}"
    if is_documented_value(value):  # torch.float32, torch.long: the table of dtypes
        return f"{base}/tensor_attributes.html#torch.dtype"
    if name in TORCH_EXCEPTIONS:
        page = TORCH_EXCEPTIONS[name]
        return f"{base}/{page}" if page else None
    for module, page in TORCH_MODULE_PAGES.items():
        if name.startswith(module + "."):
            return f"{base}/{page}#{name}"
    owner = _owning_class(name)
    if owner and owner not in TORCH_MEMBER_PAGES:
        return f"{base}/generated/{owner}.html#{name}"
    return f"{base}/generated/{name}.html"


def _matplotlib(name: str) -> str:
    base = f"https://matplotlib.org/{_version('matplotlib', 3)}"
    if name in MATPLOTLIB_CLASS_PAGES:
        return f"{base}/{MATPLOTLIB_CLASS_PAGES[name]}"
    owner = _owning_class(name)
    generated = name.rpartition(".")[0] in MATPLOTLIB_GENERATED_MODULES
    if generated or owner in MATPLOTLIB_MEMBER_PAGES or name in MATPLOTLIB_MEMBER_PAGES:
        return f"{base}/api/_as_gen/{name}.html"
    module = name.split(".")[1]
    return f"{base}/api/{module}_api.html#{name}"


def _builtin(name: str) -> str | None:
    short = name.removeprefix("builtins.")
    if "." in short:
        return None  # methods of builtin types have no anchors of their own (list.append)
    page = "stdtypes" if short in STDTYPES else "functions"
    return f"https://docs.python.org/{PYTHON}/library/{page}.html#{short}"


def _owning_class(name: str) -> str | None:
    """`torch.nn.Module` for `torch.nn.Module.parameters`: the class `name` is a member of, if it is one."""
    owner = name.rpartition(".")[0]
    return owner if isinstance(_dotted(owner), type) else None


def _dotted(name: str) -> object:
    module = _longest_module(name)
    if module is None:
        return None
    found: object = sys.modules[module]
    for part in name[len(module) + 1 :].split(".") if name != module else ():
        found = getattr(found, part, None)
    return found


def _longest_module(name: str) -> str | None:
    parts = name.split(".")
    for length in range(len(parts), 0, -1):
        if ".".join(parts[:length]) in sys.modules:
            return ".".join(parts[:length])
    return None


def warm_up() -> None:
    """Read the libraries' versions once in the warm worker: every snippet's process inherits them."""
    for distribution in ("torch", "numpy", "matplotlib", "scikit-learn"):
        for parts in (2, 3):
            _version(distribution, parts)


@functools.cache
def _version(distribution: str, parts: int) -> str:
    """The installed version as its documentation's path names it: 2.13 for torch 2.13.0+cpu."""
    try:
        return ".".join(metadata.version(distribution).split("+")[0].split(".")[:parts])
    except metadata.PackageNotFoundError:
        return "stable"
