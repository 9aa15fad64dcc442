"""MkDocs hook: run the snippets that pages include; show their output and figures.

A page includes a snippet with a fenced block holding one `--8<--` line.
Before pages render, every included snippet is executed (or read from the
cache); the hook then puts the snippet's printed output under its code block
and registers its figures as `figures/<chapter>/<name>-<n>.svg` site files
(plus `-dark.svg`, recoloured for the slate scheme), which the page shows with
an ordinary Markdown image.

Problems are logged as errors, which abort `mkdocs build --strict`, and shown
on the page, so `mkdocs serve` keeps serving while the author fixes them.
Under `mkdocs serve` a rebuild never waits long for a snippet (background_runs.py): a slow one is
shown as 「运行中…」 until it has run, and then the page reloads.
"""

import dataclasses
import functools
import logging
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File

from . import quoted_values, snippet_results
from .background_runs import BackgroundRuns
from .executor.page_limits import Limits
from .executor.results import Result
from .executor.runner import CACHE_FOLDER, SnippetRunner
from .output_blocks import ERROR_TITLE, STDERR, STDOUT, title
from .page_includes import Include, find_includes, problem

if TYPE_CHECKING:
    from .plugin import SnippetsConfig

log = logging.getLogger("mkdocs.hooks.run_snippets")

FIGURE_REF = re.compile(r"figures/(?P<snippet>[\w./-]+?)-(?P<number>\d+)\.svg")
# `![alt](figures/ch/name-1.svg)` is shown as Material's light/dark image pair. Both load lazily: the
# browser then fetches only the one the scheme shows, as the hidden one is never near the viewport.
FIGURE_IMAGE = re.compile(r"!\[(?P<alt>[^\]]*)\]\((?P<stem>figures/(?P<snippet>[\w./-]+?)-(?P<number>\d+))\.svg\)")
LIGHT_AND_DARK = (
    r"![\g<alt>](\g<stem>.svg#only-light){ loading=lazy }"
    r"![\g<alt>](\g<stem>-dark.svg#only-dark){ loading=lazy }"
)

RUNNING_TITLE = "运行中…"

_enabled = True
_serving = False  # `mkdocs serve` with live reload: snippets run in the background
_serve_command = False  # `mkdocs serve`, with or without live reload: there will be a next save
_runner: SnippetRunner | None = None  # made by the first on_config (or by the Markdown extension)
_background: BackgroundRuns | None = None  # under `mkdocs serve`
_results: dict[str, Result] = {}  # snippet path relative to the snippets folder -> Result
_running: set[str] = set()  # snippet paths, relative like _results', still running in the background
options: "SnippetsConfig | None" = None  # the plugin's typed config, set before on_config


def on_startup(command, dirty):
    global _serving, _serve_command
    _serve_command = command == "serve"
    # Without live reload nothing would replace a 「运行中…」 placeholder: that serve waits, as a build does.
    _serving = command == "serve" and "--no-livereload" not in sys.argv


def results() -> dict[str, Result]:
    """This build's results so far, by snippet path relative to the snippets folder (failed runs too)."""
    return _results


def _the_runner() -> SnippetRunner:
    if _runner is None:
        raise RuntimeError("no snippet runner: on_config (or snippetrun.extension) makes it first")
    return _runner


def _snippets_folder(config: MkDocsConfig) -> Path:
    """pymdownx.snippets' base_path, which on_config anchors to mkdocs.yml."""
    return Path(config.mdx_configs["pymdownx.snippets"]["base_path"][0]).resolve()


