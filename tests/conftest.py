"""Shared fixtures: the snippet executor, real `mkdocs build` runs, and the page-code runner.

The pages' code blocks are collected by pytest-markdown-docs, with the
`--8<--` includes expanded by pymdownx.snippets itself and the code run by the
same executor the build uses.

Each book snippet runs as few times as the suite's promises need (issue 34): once in the cold fork build
that every xdist worker shares, once in the spawn build, once as a reader runs it (figure snippets from two
folders) and once in a notebook kernel. Everything else reads those results. Every run is logged
(SNIPPET_EXECUTION_LOG) and the session fails when a snippet ran more often than that.
"""

import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import markdown
import pytest
from filelock import FileLock
from markdown_it import MarkdownIt
from mkdocs.config import load_config
from pytest_markdown_docs._runners import _Runner, register_runner

from snippetrun import run_snippets
from snippetrun.executor.results import Result
from snippetrun.executor.runner import EXECUTION_LOG, SnippetRunner

from benchmark_build import write_synthetic_site

ROOT = Path(__file__).resolve().parent.parent

SOURCES = ("docs", "snippets", "snippetrun", "mkdocs.yml", "requirements.in")
SNIPPETS = sorted((ROOT / "snippets").rglob("*.py"))
BOOK_SNIPPETS = {snippet.read_text(encoding="utf-8").strip("\n") for snippet in SNIPPETS}  # as a page shows them
PAGES = sorted((ROOT / "docs").rglob("*.md"))
NOT_TESTS = {
    ROOT / name
    for name in ("snippets", "snippetrun", "site", ".cache", "README.md", "CONTRIBUTING.md", "ARCHITECTURE.md", "benchmarks")
}
# For page code that is not a book snippet (there is none today), and the executor's own tests.
RUNNER = SnippetRunner(Path(tempfile.mkdtemp(prefix="snippet-cache-")), root=ROOT, timeout=60)
# The book's results as the last run of the suite left them, by backend: its site builds start from them and
# add what they ran, so a run after an unchanged one runs no book snippet (CI keeps both folders with
# actions/cache). Only the executor's keys and checksums decide what in them is used.
KEPT_RESULTS = {"fork": ROOT / ".cache" / "snippets", "spawn": ROOT / ".cache" / "snippets-spawn"}
# How often the whole suite may execute each book snippet: a fork build, a spawn build, a reader's run and
# a notebook kernel; a figure snippet also runs as a reader runs it from its own folder.
MOST_RUNS, MOST_RUNS_OF_A_FIGURE_SNIPPET = 4, 5


