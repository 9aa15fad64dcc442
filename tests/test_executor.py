"""The executor on small throwaway snippets: isolation, seeding, the cache key."""

from pathlib import Path

import pytest

from snippetrun.executor.runner import SnippetRunner

LEAKY = """
import math, random, sys
import matplotlib.pyplot as plt
import numpy as np
import torch

print(random.random(), np.random.rand(), torch.rand(1).item())
torch.set_default_dtype(torch.float64)
math.pi = 3                      # a monkeypatch
sys.argv.append("--extra")
plt.figure()                     # a figure left open, never shown
leaked_global = 1
with open("written-by-snippet.txt", "w") as f:
    f.write("x")
from pathlib import Path
(Path(__file__).parent / "model.pt").write_text("weights")  # beside the snippet, as tutorials do
"""

CHECKS = """
import math, os, random, sys
import matplotlib.pyplot as plt
import numpy as np
import torch

assert torch.get_default_dtype() == torch.float32
assert math.pi > 3.14
assert sys.argv == [__file__], sys.argv
assert plt.get_fignums() == []
assert "leaked_global" not in globals()
from pathlib import Path
assert os.listdir(".") == [Path(__file__).parts[0]]  # the project's layout, nothing another snippet wrote
assert not (Path(__file__).parent / "model.pt").exists()
print(random.random(), np.random.rand(), torch.rand(1).item())
"""


def test_snippets_cannot_leak_state_into_each_other(serial_runner, tmp_path):
    (tmp_path / "leaky.py").write_text(LEAKY)
    (tmp_path / "checks.py").write_text(CHECKS)
    leaky, checks = serial_runner.run_all([tmp_path / "leaky.py", tmp_path / "checks.py"]).values()
    assert checks.ok, checks.error
    assert "drew 1 figure(s) it never shows" in leaky.error  # the figure left open fails its own snippet only
    assert leaky.stdout == checks.stdout  # both start from the same seeds
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checks.py", "leaky.py"]  # writes were thrown away


def test_editing_an_imported_local_module_reruns_the_snippet(runner, tmp_path):
    (tmp_path / "helper.py").write_text("VALUE = 1\n")
    snippet = tmp_path / "uses_helper.py"
    snippet.write_text("from helper import VALUE\nprint(VALUE)\n")
    first = runner.run_all([snippet])[snippet]
    again = runner.run_all([snippet])[snippet]
    (tmp_path / "helper.py").write_text("VALUE = 2\n")
    edited = runner.run_all([snippet])[snippet]
    assert (first.cached, again.cached, edited.cached) == (False, True, False)
    assert (first.stdout, edited.stdout) == ("1\n", "2\n")


def test_one_failure_among_many_keeps_the_other_results(runner, tmp_path):
    snippets = [tmp_path / f"snippet_{n}.py" for n in range(6)]
    for n, snippet in enumerate(snippets):
        snippet.write_text(f"print({n})\n" if n != 3 else "print(3)\nraise KeyError('boom')\n")
    results = runner.run_all(snippets)  # in parallel, one worker per core
    assert list(results) == snippets  # in the order given, whatever finished first
    assert [r.ok for r in results.values()] == [True, True, True, False, True, True]
    assert f'File "{runner.name(snippets[3])}", line 2' in results[snippets[3]].error  # as the reader runs it
    cached = runner.cached(snippets)
    assert [r is not None for r in cached.values()] == [True, True, True, False, True, True]


def test_warnings_fail_as_the_reader_would_see_them(runner, tmp_path):
    """Python shows a DeprecationWarning only when the reader's own code triggers it."""
    (tmp_path / "old_library.py").write_text("import warnings\nwarnings.warn('internal', DeprecationWarning)\n")
    (tmp_path / "uses_library.py").write_text("import old_library\nprint('fine')\n")
    (tmp_path / "deprecated_call.py").write_text("import warnings\nwarnings.warn('old call', DeprecationWarning)\n")
    (tmp_path / "user_warning.py").write_text("import old_library, warnings\nwarnings.warn('shown')\n")
    results = runner.run_all([tmp_path / name for name in ("uses_library.py", "deprecated_call.py", "user_warning.py")])
    library, call, user = results.values()
    assert library.ok and library.stdout == "fine\n"
    assert "DeprecationWarning: old call" in call.error and call.line == 2
    assert "UserWarning: shown" in user.error and user.line == 2