def on_config(config: MkDocsConfig) -> None:
    global _runner, _enabled, _background
    if options is None:
        raise RuntimeError("run_snippets runs as a stage of the snippetrun plugin, which gives it its options")
    root = Path(config.config_file_path).resolve().parent
    # pymdownx resolves base_path from the working directory; anchor it to mkdocs.yml instead.
    snippets_options = config.mdx_configs["pymdownx.snippets"]
    snippets_options["base_path"] = [str(root / base) for base in snippets_options["base_path"]]
    _enabled = options.enabled
    if _runner is None:  # kept across `mkdocs serve` rebuilds, with its warm worker
        try:
            _runner = SnippetRunner(root / CACHE_FOLDER, root=root, workers=options.workers, backend=options.backend)
        except ValueError as mistake:  # SNIPPET_BACKEND or SNIPPET_SHARD: one line, no traceback
            raise PluginError(str(mistake)) from None
    if _serving and _background is None:
        _background = BackgroundRuns(_runner, patience=float(options.serve_patience))
    _runner.timeout = options.timeout
    _runner.keep_a_spare = _serve_command
    _runner.limits = Limits(
        options.max_output_lines, options.max_output_kb, options.max_figure_kb, options.min_figure_text_px, options.max_memory_mb
    )
    if _enabled and not _runner.warm and (missing := _snippets_without_results(config)):
        _runner.warm_up(missing)  # the worker imports their libraries while MkDocs reads the pages
    if threading.current_thread() is threading.main_thread():
        # A plain `kill` (SIGTERM) or a closed terminal (SIGHUP) stops the build or `mkdocs serve` as Ctrl-C
        # does: cleanly, with MkDocs' temp site and the worker's scratch copies removed.
        for name in ("SIGINT", "SIGTERM", "SIGHUP"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), _interrupted)


def _interrupted(signum, frame):
    # Ctrl-C: every snippet process ends now, even if the KeyboardInterrupt below lands somewhere
    # that swallows it (a finalizer) and the build would otherwise wait for a looping snippet.
    _the_runner().abort()
    signal.default_int_handler(signum, frame)


@event_priority(60)  # before chapter_notebooks and mkdocs-jupyter, which use the results
def on_files(files, config):
    if not _enabled:
        return files
    base = _snippets_folder(config)
    errors, warnings = run_pages([(page.src_uri, page.content_string) for page in files.documentation_pages()], base)
    for message in errors:
        log.error(message)
    for message in warnings:
        log.warning(message)
    for name, result in _results.items():
        for number, figure in enumerate(result.figures, 1):
            stem = _figure_stem(name, number)
            files.append(File.generated(config, f"{stem}.svg", content=figure.light))
            files.append(File.generated(config, f"{stem}-dark.svg", content=figure.dark))
    return files


def run_pages(pages: list, base: Path) -> tuple:
    """Run (or read from the cache) every snippet the pages, (src_uri, Markdown) pairs, include or quote;
    the results stay in this module for the pages' Markdown (`page_markdown`). The build's errors and
    warnings, each one line naming page or snippet and line: the same for every site generator."""
    plan = _what_pages_run(pages, base)
    broken, listings, runnable, snippets, quotes = plan.broken, plan.listings, plan.runnable, plan.snippets, plan.quotes
    results = _background.results(snippets.values()) if _background else _the_runner().run_all(snippets.values())
    snippet_results.latest.clear()
    snippet_results.latest.update({path: result for path, result in results.items() if result})
    snippet_results.running.clear()
    snippet_results.running.update(path for path, result in results.items() if result is None)
    _results.clear()
    _results.update({name: results[path] for name, path in snippets.items() if results[path]})
    _running.clear()
    _running.update(name for name, path in snippets.items() if results[path] is None)
    _log_summary()
    # Included, run or not (a broken include has its own error), or read by a snippet that ran (a helper module)
    used = {*snippets.values(), *((base / inc.snippet).resolve() for inc in [*(inc for inc, _ in broken), *listings])}
    used |= {(result.snippet.parent / name).resolve() for result in _results.values() for name in result.read}
    warnings = [
        f"snippets/{orphan.relative_to(base).as_posix()} is not included by any page: include it in "
        "a chapter (CONTRIBUTING.md: 写一章：作者指南), or delete it"
        for orphan in sorted(set(base.rglob("*.py")) - used)
    ]
    problems: list[str | None] = [_broken_include_message(inc, why) for inc, why in broken]
    problems += [_failure_message(inc, _results[inc.snippet]) for inc in runnable if inc.snippet in _results]
    problems += [quoted_values.problem(quote, _result_of(quote.snippet)) for quote in quotes]
    problems += [_listing_problem(inc, base) for inc in listings]
    for include in runnable:  # figures shown, and cached: a strict build fails on these all the same
        for why in _results[include.snippet].warnings.values() if include.snippet in _results else ():
            warnings.append(f"snippets/{include.snippet}: {why} (included by docs/{include.page}:{include.line})")
    return [message for message in problems if message], warnings


