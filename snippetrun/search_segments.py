"""MkDocs hook: the search index's Chinese word segmentation, cached across builds.

Material's search plugin splits Chinese text into words with jieba, whose dictionary takes ~0.7 s
to load on every build. Segmenting the same text always gives the same words, so they are kept
in `.cache/search-segments.json`: a build whose page text did not change never loads the
dictionary (`build_memo.BuildMemo`: the file keeps what the last two builds used).

jieba also learns the course's own terms from `search_words.txt` (jieba's user dictionary format),
so that 反向传播 or 交叉熵 is one word in the index, and a search for it does not also match pages
through a piece of it (传 in 传统). The terms are loaded only when some text is segmented, and the
cached segments belong to one version of that file.

No word of the index may be a lone character that begins or continues a course term: Material's
browser side searches a Chinese query by the longest word of the index it begins with (it never
tries the whole query), then goes on from there, so with 下 in the index 梯度下降 is searched as
梯度 + 下*, which matches 下面, and with 张 in it 张量 is searched as 张* and the result links
highlight 张 alone. Inside a run of Chinese text the list names the words jieba would leave a
lone character in (下边缘, not 下 + 边缘). A lone character that opens a run, after a number, code or
punctuation (1797 张, 16 张特征图, 第 2 章), belongs to what stands before it, which no dictionary
word can reach: it is indexed behind a word joiner (U+2060), which is invisible and no search
separator, so the text reads the same and the character is no word of the index.
tests/test_search.py checks every term the chapters teach.
"""

import hashlib
from pathlib import Path

from material.plugins.search import plugin as search_plugin

from .build_memo import BuildMemo

CACHE_FILE = ".cache/search-segments.json"
WORD_JOINER = "\u2060"
WORDS = Path(__file__).with_name("search_words.txt")

_segmenter = None


class CachedSegmenter:
    """Stands in for the `jieba` module in Material's search plugin."""

    def __init__(self, jieba, path: Path):
        self.jieba, self.memo, self.words_loaded = jieba, BuildMemo(path), False
        self.version = ""

    def cut(self, value, *args, **kwargs):
        text = value.decode("utf-8") if isinstance(value, bytes) else value
        key = f"{self.version}:{text}"
        words = self.memo.get(key)
        if words is None:
            if not self.words_loaded:
                self.jieba.load_userdict(str(WORDS))
                self.words_loaded = True
            words = list(self.jieba.cut(value, *args, **kwargs))
            if words and len(words[0]) == 1 and "\u4e00" <= words[0] <= "\u9fff":  # a lone one opens the run: 张 of 1797 张
                words[0] = WORD_JOINER + words[0]
            self.memo.put(key, words)
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
    # the words of one version of the term list and of this module's rules
    _segmenter.version = hashlib.sha256(WORDS.read_bytes() + Path(__file__).read_bytes()).hexdigest()[:16]
    search_plugin.jieba = _segmenter


def on_post_build(config):
    if _segmenter is not None:
        _segmenter.memo.save()
