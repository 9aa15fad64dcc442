"""MkDocs hook: under each chapter's title, the versions that produced the outputs on the page.

The versions are those of the interpreter the build runs the snippets with; the torch range is
requirements.in's lower bound (checked by `python .ci/canary.py --lowest`) up to the torch that
ran. No date and no build time, so two builds of the same sources stay byte-identical.
"""

import functools
import platform
import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

from .executor.imports import imported_modules
from .page_includes import find_includes, resolve

ALWAYS = {"torch": "torch", "numpy": "numpy", "matplotlib": "matplotlib"}
WHERE_USED = {"sklearn": "scikit-learn"}  # import name -> distribution
TITLE = re.compile(r"^# .*$", re.MULTILINE)

_lowest_torch = None


def on_config(config):
    global _lowest_torch
    requirements = Path(config.config_file_path).resolve().parent / "requirements.in"
    _lowest_torch = _lower_bound(requirements.read_text(encoding="utf-8"), "torch") if requirements.exists() else None


def on_page_markdown(markdown, page, config, files):
    base = Path(config.mdx_configs["pymdownx.snippets"]["base_path"][0])
    snippets = [resolve(base, include) for include in find_includes(page.file.content_string, page.file.src_uri)]
    found = [snippet for snippet in snippets if snippet]
    if not found or len(found) < len(snippets):
        return markdown  # not a chapter, or a broken include that run_snippets reports
    modules = {name.split(".", maxsplit=1)[0] for snippet in found for name in imported_modules(snippet)}
    line = f"\n\n{stamp(modules)}\n{{ .version-stamp }}\n"
    return TITLE.sub(lambda title: title[0] + line, markdown, count=1)


def stamp(modules: set) -> str:
    names = {**ALWAYS, **{m: d for m, d in WHERE_USED.items() if m in modules}}
    versions = "、".join([f"Python {platform.python_version()}"] + [f"{d} {_version(d)}" for d in names.values()])
    if _lowest_torch is None:  # a site without requirements.in
        return f"本页的输出由 {versions} 运行生成。"
    return f"本页的输出由 {versions} 运行生成；代码在 torch {_lowest_torch} 至 {_version('torch')} 上验证过。"


@functools.cache  # a metadata lookup scans site-packages; the worker keeps the modules it loaded anyway
def _version(distribution: str) -> str:
    return Version(metadata.version(distribution)).public  # 2.13.0, not 2.13.0+cpu


def _lower_bound(requirements_in: str, name: str) -> str:
    for text in requirements_in.splitlines():
        line = text.split("#", 1)[0].strip()
        if line and Requirement(line).name == name:
            return next(spec.version for spec in Requirement(line).specifier if spec.operator == ">=")
    raise ValueError(f"requirements.in has no lower bound for {name}")
