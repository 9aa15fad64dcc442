"""A spare interpreter of the spawn backend: warm first, then exactly one snippet, then it exits.

    python -m snippetrun.executor.spawn_child

Started by spawn_worker.py as a fresh interpreter (no fork), leading a process group of its own. It
imports matplotlib and draws the warm-up figure (`preload.warm_up`; torch comes with the preloads, or
with the snippet's own import), then reads its
stdin, the worker's control pipe (protocol.py): `Preload`s (imported while it waits) and one
`RunRequest`, as fork_worker.py takes them. It answers on its stdout: `Ready` when warm,
`SnippetStarted` when the snippet starts, `ResultsWritten` when the results are written (before its
own teardown).

Once it runs a snippet, the control pipe is watched: its end (the worker or the build is gone, by any
means) ends everything this process started, and the process itself. That EOF is the parent-death
signal on every OS.
"""

import os
import threading

from . import network

network.NO_NAMESPACE = network.enter_private_network()  # a new namespace needs a single-threaded process

from . import preload, process_tree, protocol, sandbox  # noqa: E402
from .protocol import Preload, Ready, ResultsWritten, RunRequest, SnippetStarted  # noqa: E402


def main() -> None:
    process_tree.become_subreaper()  # Linux: what the snippet detaches stays below this process
    # The control pipe moves off stdin and stdout: the snippet gets /dev/null and its own files there.
    control = os.fdopen(os.dup(0), "r", encoding="utf-8")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    preload.warm_up()
    answers.write(protocol.encode(Ready()))
    for line in control:
        request = protocol.decode(line)
        if isinstance(request, RunRequest):
            break
        if isinstance(request, Preload):
            preload.preload(request.modules)
    else:
        os._exit(0)  # the worker ended before it had a snippet for us
    threading.Thread(target=_end_with_worker, args=(control,), daemon=True, name="spawn-worker-watchdog").start()
    answers.write(protocol.encode(SnippetStarted(process_tree.tree_private_mb(os.getpid()))))
    sandbox.execute(request)
    answers.write(protocol.encode(ResultsWritten()))
    os._exit(0)


def _end_with_worker(control) -> None:
    control.read()  # returns at EOF: the worker closed the pipe or died
    process_tree.end_children()
    os._exit(1)


if __name__ == "__main__":
    main()