@dataclasses.dataclass
class _PagesPlan:
    """What the pages include and quote: the runner now evaluates the quotes in the snippets' runs."""

    broken: list  # (Include, why) of the includes that cannot run
    listings: list  # Includes shown as helper modules, never run
    runnable: list  # Includes that run
    snippets: dict  # name (relative to the snippets folder) -> absolute path, of the runnable ones
    quotes: list  # the pages' Quotes, mistakes marked


def _what_pages_run(pages: list, base: Path) -> _PagesPlan:
    includes = [inc for src_uri, text in pages for inc in find_includes(text, src_uri)]
    checked = [(inc, problem(base, inc)) for inc in includes]
    broken = [(inc, why) for inc, why in checked if why]
    listings = [inc for inc, why in checked if not why and inc.listing]
    runnable = [inc for inc, why in checked if not why and not inc.listing]
    snippets = {inc.snippet: (base / inc.snippet).resolve() for inc in runnable}
    quotes = [quote for src_uri, text in pages for quote in quoted_values.find_quotes(text, src_uri, base)]
    _quote_runs(quotes, snippets, base)
    return _PagesPlan(broken, listings, runnable, snippets, quotes)


def _quote_runs(quotes: list, snippets: dict, base: Path) -> None:
    """Tell the runner what each snippet's run must evaluate for the pages; a quote of a snippet that
    no page shows is a mistake (its code would be nowhere on the site)."""
    wanted: dict[Path, set[str]] = {}
    for number, quote in enumerate(quotes):
        if quote.mistake is None and quote.snippet not in snippets:
            quotes[number] = dataclasses.replace(
                quote,
                mistake=f"snippets/{quote.snippet} is not included by any page; "
                "a page quotes only a snippet whose code the site shows",
            )
        elif quote.mistake is None:
            wanted.setdefault(snippets[quote.snippet], set()).add(quote.text)
    runner = _the_runner()
    runner.quotes = {path: tuple(sorted(texts)) for path, texts in wanted.items()}
    snippet_results.quotes.clear()
    snippet_results.quotes.update(runner.quotes)


def _result_of(snippet: str):
    """For quoted_values: the snippet's Result, RUNNING while it runs in the background, or None."""
    return quoted_values.RUNNING if snippet in _running else _results.get(snippet)


def on_page_markdown(markdown, page, config, files):
    if not page.file.src_uri.endswith(".md"):  # a notebook page's figures and values come from its chapter's
        return markdown
    if not _enabled:  # a bare build: no value was computed
        return quoted_values.substitute(markdown, page.file.src_uri, _snippets_folder(config), lambda snippet: None)
    for mistake in _figure_ref_problems(page.file.content_string, page.file.src_uri):
        log.error(mistake)
    return page_markdown(markdown, page.file.src_uri, _snippets_folder(config))


def page_markdown(markdown: str, src_uri: str, base: Path, figure=LIGHT_AND_DARK) -> str:
    """The page's Markdown with its snippets' outputs and errors under their code, its quoted values filled
    in and its figures as light/dark pairs (`figure`: the pair's template, from the image's alt and stem)."""
    markdown = quoted_values.substitute(markdown, src_uri, base, _result_of)
    markdown = FIGURE_IMAGE.sub(functools.partial(_figure_pair, template=figure), markdown)
    shown, start = [], 0
    for include in find_includes(markdown, src_uri):
        shown += [markdown[start : include.start], _with_result(include, markdown[include.start : include.end], base)]
        start = include.end
    return "".join(shown) + markdown[start:]


