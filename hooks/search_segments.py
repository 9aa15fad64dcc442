"""MkDocs hook: the search index's Chinese word segmentation, cached across builds.

Material's search plugin splits Chinese text into words with jieba, whose dictionary takes ~0.7 s
to load on every build. Segmenting the same text always gives the same words, so they are kept
in `.cache/search-segments.json`: a build whose page text did not change never loads the
dictionary. The file keeps what the last two builds used, so builds that alternate (snippets on
and off, say) do not evict each other's text.
"""

import json
import threading
from pathlib import Path

from material.plugins.search import plugin as search_plugin

from snippet_cache import write_atomically

CACHE_FILE = ".cache/search-segments.json"

_segmenter = None


class CachedSegmenter:
    """Stands in for the `jieba` module in Material's search plugin."""

    def __init__(self, jieba, path: Path):
        self.jieba, self.path = jieba, path
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            self.last, self.before = stored["last"], stored["before"]
        except (OSError, ValueError, KeyError, TypeError):
            self.last, self.before = {}, {}
        self.known, self.used = {**self.before, **self.last}, {}

    def cut(self, value, *args, **kwargs):
        text = value.decode("utf-8") if isinstance(value, bytes) else value
        if text not in self.known:
            self.known[text] = list(self.jieba.cut(value, *args, **kwargs))
        self.used[text] = self.known[text]
        return iter(self.used[text])

    def __getattr__(self, name):  # set_dictionary and the rest: the real jieba
        return getattr(self.jieba, name)

    def save(self) -> None:
        if self.used != self.last or not self.path.exists():
            self.last, self.before = self.used, self.last
            content = {"last": self.last, "before": self.before}
            write_atomically(self.path, json.dumps(content, ensure_ascii=False, sort_keys=True).encode())
        self.known, self.used = {**self.before, **self.last}, {}


def on_config(config):
    global _segmenter
    jieba = search_plugin.jieba
    if jieba is None:
        return  # no jieba: the plugin does not segment
    if _segmenter is None:  # kept across `mkdocs serve` rebuilds
        real = jieba.jieba if isinstance(jieba, CachedSegmenter) else jieba
        _segmenter = CachedSegmenter(real, Path(config.config_file_path).resolve().parent / CACHE_FILE)
    _segmenter.used = {}
    search_plugin.jieba = _segmenter
    if not _segmenter.known:  # nothing cached: all text needs the dictionary; load it while the build waits for snippets
        threading.Thread(target=_segmenter.jieba.initialize, daemon=True).start()


def on_post_build(config):
    if _segmenter is not None:
        _segmenter.save()
