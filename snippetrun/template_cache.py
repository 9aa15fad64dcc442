"""MkDocs hook: keep compiled Jinja templates across builds, the theme's and the notebooks'.

MkDocs compiles Material's templates from source on every build (0.1-0.2 s, a good part of a build
where nothing changed), and nbconvert compiles its eleven notebook templates again for every
notebook it converts (about 0.1 s each, paid on every save under `mkdocs serve`). Jinja's own
bytecode cache keeps them in `.cache/templates`, keyed by each template's file and checked against
its source, so an edited or upgraded template is compiled again.
"""

import functools
import io
from pathlib import Path

from jinja2 import FileSystemBytecodeCache

from .executor.cache import writable, write_atomically

CACHE_FOLDER = ".cache/templates"  # beside mkdocs.yml, git-ignored

_cache = None


def on_config(config):
    global _cache
    folder = Path(config.config_file_path).resolve().parent / CACHE_FOLDER
    _cache = _AtomicBytecodeCache(str(folder)) if writable() else None
    if "mkdocs-jupyter" in config.plugins:
        _cache_notebook_templates()


class _AtomicBytecodeCache(FileSystemBytecodeCache):
    """Written like every other cache file: whole or not at all, and a full disk stops caching, not the build."""

    def dump_bytecode(self, bucket):
        code = io.BytesIO()
        bucket.write_bytecode(code)
        write_atomically(Path(self._get_cache_filename(bucket)), code.getvalue())


def on_env(env, config, files):
    env.bytecode_cache = _cache
    return env


@functools.cache  # once per process: MkDocs loads this module once, also under `mkdocs serve`
def _cache_notebook_templates() -> None:
    # Imported here: a site without notebooks never pays for nbconvert.
    from nbconvert.exporters.templateexporter import TemplateExporter

    create_environment = TemplateExporter._create_environment  # where nbconvert makes its Environment

    def with_bytecode_cache(exporter):
        environment = create_environment(exporter)
        environment.bytecode_cache = _cache
        return environment

    TemplateExporter._create_environment = with_bytecode_cache  # type: ignore[method-assign]  # nbconvert has no hook for it
