"""Python runs this at the start of every Python process a snippet starts (the executor puts this
folder first on PYTHONPATH): the child refuses the network as the snippet's own interpreter does, and
writes why to the file SNIPPET_NETWORK_LOG names, so the build fails naming the address. On Linux the
child is in the snippet's network namespace as well; on macOS and Windows this is what keeps Python
children off the network. A child started with -I, -E or -S skips it (ARCHITECTURE.md says so).

Then the interpreter's own sitecustomize, if it has one (Debian's, a venv's), runs as usual.
"""

import importlib.util
import os
import sys


def _refuse_the_network() -> None:
    executor = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    spec = importlib.util.spec_from_file_location("_snippet_network", os.path.join(executor, "network.py"))
    if spec is None or spec.loader is None:
        raise ImportError(f"the executor's network.py is missing from {executor}")
    network = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(network)
    log = os.environ.get("SNIPPET_NETWORK_LOG")

    def guard(event: str, args: tuple) -> None:
        why = network.refusal(event, args)
        if why:
            if log:
                with open(log, "a", encoding="utf-8") as said:
                    said.write(why + "\n")
            raise PermissionError(f"snippets must not use the network ({why})")

    sys.addaudithook(guard)


def _the_interpreters_own() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [path for path in sys.path if os.path.abspath(path or ".") != here]
    ours = sys.modules.pop("sitecustomize")
    try:
        import sitecustomize  # type: ignore[import-not-found]  # noqa: F401 - the interpreter's, found or not
    except ImportError:  # none of its own (pyenv, uv, python.org builds): site's import, under way, ends with this one
        sys.modules["sitecustomize"] = ours


_refuse_the_network()
_the_interpreters_own()