def _figure_pair(image: re.Match, template=LIGHT_AND_DARK) -> str:
    """The light/dark pair; nothing for a snippet that failed, whose error the page shows at its code;
    an error box, where the image would be, for a figure its snippet did not draw."""
    snippet, number = image["snippet"] + ".py", int(image["number"])
    if snippet in _running:
        return _box("info", RUNNING_TITLE, f"这张图由 snippets/{snippet} 画出，{_where_it_runs()}")
    result = _results.get(snippet)
    if result is not None and not result.ok:
        return ""
    drawn = len(result.figures) if result else 0
    if number > drawn:
        why = f"snippets/{snippet} 没有被任何页面引用。" if result is None else f"snippets/{snippet} 只画了 {drawn} 张图。"
        return _error_box(f"没有这张图：{image['stem']}.svg", why)
    shown = template(image) if callable(template) else image.expand(template)
    if result and number in result.warnings:  # under `mkdocs serve`, where the author looks at it
        shown += _box(
            "warning", f"手机上看不清：snippets/{snippet} 的第 {number} 张图", f"```text\n{result.warnings[number]}\n```"
        )
    return shown


def _snippets_without_results(config) -> list[Path]:
    """A quick look (no entry is read or verified; on_files does that): the snippets whose results are
    missing. With the pages' quotes, which are part of the keys; listings never run."""
    docs = Path(config.docs_dir)
    pages = [(page.relative_to(docs).as_posix(), page.read_text(encoding="utf-8-sig")) for page in docs.rglob("*.md")]
    snippets = _what_pages_run(pages, _snippets_folder(config)).snippets
    return [snippet for snippet in snippets.values() if not _the_runner().has_entry(snippet)]


def on_serve(server, config, builder):
    # The writer's first save should not wait for `import torch`, even when every result was cached.
    _the_runner().warm_up()
    if _background:  # results that arrive make the server rebuild: it watches a folder they touch
        signals = Path(tempfile.mkdtemp(prefix="snippet-results-"))
        server.watch(str(signals))
        _background.serve(functools.partial(_rebuild, server, signals / "ready"))
        _cleanup.append(signals)
    return server


_cleanup: list[Path] = []


def _rebuild(server, signal_file: Path) -> None:
    log.info("Snippets that ran in the background are done: rebuilding")
    if not server.observer.is_alive():  # right after the first build: the watcher first looks as it starts
        while not server.observer.is_alive():
            time.sleep(0.05)
        time.sleep(1)  # ... and a file touched before that look would go unseen
    signal_file.write_text(str(time.time_ns()))


def on_shutdown():
    if _runner:
        _runner.close()
    for folder in _cleanup:
        shutil.rmtree(folder, ignore_errors=True)


def _readers(base: Path, helper: str) -> list:
    """The included snippets whose runs read `helper` (relative to the snippets folder), as names."""
    path = (base / helper).resolve()
    return sorted(
        name for name, result in _results.items() if path in {(result.snippet.parent / read).resolve() for read in result.read}
    )


def _listing_problem(include: Include, base: Path) -> str | None:
    """A listing shows a helper module, beside a snippet that imports or reads it (the notebook writes it
    there, next to itself); anything else should be a snippet that runs."""
    readers = _readers(base, include.snippet)
    if _running or (readers and all(Path(reader).parent == Path(include.snippet).parent for reader in readers)):
        return None
    why = (
        "no included snippet imports or reads it: include it as code that runs instead (without .listing)"
        if not readers
        else "a listed helper module must sit beside the snippet that imports it (the notebook writes it there)"
    )
    return f'docs/{include.page}:{include.line}: cannot list "{include.snippet}": {why}'


def _broken_include_message(include: Include, why: str) -> str:
    return f'docs/{include.page}:{include.line}: cannot include "{include.snippet}": {why}'


def _failure_message(include: Include, result) -> str | None:
    if result.ok:
        return None
    where = f"snippets/{include.snippet}:{result.line or 1}"
    return f"{where}: snippet failed (included by docs/{include.page}:{include.line})\n{result.error.rstrip()}"


def _log_summary():
    runner = _the_runner()
    unrun = runner.not_cached  # what a cache-only build had no result for: it ran none of them
    executed = {name: result for name, result in _results.items() if not result.cached and result.snippet not in unrun}
    for name, result in executed.items():
        log.info(f"Ran snippets/{name} in {result.seconds:.2f} s")
        for note in result.notes:  # e.g. processes the snippet left running: plain python would not fail
            log.info(note)
    backend = f" by the {runner.backend} backend" if executed else ""
    running = f", {len(_running)} still running in the background" if _running else ""
    if runner.shard and _running:  # their pages show placeholders: this build is one part of a CI run
        running = f", {len(_running)} left to the other shards ({runner.shard}; their pages show placeholders)"
    if runner.cache_only:  # the Pages job says what it published
        running += f", {len(unrun)} not in the cache; this build runs nothing (SNIPPET_CACHE_ONLY=1)"
    cached = len(_results) - len(executed) - len(unrun)
    log.info(f"Snippets: {len(executed)} executed, {cached} from cache{backend}{running}")


