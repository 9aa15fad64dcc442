"""(Shared by the hooks) The results of this build's snippets, from run_snippets to the hooks after it.

Failed runs are never cached, so a hook that reads the cache would not see them: the chapter's
notebook shows a failed snippet's error in its cell from here. Under `mkdocs serve`, a snippet may
still be running in the background: its notebook cell is then one not run yet.
"""

from pathlib import Path

from .executor.results import Result

latest: dict[Path, Result] = {}  # absolute snippet path -> its result, for the build under way
running: set[Path] = set()  # absolute snippet paths with no result yet (mkdocs serve)
# absolute snippet path -> the texts pages quote from its run (quoted_values.py): part of its key
quotes: dict[Path, tuple[str, ...]] = {}