@pytest.mark.both_backends
def test_modules_a_snippet_imported_are_preloaded_for_the_next_ones(serial_runner, tmp_path):
    """Lazy imports inside calls (the first optimizer imports torch._dynamo) are paid once, by the worker,
    before the next save under `mkdocs serve`. (Spawn's spares import them only while no run is queued:
    during a cold build each interpreter imports what its own snippet needs, spawn_worker.py.)"""
    (tmp_path / "optimizer.py").write_text("import torch\ntorch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)\n")
    (tmp_path / "later.py").write_text("import sys\nprint('torch._dynamo' in sys.modules)\n")
    first = serial_runner.run_all([tmp_path / "optimizer.py", tmp_path / "later.py"])
    assert first[tmp_path / "later.py"].stdout == ("True\n" if serial_runner.backend == "fork" else "False\n")
    (tmp_path / "later.py").write_text("import sys\nprint('torch._dynamo' in sys.modules)  # saved again\n")
    assert serial_runner.run_all([tmp_path / "later.py"])[tmp_path / "later.py"].stdout == "True\n"
    assert "torch._dynamo" in (serial_runner.cache_dir / "preloads.txt").read_text().split()


def printed_by_a_new_build(folder: Path, snippet: str, backend: str) -> str:
    """What `snippet` printed, run by a runner of its own: its worker starts from the preload list the last
    one left in `folder`'s cache."""
    build = SnippetRunner(folder / "cache", timeout=60, backend=backend)
    try:
        result = build.run_all([folder / snippet])[folder / snippet]
    finally:
        build.close()
    assert result is not None and result.ok, result
    return result.stdout


@pytest.mark.parametrize("backend", ["fork"], indirect=True)  # what a new worker preloads (spawn's spares: above)
def test_a_new_worker_preloads_what_the_snippets_it_runs_needed_before(backend, tmp_path):
    """A module a snippet imported is preloaded by a later build's worker when the snippets it runs import
    what that snippet imported (torch here); one that only prints pays for neither torch nor torch._dynamo."""
    (tmp_path / "optimizer.py").write_text("import torch\ntorch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)\n")
    check = "import sys\n{imports}print('torch' in sys.modules, 'torch._dynamo' in sys.modules)\n"
    (tmp_path / "prints.py").write_text(check.format(imports=""))
    (tmp_path / "uses_torch.py").write_text(check.format(imports="import torch\n"))
    printed_by_a_new_build(tmp_path, "optimizer.py", backend)
    assert printed_by_a_new_build(tmp_path, "prints.py", backend) == "False False\n"
    assert printed_by_a_new_build(tmp_path, "uses_torch.py", backend) == "True True\n"


def test_a_torch_the_worker_did_not_preload_starts_as_a_preloaded_one(backend, tmp_path):
    """A snippet whose code does not import torch runs in a worker without it; torch imported all the same
    (here by a helper module beside it) starts from the state a preloaded torch has: one thread, the seed."""
    (tmp_path / "helper.py").write_text("import torch\n")
    show = "print(torch.get_num_threads(), torch.rand(1).item(), torch.randn(2).tolist())\n"
    (tmp_path / "via_helper.py").write_text(f"from helper import torch\n\n{show}")
    (tmp_path / "direct.py").write_text(f"import torch\n\n{show}")
    assert printed_by_a_new_build(tmp_path, "via_helper.py", backend) == printed_by_a_new_build(tmp_path, "direct.py", backend)


CHILD_PYTHONS = """
import multiprocessing
import subprocess
import sys


def spawned(_):
    return "spawned child"


if __name__ == "__main__":
    child = subprocess.run([sys.executable, "-c", "print('child')"], capture_output=True, text=True)
    print(child.stdout.strip(), repr(child.stderr))
    with multiprocessing.get_context("spawn").Pool(1) as pool:  # as a DataLoader worker starts on macOS and Windows
        print(pool.map(spawned, [0])[0])
"""


@pytest.mark.both_backends
def test_python_children_start_silently_whether_or_not_the_interpreter_has_a_sitecustomize(runner, tmp_path):
    """The executor's startup hook for child Pythons (the network guard) runs, then the interpreter's own
    sitecustomize if there is one: this venv's (pyenv's) Python has none, Debian's /usr/bin/python3 has one."""
    snippet = tmp_path / "child_pythons.py"
    snippet.write_text(CHILD_PYTHONS)
    result = runner.run_all([snippet])[snippet]
    assert result.ok, result.error
    assert (result.stdout, result.stderr) == ("child ''\nspawned child\n", "")
