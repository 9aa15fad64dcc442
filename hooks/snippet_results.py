"""(Shared by the hooks) The results of this build's snippets, from run_snippets to the hooks after it.

Failed runs are never cached, so a hook that reads the cache would not see them: the chapter's
notebook shows a failed snippet's error in its cell from here.
"""

latest = {}  # absolute snippet path -> executor.runner.Result, for the build under way
