"""A spare interpreter of the spawn backend: warm first, then exactly one snippet, then it exits.

    python -m snippetrun.executor.spawn_child

Started by spawn_worker.py as a fresh interpreter (no fork), leading a process group of its own. It
imports torch and matplotlib and draws the warm-up figure (`preload.warm_up`), then reads its
stdin, the worker's control pipe: `{"preload": [...]}` lines (imported while it waits) and one run
request, as fork_worker.py takes them. It answers on its stdout: `ready` when warm, `started` when
the snippet starts, `done` when the results are written (before its own teardown).

Once it runs a snippet, the control pipe is watched: its end (the worker or the build is gone, by any
means) ends everything this process started, and the process itself. That EOF is the parent-death
signal on every OS.
"""

import json
import os
import threading

from . import network

network.NO_NAMESPACE = network.enter_private_network()  # a new namespace needs a single-threaded process

from . import preload, process_tree, sandbox  # noqa: E402


def main() -> None:
    process_tree.become_subreaper()  # Linux: what the snippet detaches stays below this process
    # The control pipe moves off stdin and stdout: the snippet gets /dev/null and its own files there.
    control = os.fdopen(os.dup(0), "r", encoding="utf-8")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    preload.warm_up()
    print("ready", file=answers)
    for line in control:
        request = json.loads(line)
        if "preload" not in request:
            break
        preload.preload(request["preload"])
    else:
        os._exit(0)  # the worker ended before it had a snippet for us
    threading.Thread(target=_end_with_worker, args=(control,), daemon=True, name="spawn-worker-watchdog").start()
    print(f"started {process_tree.tree_rss_mb(os.getpid()):.1f}", file=answers)  # MB held before the snippet
    sandbox.execute(request)
    print("done", file=answers)
    os._exit(0)


def _end_with_worker(control) -> None:
    control.read()  # returns at EOF: the worker closed the pipe or died
    process_tree.end_children()
    os._exit(1)


if __name__ == "__main__":
    main()
