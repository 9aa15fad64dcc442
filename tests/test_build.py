"""Real `mkdocs build --strict` runs in temp copies of the repo: outputs, cache, failures."""

import hashlib
import json
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

from conftest import ROOT, SMALL_PAGE, SNIPPETS, found, linux_only

CHAPTERS = [
    "01-scikit-learn",
    "02-linear-regression",
    "03-matplotlib",
    "04-backpropagation",
    "05-pytorch-basics",
    "06-nn-module",
    "07-digits-classifier",
    "08-cnn",
]
TYPE_AND_GRAD = "snippets/05-pytorch-basics/type_and_grad.py"


def summary(log: str) -> tuple:
    executed, cached = found(r"Snippets: (\d+) executed, (\d+) from cache", log).groups()
    return int(executed), int(cached)


def tree_digest(folder) -> dict:
    return {p.relative_to(folder): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def test_the_site_build_runs_once_each_snippet_it_has_no_result_for(cold_site):
    _, build = cold_site
    executed, cached = summary(build.log)
    ran = re.findall(r"Ran (snippets/\S+\.py) in \d+\.\d\d s", build.log)
    assert executed + cached == len(SNIPPETS) and len(ran) == len(set(ran)) == executed
    assert set(ran) <= {snippet.relative_to(ROOT).as_posix() for snippet in SNIPPETS}
    assert "WARNING" not in build.log


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_pages_are_built(cold_site, chapter):
    html = cold_site[1].page(chapter)
    assert '<html lang="zh"' in html
    assert "--8<--" not in html  # every include was expanded


def test_chapter_pages_say_which_versions_produced_them(cold_site):
    import platform
    from importlib import metadata

    torch = metadata.version("torch").split("+")[0]
    for chapter in CHAPTERS:
        stamp = found(r'<p class="version-stamp">(.*?)</p>', cold_site[1].page(chapter)).group(1)
        assert f"Python {platform.python_version()}、torch {torch}、numpy {metadata.version('numpy')}" in stamp
        assert ("scikit-learn" in stamp) == (chapter in ("01-scikit-learn", "07-digits-classifier", "08-cnn"))  # where imported
        assert stamp.endswith(f"代码在 torch 2.4 至 {torch} 上验证过。")  # requirements.in's lower bound
    assert "version-stamp" not in cold_site[1].page("tags")


def test_outputs_appear_under_their_code(cold_site):
    html = cold_site[1].page("05-pytorch-basics")
    outputs = re.findall(r'<div class="snippet-output.*?</code></pre></div>', html, re.DOTALL)
    assert len(outputs) == 5
    assert "snippet-stderr" in outputs[4] and re.search(r"训练: 100%\|█+\| 100/100", outputs[4])  # tqdm's bar
    assert "tensor([1.], requires_grad=True)" in outputs[1] and "torch.FloatTensor" in outputs[1]
    assert "predict (after training) 4 7.99999" in outputs[2]
    assert outputs[2].count("progress:") == 100  # the full 300-line log, never trimmed


def test_figures_are_built_valid_svg_and_untracked(cold_site):
    _, build = cold_site
    figures = {
        "02-linear-regression": "figures/02-linear-regression/exhaustive_search-1.svg",
        "03-matplotlib": "figures/03-matplotlib/meshgrid_plot-1.svg",
    }
    for page, figure in figures.items():
        assert f'src="../{figure}#only-light"' in build.page(page)
        assert ET.parse(build.site / figure).getroot().tag == "{http://www.w3.org/2000/svg}svg"
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert not re.search(r"\.(svg|png)$", tracked, re.MULTILINE)


def test_warm_rebuild_executes_nothing(cold_site, site_copy):
    copy = site_copy  # with the cold build's .cache
    build = copy.build("site-warm", flags=("--verbose",))
    assert build.returncode == 0, build.log
    assert summary(build.log) == (0, len(SNIPPETS))
    assert "Started a snippet worker" not in build.log  # nor does a worker import torch for nothing
    assert "Prefix dict has been built" in cold_site[1].log  # jieba segments the search index once...
    assert "Prefix dict" not in build.log  # ...and unchanged text comes from .cache/search-segments.json
    # Everything read from .cache (results, segments, highlighted code, templates) gives the same bytes.
    assert tree_digest(cold_site[1].site) == tree_digest(build.site)
    highlighted = json.loads((copy.root / ".cache/highlight.json").read_text())
    assert highlighted["last"] and highlighted["before"] == {}  # every block found under the cold build's key


def test_new_page_text_is_segmented_once_and_the_previous_text_is_kept(small_site):
    site_copy, page = small_site, small_site.root / SMALL_PAGE
    before = page.read_text(encoding="utf-8")
    after = before + "\n新加的一句话：梯度下降沿着损失下降最快的方向走。\n"
    page.write_text(after, encoding="utf-8")
    assert "Prefix dict has been built" in site_copy.build().log  # the new sentence needs jieba...
    assert "Prefix dict" not in site_copy.build().log  # ...once: the next build finds its words
    for text in (before, after):  # switching back and forth (e.g. two branches) needs jieba no more
        page.write_text(text, encoding="utf-8")
        assert "Prefix dict" not in site_copy.build().log


def test_building_from_another_directory_uses_the_same_cache(site_copy, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    build = site_copy.build(cwd=elsewhere)
    assert build.returncode == 0, build.log
    assert summary(build.log) == (0, len(SNIPPETS))
    assert not any(elsewhere.iterdir())  # nothing written where the command ran


def test_a_spawn_build_is_byte_identical_to_the_fork_build(cold_site, tmp_path):
    """The book's one spawn build: fresh interpreters instead of forks of a warm worker change no byte."""
    from conftest import SiteCopy

    copy = SiteCopy(tmp_path)
    copy.reuse_results("spawn")  # the spawn backend's own results from the last run: never the fork's
    again = copy.build(SNIPPET_BACKEND="spawn")
    assert again.returncode == 0, again.log
    executed, _ = summary(again.log)
    assert not executed or f"{executed} executed, {len(SNIPPETS) - executed} from cache by the spawn backend" in again.log
    copy.keep_results("spawn")
    pages = (".html", ".svg", ".ipynb", ".json")  # not sitemap.xml.gz: gzip stamps the time
    first = {p: d for p, d in tree_digest(cold_site[1].site).items() if p.suffix in pages}
    second = {p: d for p, d in tree_digest(again.site).items() if p.suffix in pages}
    assert first == second


def test_changed_output_reaches_the_page_and_reruns_only_that_snippet(site_copy):
    text = (site_copy.root / TYPE_AND_GRAD).read_text().replace("print(a.grad)\n", 'print("梯度还没有算过")\n')
    site_copy.write(TYPE_AND_GRAD, text)
    sources = {name: tree_digest(site_copy.root / name) for name in ("docs", "snippets")}
    build = site_copy.build(flags=("--verbose",))
    assert build.returncode == 0, build.log
    assert sources == {name: tree_digest(site_copy.root / name) for name in ("docs", "snippets")}  # never written
    assert summary(build.log) == (1, len(SNIPPETS) - 1)
    assert build.log.count("Started a snippet worker") == 1
    assert "梯度还没有算过" in build.page("05-pytorch-basics")


BROKEN = {  # snippet -> (code, failing line, error the author must see)
    "snippets/05-pytorch-basics/type_and_grad.py": ("print('ok')\nx = 1 / 0\n", 2, "ZeroDivisionError: division by zero"),
    "snippets/05-pytorch-basics/tensor_vs_Tensor.py": ("print('ok')\ndef f(:\n", 2, "SyntaxError"),
    "snippets/04-backpropagation/check_gradient.py": ("import warnings\nwarnings.warn('old api')\n", 2, "UserWarning: old api"),
}


def test_every_broken_snippet_is_reported_with_its_line_and_page(site_copy):
    for snippet, (code, _, _) in BROKEN.items():
        site_copy.write(snippet, code)
    build = site_copy.build()
    assert build.returncode != 0
    for snippet, (_, line, error) in BROKEN.items():
        page = "05-pytorch-basics" if "05-" in snippet else "04-backpropagation"
        assert f"{snippet}:{line}: snippet failed (included by docs/{page}.md:" in build.log
        assert error in build.log
    assert not list((site_copy.root / ".cache" / "snippets").glob("run-*"))  # nothing half-written left
    for snippet, (_, line, _) in BROKEN.items():  # each chapter's notebook shows the error in the snippet's cell
        chapter = "05-pytorch-basics" if "05-" in snippet else "04-backpropagation"
        assert f"运行出错：第 {line} 行" in build.page(f"notebooks/{chapter}")


def test_slow_snippet_times_out(site_copy):
    config = (site_copy.root / "mkdocs.yml").read_text().replace("timeout: 60", "timeout: 1")
    site_copy.write("mkdocs.yml", config)
    site_copy.write(TYPE_AND_GRAD, "import time\ntime.sleep(30)\n")
    build = site_copy.build()
    assert build.returncode != 0
    assert "TimeoutError: still running after 1 s" in build.log
    assert TYPE_AND_GRAD in build.log and "docs/05-pytorch-basics.md" in build.log


def test_failed_run_is_not_cached_and_fixing_recovers(site_copy):
    original = (site_copy.root / TYPE_AND_GRAD).read_text()
    site_copy.write(TYPE_AND_GRAD, "raise RuntimeError('broken')\n")
    broken = site_copy.build()
    assert broken.returncode != 0
    page = (site_copy.root / "docs/05-pytorch-basics.md").read_text(encoding="utf-8").splitlines()
    include = page.index('--8<-- "05-pytorch-basics/type_and_grad.py"') + 1
    problems = [line for line in broken.log.splitlines() if line.startswith(("ERROR", "WARNING"))]
    # one mistake, one message: no follow-on warning (the chapter's notebook, its figures) on top
    assert problems == [f"ERROR   -  {TYPE_AND_GRAD}:1: snippet failed (included by docs/05-pytorch-basics.md:{include})"]
    assert "运行出错：第 1 行" in broken.page("notebooks/05-pytorch-basics")  # the notebook shows it in its cell
    site_copy.write(TYPE_AND_GRAD, original)
    build = site_copy.build()
    assert build.returncode == 0, build.log
    assert summary(build.log) == (0, len(SNIPPETS))  # the good result was cached before the breakage


def test_every_page_mistake_is_reported_with_page_and_line(site_copy):
    """A missing include, one escaping snippets/, one not in UTF-8, a figure the snippet never drew, and a snippet
    no page includes; a helper module that an included snippet imports is none of these."""
    page = site_copy.root / "docs/05-pytorch-basics.md"
    text = page.read_text()
    (site_copy.root / "snippets/05-pytorch-basics/gbk.py").write_bytes("print('你好')\n".encode("gbk"))
    (site_copy.root / "snippets/05-pytorch-basics/extra").mkdir()
    site_copy.write("snippets/05-pytorch-basics/extra/helper.py", "VALUE = 42\n")
    site_copy.write("snippets/05-pytorch-basics/uses_helper.py", "from extra.helper import VALUE\n\nprint(VALUE)\n")
    includes = [
        "05-pytorch-basics/missing.py",
        "../../etc/passwd",
        "05-pytorch-basics/gbk.py",
        "05-pytorch-basics/uses_helper.py",
    ]
    page.write_text(text + "".join(f'\n```python\n--8<-- "{include}"\n```\n' for include in includes))
    figure_page = site_copy.root / "docs/02-linear-regression.md"
    figure_text = figure_page.read_text()
    figure_page.write_text(figure_text + "\n![第二张图](figures/02-linear-regression/exhaustive_search-2.svg)\n")
    site_copy.write("snippets/05-pytorch-basics/forgotten.py", "print('no page includes me')\n")
    build = site_copy.build()
    assert build.returncode != 0
    first = text.count("\n") + 3
    assert f'docs/05-pytorch-basics.md:{first}: cannot include "{includes[0]}": no such file' in build.log
    assert f'docs/05-pytorch-basics.md:{first + 4}: cannot include "{includes[1]}": it is outside snippets/' in build.log
    assert f'docs/05-pytorch-basics.md:{first + 8}: cannot include "{includes[2]}": it is not UTF-8' in build.log
    assert (
        f"docs/02-linear-regression.md:{figure_text.count(chr(10)) + 2}: shows figure 2 of "
        "snippets/02-linear-regression/exhaustive_search.py, but that snippet drew 1 figure(s)"
    ) in build.log
    assert (
        "WARNING -  snippets/05-pytorch-basics/forgotten.py is not included by any page: include it in a chapter "
        "(CONTRIBUTING.md: 写一章：作者指南), or delete it"
    ) in build.log
    problems = [line for line in build.log.splitlines() if line.startswith(("ERROR", "WARNING"))]
    assert len(problems) == 5, problems  # one message per mistake: no warning about the -2.svg#only-light files,
    # none that gbk.py (its include is broken) or extra/helper.py (uses_helper.py imports it) is included by no page
    box = '<p class="admonition-title">没有这张图：figures/02-linear-regression/exhaustive_search-2.svg</p>'
    assert box in build.page("02-linear-regression")  # on the page, where the image would be
    notebook = (build.site / "notebooks/05-pytorch-basics/05-pytorch-basics.ipynb").read_text(encoding="utf-8")
    assert "无法引入 snippets/../../etc/passwd" in notebook and "root:" not in notebook  # said, never read


BROKEN_CACHES = {
    "Read-only file system": "mount --bind .cache .cache && mount -o remount,bind,ro .cache",
    "No space left on device": "cp -a .cache .seed && mount -t tmpfs -o size=32m tmpfs .cache && cp -a .seed/. .cache"
    " && rm -r .seed && { dd if=/dev/zero of=.cache/filler bs=1M 2>/dev/null; true; }",
}


@linux_only("mount namespaces (unshare -rm)")
@pytest.mark.parametrize("why", BROKEN_CACHES)
def test_a_cache_that_takes_no_writes_costs_time_not_correctness(site_copy, why):
    """The build says so in one line, without a traceback: --strict fails on it, and the site is still
    whole and correct (written before the abort, like any strict failure), with no partial file left."""
    site_copy.add_snippet("uncached.py", "print('computed, and stored nowhere')\n")
    site_copy.write("docs/index.md", (site_copy.root / "docs/index.md").read_text() + "\n新的一段：高亮和分词也不能缓存。\n")
    mounted = ("unshare", "-rm", "--propagation", "private", "sh", "-c", f'{BROKEN_CACHES[why]} && exec "$@"', "sh")
    build = site_copy.build(wrapper=mounted)
    problems = [line for line in build.log.splitlines() if re.match(r"(WARNING|ERROR)\b", line)]
    assert problems == [
        f"WARNING -  The cache folder {site_copy.root / '.cache'} cannot be written ({why}): this build runs without caching"
    ], build.log
    assert build.returncode == 1 and "Traceback" not in build.log
    assert "computed, and stored nowhere" in build.page("05-pytorch-basics")
    assert "computed, and stored nowhere" in build.page("notebooks/05-pytorch-basics")
    index = json.loads((build.site / "search/search_index.json").read_text(encoding="utf-8"))
    assert any("高亮和分词也不能缓存" in entry["text"].replace("\u200b", "") for entry in index["docs"])
    assert not list(site_copy.root.rglob(".partial-*")) and not list(site_copy.root.rglob(".probe"))