def pytest_addoption(parser):
    parser.addoption(
        "--screenshots", action="store_true", help="save a full-page screenshot of every page and scheme in tests/screenshots/"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    # Most of the suite waits on builds, kernels and the browser: two pytest-xdist workers
    # halve the wall time of plain `pytest`. An explicit -n (or -p no:xdist) still wins.
    in_worker = hasattr(config, "workerinput")
    if config.pluginmanager.has_plugin("xdist") and config.option.numprocesses is None and not in_worker:
        config.option.numprocesses = 2
        if config.option.dist == "no":  # a worker that runs out of tests takes some of the other's
            config.option.dist = "worksteal"


def pytest_configure(config):
    # Set by the controller before its xdist workers start: they, and every build they start, inherit it.
    os.environ.setdefault(EXECUTION_LOG, str(Path(tempfile.mkdtemp(prefix="snippet-executions-")) / "runs.txt"))
    config.option.markdowndocs = True  # run the code blocks of docs/*.md as tests
    # Snippets run through the executor (test_snippets.py), never by importing them.
    config.option.ignore = [*(config.option.ignore or []), *map(str, NOT_TESTS)]


# `pytest -m quick`: the tests that only read the session's one build of the book (which runs every snippet
# once, strictly) or need no build at all, and the pages' code; the whole suite stays the CI gate.
READS_THE_BUILD = {"snippet_results", "cold_site", "tmp_path_factory"}  # with what cold_site uses
NOT_QUICK = {"test_benchmark.py", "test_notebooks.py::test_notebook_runs_top_to_bottom_in_a_fresh_kernel"}


def pytest_collection_modifyitems(config, items):
    # On Linux a test of the executor's behaviour runs on the fork backend only, unless it is marked
    # both_backends (the spawn backend reaches it through Linux mechanisms of its own); the macOS and
    # Windows CI jobs run every one of them on spawn. SNIPPET_TEST_BOTH_BACKENDS=1 runs all of them both ways.
    if sys.platform == "linux" and not os.environ.get("SNIPPET_TEST_BOTH_BACKENDS"):
        spawn_elsewhere = [item for item in items if _spawn_only_elsewhere(item)]
        config.hook.pytest_deselected(items=spawn_elsewhere)
        items[:] = [item for item in items if item not in spawn_elsewhere]
    for item in items:
        parametrized = set(item.callspec.params) if hasattr(item, "callspec") else set()
        fixtures = set(getattr(item, "fixturenames", ())) - parametrized - {"request"}
        slow = any(part in item.nodeid for part in NOT_QUICK)
        if not slow and fixtures <= READS_THE_BUILD:
            item.add_marker(pytest.mark.quick)
    # The tests that need no build of the book first: pytest-xdist gives each worker a contiguous part of
    # the list, so one worker starts on these while the other makes the session's cold build.
    items.sort(key=lambda item: "cold_site" in getattr(item, "fixturenames", ()))


def _spawn_only_elsewhere(item) -> bool:
    params = item.callspec.params if hasattr(item, "callspec") else {}
    return params.get("backend") == "spawn" and item.get_closest_marker("both_backends") is None


def pytest_unconfigure(config):
    RUNNER.close()
    shutil.rmtree(RUNNER.cache_dir, ignore_errors=True)


def _as_run(name: str) -> str:
    """A line of the execution log: the snippet's name and the SHA-256 of its code (runner.EXECUTION_LOG)."""
    return f"{name} {hashlib.sha256((ROOT / name).read_bytes()).hexdigest()}"


def record_execution(name: str) -> None:
    """A run of a book snippet outside the executor (a reader's run, a notebook kernel), for the count."""
    with open(os.environ[EXECUTION_LOG], "a", encoding="utf-8") as log:
        log.write(f"{_as_run(name)} (outside the executor)\n")


def executions() -> dict[str, int]:
    """How often each book snippet, as the repository has it, ran in this session so far, by its name
    (snippets/<chapter>/<name>.py). Tests that change a snippet's code run another snippet: not counted."""
    log = Path(os.environ[EXECUTION_LOG])
    runs = [" ".join(line.split()[:2]) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    book = sorted(snippet.relative_to(ROOT).as_posix() for snippet in SNIPPETS)
    return {name: runs.count(_as_run(name)) for name in book}


def most_runs(name: str) -> int:
    return MOST_RUNS_OF_A_FIGURE_SNIPPET if "plt.show()" in (ROOT / name).read_text(encoding="utf-8") else MOST_RUNS


def pytest_sessionfinish(session, exitstatus):
    """The whole suite's count (in the controller, once every worker is done): a snippet run more often
    than its promises need fails the session, naming it."""
    if hasattr(session.config, "workerinput"):
        return
    over = {name: count for name, count in executions().items() if count > most_runs(name)}
    if over:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        for name, count in over.items():
            reporter.write_line(
                f"{name} ran {count} times in this session; at most {most_runs(name)} (tests/conftest.py)", red=True
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_markdown_docs_markdown_it():
    # A plain function: pluggy (1.7 and newer) refuses hook implementations wrapped by a decorator.
    return _include_expanding_markdown_it()


@functools.cache
def _include_expanding_markdown_it():
    return IncludeExpandingMarkdownIt()


class IncludeExpandingMarkdownIt(MarkdownIt):
    """Parses a page as the reader sees it: `--8<--` lines replaced by the snippet files."""

    def __init__(self):
        super().__init__("commonmark")
        options = load_config(str(ROOT / "mkdocs.yml")).mdx_configs["pymdownx.snippets"]
        options = {**options, "base_path": [str(ROOT / path) for path in options["base_path"]]}
        md = markdown.Markdown(extensions=["pymdownx.snippets"], extension_configs={"pymdownx.snippets": options})
        self._snippets = md.preprocessors["snippet"]

    def parse(self, src, env=None):
        return super().parse("\n".join(self._snippets.run(src.split("\n"))), env)


@register_runner(default=True)
class SnippetExecutorRunner(_Runner):
    """Runs a page's code block in the build's executor instead of in pytest's process."""

    def runtest(self, test, args, **kwargs):
        if test.source.strip("\n") in BOOK_SNIPPETS:
            return  # the page shows a book snippet as it is: its run is the build's, which test_snippets checks
        block = Path(RUNNER.cache_dir) / "page-code" / test.source_path.stem / f"line-{test.start_line}.py"
        block.parent.mkdir(parents=True, exist_ok=True)
        block.write_text(test.source)  # blank-line padding keeps page line numbers
        result = RUNNER.run_all([block])[block.resolve()]
        if result is None or not result.ok:  # None: another SNIPPET_SHARD's
            why = result.error if result else "another SNIPPET_SHARD runs it"
            raise AssertionError(f"{test.source_path}:{test.start_line}: code block failed\n{why}")

    def repr_failure(self, test, excinfo, style=None):
        return str(excinfo.value)


BACKENDS = ("fork", "spawn")
_RUNNERS = {RUNNER.backend: RUNNER}


def found(pattern: str, text: str, flags: int = 0) -> re.Match[str]:
    """The first match of `pattern` in `text`: the test fails, showing both, when there is none."""
    match = re.search(pattern, text, flags)
    assert match, f"{pattern!r} is not in:\n{text[:3000]}"
    return match


def linux_only(why: str):
    """For the macOS and Windows CI jobs: a test of something only Linux has, skipped there with the reason."""
    return pytest.mark.skipif(sys.platform != "linux", reason=f"Linux only: {why}")


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    """Each executor backend in turn, for the tests whose behaviour must not depend on it."""
    if request.param == "fork" and sys.platform != "linux":
        pytest.skip("the fork backend needs Linux (os.fork of a warm worker, pidfd_open, prctl)")
    return request.param


@pytest.fixture(scope="session")
def runner(backend):
    """A runner of that backend, with a cache of its own (one backend never reads the other's results)."""
    if backend not in _RUNNERS:
        cache = Path(tempfile.mkdtemp(prefix=f"snippet-cache-{backend}-"))
        _RUNNERS[backend] = SnippetRunner(cache, root=ROOT, timeout=60, backend=backend)
    return _RUNNERS[backend]


@pytest.fixture
def serial_runner(runner):
    """The shared runner with one worker process: snippets run one after the other, from the same worker."""
    runner.workers, workers = 1, runner.workers
    yield runner
    runner.workers = workers


@pytest.fixture(scope="session")
def snippet_results(cold_site) -> dict[Path, Result]:
    """Every book snippet's result, keyed by its path in the repository: the cold build's own results, read
    from its cache through the pages' quotes as the build asked for them (nothing runs again)."""
    copy, _ = cold_site
    run_snippets._runner = SnippetRunner(copy.root / ".cache" / "snippets", root=copy.root)
    pages = [
        (page.relative_to(copy.root / "docs").as_posix(), page.read_text(encoding="utf-8"))
        for page in sorted((copy.root / "docs").rglob("*.md"))
    ]
    errors, _ = run_snippets.run_pages(pages, copy.root / "snippets")
    assert not errors, errors
    results = {ROOT / "snippets" / name: result for name, result in run_snippets._results.items()}
    assert results.keys() == set(SNIPPETS) and all(result.cached for result in results.values())
    return results


@dataclass
class Build:
    returncode: int
    log: str
    site: Path

    def page(self, name: str) -> str:
        return (self.site / name / "index.html").read_text(encoding="utf-8")


class SiteCopy:
    """A temp copy of the site's sources, built with the real `mkdocs build --strict`."""

    def __init__(self, root: Path, copy: bool = True, chapter: str = "05-pytorch-basics"):
        self.root = root
        self.chapter = chapter  # the chapter add_snippet adds to
        for name in SOURCES if copy else ():
            copy_source = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
            copy_source(ROOT / name, root / name)

    def build(
        self,
        site: str = "site",
        cwd: Path | None = None,
        flags: tuple = (),
        wrapper: tuple = (),
        generator: str = "mkdocs",
        **env,
    ) -> Build:
        """`mkdocs build --strict [flags]` from the copy's root, or from `cwd` with `-f` pointing at it;
        `wrapper`: a command that runs it (its last arguments); `generator`: mkdocs or a drop-in (properdocs)."""
        config = ["-f", str(self.root / "mkdocs.yml")] if cwd else []
        command = [*wrapper, sys.executable, "-m", generator, "build", "--strict", *flags, *config, "-d", str(self.root / site)]
        done = subprocess.run(command, cwd=cwd or self.root, env=self.env(**env), capture_output=True, text=True, timeout=240)
        return Build(done.returncode, done.stdout + done.stderr, self.root / site)

    def env(self, **extra) -> dict:
        # The build's temp folder is inside the copy: every process a build starts runs in it, names it
        # on its command line or inherits it in PWD (a snippet's scratch copy), so the tests find any left
        # behind. (A marker variable would not do: snippets see only a reader's variables.)
        (self.root / "tmp").mkdir(exist_ok=True)
        return {**os.environ, "NO_MKDOCS_2_WARNING": "1", "TMPDIR": str(self.root / "tmp"), **extra}

    def live_processes(self) -> list:
        """Command lines of the processes, started by this copy's builds, that are still alive."""
        alive, marker = [], str(self.root).encode()
        for proc in Path("/proc").glob("[0-9]*"):
            try:
                marked = any(
                    marker in text
                    for text in (
                        (proc / "environ").read_bytes(),
                        (proc / "cmdline").read_bytes(),
                        str((proc / "cwd").readlink()).encode(),
                    )
                )
                if marked and (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    alive.append((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                continue  # ended meanwhile, or not ours to read
        return alive

    def write(self, relative: str, text: str) -> None:
        (self.root / relative).write_text(text, encoding="utf-8")

    def add_snippet(self, name: str, code: str, page: str | None = None) -> int:
        """A new snippet in the page's chapter (the copy's own by default), included at the end of the page;
        the include's line."""
        page = page or f"docs/{self.chapter}.md"
        chapter = Path(page).stem
        self.write(f"snippets/{chapter}/{name}", code)
        text = (self.root / page).read_text(encoding="utf-8")
        self.write(page, text + f'\n```python title="snippets/{chapter}/{name}"\n--8<-- "{chapter}/{name}"\n```\n')
        return text.count("\n") + 3

    def reuse_results(self, backend: str) -> None:
        """Start from the results the last run of the suite kept for this backend (KEPT_RESULTS)."""
        if KEPT_RESULTS[backend].is_dir():
            shutil.copytree(KEPT_RESULTS[backend], self.root / ".cache" / "snippets", dirs_exist_ok=True)

    def keep_results(self, backend: str) -> None:
        """Give the next run of the suite what this copy's builds ran (entries, run times, preloads)."""
        shutil.copytree(self.root / ".cache" / "snippets", KEPT_RESULTS[backend], dirs_exist_ok=True)

    def seed_cache(self, other: "SiteCopy") -> None:
        shutil.copytree(other.root / ".cache", self.root / ".cache")


@pytest.fixture(scope="session")
def cold_site(tmp_path_factory):
    """The real sources copied and built once for the whole session, from the results the last run kept
    (KEPT_RESULTS; none on a fresh clone): the first xdist worker to ask builds it, the others wait on a
    file lock and share it. Tests only read it."""
    basetemp = tmp_path_factory.getbasetemp()
    shared = basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp
    root, record = shared / "cold", shared / "cold-build.json"
    with FileLock(shared / "cold-build.lock"):
        if not record.exists():
            root.mkdir()
            copy = SiteCopy(root)
            copy.reuse_results("fork")
            build = copy.build()
            if build.returncode == 0:
                copy.keep_results("fork")
            record.write_text(json.dumps({"returncode": build.returncode, "log": build.log}), encoding="utf-8")
        built = json.loads(record.read_text(encoding="utf-8"))
    build = Build(built["returncode"], built["log"], root / "site")
    assert build.returncode == 0, build.log
    return SiteCopy(root, copy=False), build


@pytest.fixture
def site_copy(tmp_path, cold_site):
    """A fresh copy to modify, with the cold build's cache so only changed snippets run."""
    copy = SiteCopy(tmp_path)
    copy.seed_cache(cold_site[0])
    return copy


SMALL_PAGE = "docs/chapter-001.md"  # small_site's page


def synthetic_site(root: Path, chapters: int = 1) -> SiteCopy:
    """The benchmark's synthetic site of `chapters` pages of three small snippets, built by the same plugin."""
    root.mkdir(parents=True, exist_ok=True)
    write_synthetic_site(root, chapters=chapters, per_chapter=3)
    return SiteCopy(root, copy=False, chapter="chapter-001")


@pytest.fixture(scope="session")
def small_site_results(tmp_path_factory) -> Path:
    """The synthetic snippets' results, from one build of the synthetic site in this session (per xdist
    worker): every small_site starts from them, so its builds run only what a test adds or changes."""
    site = synthetic_site(tmp_path_factory.mktemp("small-site-results"))
    build = site.build()
    assert build.returncode == 0, build.log
    return site.root / ".cache" / "snippets"


@pytest.fixture
def small_site(tmp_path, small_site_results):
    """A one-page synthetic site, its snippets' results cached: for the executor's behaviour, and for
    builds whose environment changes every cache key (HOME, TZ), which must not run the book again."""
    site = synthetic_site(tmp_path)
    shutil.copytree(small_site_results, site.root / ".cache" / "snippets")
    return site


# CHROMIUM=/path picks a browser; else Debian's chromium; else Playwright's own (`python -m playwright
# install chromium`, the way on macOS and Windows).
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or ""
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def site_url(cold_site):
    """The cold build served over HTTP on 127.0.0.1, on a free port, for this session."""
    handler = functools.partial(_QuietHandler, directory=cold_site[1].site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    """Chromium driven by Playwright: Debian's (Playwright cannot download a browser here) or Playwright's own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable = CHROMIUM or playwright.chromium.executable_path
        if not Path(executable).exists():
            if os.environ.get("CI") == "true":
                pytest.fail(f"no browser at {executable}: CI must install chromium (.ci/debian-packages)")
            pytest.skip(
                "no browser: install Debian's chromium, or Playwright's own with "
                "`python -m playwright install chromium`, or set CHROMIUM=/path"
            )
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()
