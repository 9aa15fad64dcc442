"""MkDocs hook: keep the theme's compiled Jinja templates across builds.

MkDocs compiles Material's templates from source on every build (0.1-0.2 s, a good part of a build
where nothing changed). Jinja's own bytecode cache keeps them in `.cache/templates`, keyed by each
template's source, so an edited or upgraded theme is compiled again.
"""

from pathlib import Path

from jinja2 import FileSystemBytecodeCache

CACHE_FOLDER = ".cache/templates"  # beside mkdocs.yml, git-ignored


def on_env(env, config, files):
    folder = Path(config.config_file_path).resolve().parent / CACHE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    return env
