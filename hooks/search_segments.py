"""MkDocs hook: the search index's Chinese word segmentation, cached across builds.

Material's search plugin splits Chinese text into words with jieba, whose dictionary takes ~0.7 s
to load on every build. Segmenting the same text always gives the same words, so they are kept
in `.cache/search-segments.json`: a build whose page text did not change never loads the
dictionary (`build_memo.BuildMemo`: the file keeps what the last two builds used).
"""

from pathlib import Path

from material.plugins.search import plugin as search_plugin

from build_memo import BuildMemo

CACHE_FILE = ".cache/search-segments.json"

_segmenter = None


class CachedSegmenter:
    """Stands in for the `jieba` module in Material's search plugin."""

    def __init__(self, jieba, path: Path):
        self.jieba, self.memo = jieba, BuildMemo(path)

    def cut(self, value, *args, **kwargs):
        text = value.decode("utf-8") if isinstance(value, bytes) else value
        words = self.memo.get(text)
        if words is None:
            words = list(self.jieba.cut(value, *args, **kwargs))
            self.memo.put(text, words)
        return iter(words)

    def __getattr__(self, name):  # set_dictionary and the rest: the real jieba
        return getattr(self.jieba, name)


def on_config(config):
    global _segmenter
    jieba = search_plugin.jieba
    if jieba is None:
        return  # no jieba: the plugin does not segment
    if _segmenter is None:  # kept across `mkdocs serve` rebuilds
        real = jieba.jieba if isinstance(jieba, CachedSegmenter) else jieba
        _segmenter = CachedSegmenter(real, Path(config.config_file_path).resolve().parent / CACHE_FILE)
    search_plugin.jieba = _segmenter


def on_post_build(config):
    if _segmenter is not None:
        _segmenter.memo.save()
