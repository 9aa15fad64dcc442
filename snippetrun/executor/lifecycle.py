"""What both backends' workers do around their own work: answer the build, follow it when it ends or
dies, and leave nothing behind."""

import os
import shutil
import signal
import sys
import traceback

from . import process_tree, protocol


def answer(message: protocol.Message) -> None:
    sys.stdout.write(protocol.encode(message))
    sys.stdout.flush()


def follow_the_build() -> None:
    """Ctrl-C reaches the build, which then closes our stdin; SIGTERM or the build's death end us."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _terminate)
    process_tree.die_with_parent(signal.SIGTERM)  # Linux; elsewhere the build's end closes our stdin
    process_tree.become_subreaper()


# The build's death arrives twice, as our input's EOF and as the parent-death SIGTERM: the SIGTERM may
# interrupt us once, while we serve; once the cleanup is ahead (`_ending`), it must never cut it short,
# or snippet processes would outlive the build.
_ending = False


def _terminate(signum, frame):
    global _ending
    if not _ending:
        _ending = True
        raise SystemExit(128 + signum)  # as a shell reports a process ended by the signal


def serve(worker, runs_dir: str) -> None:
    """Run `worker` until the build closes our stdin; then end every snippet process, remove RUNS_DIR and
    exit: 0, 128 + the signal that ended us, or 70 with the traceback of our own failure."""
    global _ending
    code = 0
    try:
        worker.serve()
        _ending = True  # a SIGTERM before this line is still caught below
    except SystemExit as stop:  # SIGTERM: the build died (_terminate's code)
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:  # noqa: BLE001 - a bug here: the build reports the runs as lost, and this says why
        _ending = True
        print("snippet worker failed:", traceback.format_exc(), sep="\n", file=sys.stderr, flush=True)
        code = 70
    finally:
        worker.end_everything()
        shutil.rmtree(runs_dir, ignore_errors=True)
        os._exit(code)  # tearing down torch takes ~0.7 s that nobody needs to wait for