def _where_it_runs() -> str:
    """The end of a placeholder's sentence: where the snippet runs, and when the page shows its result."""
    shard = _runner.shard if _runner else None
    if shard:
        return f"由 CI 的另一个分片运行（这次构建是 {shard}）：合并各分片的 .cache/snippets 再构建一次，这里就是它的结果。"
    return "还在后台运行，运行完这一页会自动刷新，显示它的结果。"


def _figure_stem(snippet: str, number: int) -> str:
    return f"figures/{snippet.removesuffix('.py')}-{number}"


def _with_result(include: Include, code: str, base: Path) -> str:
    """The code block followed by its output, or by the error that stops a strict build."""
    if not include.mistake and include.snippet in _running:
        running = _box("info", RUNNING_TITLE, f"这段代码{_where_it_runs()}")
        return code + _indented(running, include.indent)
    if include.listing and not include.mistake:  # pymdownx shows the file; the page says it did not run on its own
        readers = "、".join(f"snippets/{reader}" for reader in _readers(base, include.snippet)) or "（没有）"
        note = _box("note", "辅助模块：不单独运行", f"这里只列出它的代码。导入它的是 {readers}，它在那段代码运行时一起运行。")
        return code.rstrip("\n") + _indented(note, include.indent) + "\n"
    result = None if include.mistake else _results.get(include.snippet)
    if result is None:  # refused, already reported: drop it so pymdownx neither crashes nor pastes it
        why = include.mistake or "文件不存在、不是 UTF-8，或不在 snippets/ 目录里。"
        return _indented(_error_box(f"无法引入 snippets/{include.snippet}", why), include.indent)
    printed = _output_block(result.stdout, STDOUT) + _output_block(result.stderr, STDERR)
    if result.error is not None:  # what it printed first, then the error, as in a terminal
        title = f"{ERROR_TITLE}：snippets/{include.snippet} 第 {result.line or 1} 行"
        return code + _indented(printed + _error_box(title, result.error), include.indent)
    return code.rstrip("\n") + _indented(printed, include.indent) + "\n"


def _indented(text: str, indent: str) -> str:
    return "".join(indent + line if line.strip() else line for line in text.splitlines(True))


def _output_block(printed: str, stream) -> str:
    text = printed.rstrip("\n")
    if not text:
        return ""
    fence = "`" * max(3, _longest_backtick_run(text) + 1)
    classes = " ".join(f".{name}" for name in stream.classes.split())
    return f'\n\n{fence} {{ .text {classes} title="{title(stream.title, text)}" }}\n{text}\n{fence}'


def _error_box(title: str, details: str) -> str:
    return _box("failure", title, f"```text\n{details.rstrip()}\n```")


def _box(kind: str, title: str, body: str) -> str:
    """A Material admonition: `failure` for errors, `info` for a snippet still running."""
    indented = "\n".join("    " + line if line else line for line in body.splitlines())
    return f'\n\n!!! {kind} "{title}"\n\n{indented}\n'


def _longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall(r"`+", text)), default=0)


def _figure_ref_problems(source: str, page: str):
    """Figures a page shows that its snippet did not draw (line numbers from the author's file)."""
    for match in FIGURE_REF.finditer(source):
        snippet, number = match.group("snippet") + ".py", int(match.group("number"))
        result = _results.get(snippet)
        if (result is not None and not result.ok) or snippet in _running:
            continue  # already reported as a failed run, or not run yet
        drawn = len(result.figures) if result else 0
        if number > drawn:
            line = source.count("\n", 0, match.start()) + 1
            why = "is not included by any page" if result is None else f"drew {drawn} figure(s)"
            yield f"docs/{page}:{line}: shows figure {number} of snippets/{snippet}, but that snippet {why}"
