"""(Shared by the hooks) Under `mkdocs serve`, snippets run in a thread of their own.

MkDocs' server holds every page request while a rebuild is under way, so a rebuild that waited for
a 60 s training snippet would freeze the whole preview. Here a rebuild waits at most `patience`
seconds (a quick snippet still shows its output in the same rebuild); a slower one is shown as
「运行中…」 and, once it has run, the hook asks the server for another rebuild, which reloads the page.

Results of this session's runs are kept in memory by the snippet's state (its code and the files
beside it): a failed run, which no cache holds, is not run again until something changes.
"""

import dataclasses
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .executor.results import Result
from .executor.runner import SnippetRunner


class BackgroundRuns:
    def __init__(self, runner: SnippetRunner, patience: float):
        self.runner = runner
        self.patience = patience
        self._ask_for_rebuild: Callable[[], None] | None = None
        self._serving = threading.Event()  # set once the server watches for the rebuilds asked of it
        self._changed = threading.Condition()  # held for everything below
        self._known: dict[Path, tuple[tuple, Result]] = {}  # snippet -> (state, result): its latest run in this session
        self._wanted: dict[Path, tuple] = {}  # snippet -> state: to run next
        self._running: dict[Path, tuple] = {}  # snippet -> state: in the batch under way
        self._thread: threading.Thread | None = None
        self._page_waits = False  # a rebuild showed 「运行中…」: rebuild again when results arrive
        self._shown_running: set[Path] = set()  # the snippets it showed so

    def serve(self, ask_for_rebuild) -> None:
        """From `on_serve`: how to make the server rebuild (and the browser reload) when results arrive."""
        self._ask_for_rebuild = ask_for_rebuild
        self._serving.set()

    def results(self, snippets) -> dict:
        """Absolute path -> Result; None for a snippet still running after `patience` seconds."""
        deadline = time.monotonic() + self.patience
        with self._changed:
            while True:
                found = self._look_up([Path(path).resolve() for path in snippets])
                missing = {snippet for snippet, result in found.items() if result is None}
                # the last rebuild showed them as running already: this one does not wait for them again
                if missing <= self._shown_running or not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    self._shown_running, self._page_waits = missing, bool(missing)
                    for snippet, (state, known) in self._known.items():
                        if found.get(snippet) is known:  # the log says "Ran" once; later builds show it as kept
                            self._known[snippet] = state, dataclasses.replace(known, cached=True)
                    return found

    def _look_up(self, snippets: list) -> dict:
        found = self.runner.cached(snippets)
        for snippet in snippets:
            if found[snippet] is not None and snippet not in self._known:
                continue  # from an earlier session's cache: no need to look at its folder
            state = self.runner.state(snippet)
            known_state, known = self._known.get(snippet, (None, None))
            if known_state == state:
                found[snippet] = known
            elif found[snippet] is None and self._running.get(snippet) != state:
                self._wanted[snippet] = state
        if self._wanted and self._thread is None:
            self._thread = threading.Thread(target=self._run, daemon=True, name="snippet-runs")
            self._thread.start()
        return found

    def _run(self) -> None:
        while True:
            with self._changed:
                self._running, self._wanted = self._wanted, {}
                if not self._running:
                    self._thread = None
                    return
            try:
                self.runner.run_all(list(self._running), on_result=self._arrived)
            except RuntimeError:  # the runner was closed: serve is stopping
                return

    def _arrived(self, snippet: Path, result: Result) -> None:
        with self._changed:
            self._known[snippet] = self._running.pop(snippet), result
            self._changed.notify_all()
            page_waits, self._page_waits = self._page_waits, False  # one rebuild at a time asks again
        if page_waits:
            self._serving.wait()  # the first build of `mkdocs serve` comes before its server; serve() set this
            if self._ask_for_rebuild:
                self._ask_for_rebuild()
