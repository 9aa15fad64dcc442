"""The MkDocs plugin: `plugins: [snippetrun: {...}]` in mkdocs.yml.

Each concern is a module of this package with MkDocs' event functions (the site's former hooks); the
plugin calls them in the order below, each at its own priority (`event_priority`), so that running the
snippets comes before the notebooks and mkdocs-jupyter, and the caches' checks before everything else.
List the plugin after the others (search, tags, mkdocs-jupyter): it then runs where MkDocs runs hooks.
"""

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority

from . import (
    cache_folder,
    chapter_notebooks,
    cjk_text,
    code_links,
    highlight_cache,
    notebook_pages,
    render_math,
    run_snippets,
    search_segments,
    source_checks,
    template_cache,
    version_stamp,
)
from .executor.page_limits import Limits
from .executor.runner import BACKENDS

STAGES = (
    cache_folder,
    source_checks,
    run_snippets,
    chapter_notebooks,
    notebook_pages,
    code_links,
    render_math,
    version_stamp,
    search_segments,
    template_cache,
    highlight_cache,
    cjk_text,
)
EVENTS = (
    "startup",
    "shutdown",
    "serve",
    "config",
    "pre_build",
    "files",
    "nav",
    "env",
    "post_build",
    "page_markdown",
    "page_content",
)
LIMITS = Limits()


class SnippetsConfig(base.Config):
    """What the executor may do; mkdocs.yml's `!ENV` tags give the environment overrides."""

    enabled = c.Type(bool, default=True)  # false: a bare build, no code runs
    backend = c.Choice(BACKENDS, default="auto")  # fork on Linux, spawn elsewhere; SNIPPET_BACKEND overrides
    timeout = c.Type((int, float), default=60)  # seconds one snippet may run
    serve_patience = c.Type((int, float), default=1)  # seconds a `mkdocs serve` rebuild waits for snippets
    workers = c.Optional(c.Type(int))  # parallel runs; unset: one per core
    max_output_lines = c.Type(int, default=LIMITS.output_lines)
    max_output_kb = c.Type(int, default=LIMITS.output_kb)
    max_figure_kb = c.Type(int, default=LIMITS.figure_kb)
    min_figure_text_px = c.Type((int, float), default=LIMITS.figure_text_px)
    max_memory_mb = c.Type(int, default=LIMITS.memory_mb)


class SnippetsPlugin(BasePlugin[SnippetsConfig]):
    @event_priority(200)  # before every stage's own on_config
    def _share_options(self, config):
        run_snippets.options = self.config


def _stages(event: str) -> list:
    # staticmethod: CombinedEvent binds what it holds to the plugin; the stages' functions take no `self`
    return [staticmethod(getattr(stage, f"on_{event}")) for stage in STAGES if hasattr(stage, f"on_{event}")]


for _event in EVENTS:
    _own = [SnippetsPlugin._share_options] if _event == "config" else []
    setattr(SnippetsPlugin, f"on_{_event}", CombinedEvent(*_own, *_stages(_event)))
