"""MkDocs hook: keep highlighted code blocks across builds.

Highlighting with Pygments is the largest part of rendering these pages: 0.25 s of a one-second
warm build at 40 chapters (400 blocks: code and output). A block's HTML depends only on its code,
its options, the extension's settings and the versions of pymdownx and Pygments, so it is kept in
`.cache/highlight.json` under a hash of all of them (`build_memo.BuildMemo`: what the last two
builds used). A block whose title goes into the page's raw-HTML stash (title_mode html) is never
kept: its HTML refers to that stash. A snippet's block is kept with its names linked (code_links.py), under
a key that includes its links: a warm build neither highlights nor links it again.
"""

import functools
import hashlib
from importlib import metadata
from pathlib import Path

from pymdownx.highlight import Highlight

from . import code_links
from .build_memo import BuildMemo

CACHE_FILE = ".cache/highlight.json"
VERSIONS = tuple(metadata.version(name) for name in ("pymdown-extensions", "Pygments"))


_memo: BuildMemo | None = None  # wrapped once per process: `mkdocs serve` keeps it


def on_config(config):
    global _memo
    if _memo is None:
        _memo = BuildMemo(Path(config.config_file_path).resolve().parent / CACHE_FILE)
        Highlight.highlight = _kept(Highlight.highlight, _memo)


def on_post_build(config):
    if _memo:
        _memo.save()


def _kept(highlight, memo: BuildMemo):
    @functools.wraps(highlight)
    def kept(self, src, *args, **kwargs):
        settings = sorted((name, value) for name, value in vars(self).items() if name != "md")
        links = code_links.links_of(src)  # a snippet's code: its names link to their API pages
        key = hashlib.sha256(repr((VERSIONS, settings, src, args, sorted(kwargs.items()), links)).encode()).hexdigest()
        html = memo.get(key)
        if html is None:
            stashed = len(self.md.htmlStash.rawHtmlBlocks)
            html = highlight(self, src, *args, **kwargs)
            if links:
                html = code_links.linked(src, html)
            if len(self.md.htmlStash.rawHtmlBlocks) == stashed:
                memo.put(key, html)
        return html

    return kept
