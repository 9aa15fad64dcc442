"""A snippet is arbitrary code: whatever it does, the build stays correct, names the snippet, page and
line, leaves no process behind, keeps a valid cache and never touches the repo."""

import hashlib
import html
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import found, linux_only
from test_build import summary

pytestmark = linux_only("watches processes through /proc, with POSIX signals and commands")
PAGE = "docs/chapter-001.md"  # small_site's: the executor's behaviour needs no book
CHAPTER = "snippets/chapter-001"


@pytest.fixture
def site_copy(small_site):
    return small_site


def gone(copy, seconds: float = 15) -> list:
    """The copy's processes still alive after waiting up to `seconds` for them to end."""
    deadline = time.monotonic() + seconds
    while (alive := copy.live_processes()) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def assert_clean(copy) -> None:
    """No process left, only whole cache entries, no change to the sources (git status)."""
    assert gone(copy) == []
    files = [
        path
        for path in (copy.root / ".cache/snippets").iterdir()
        if path.name != "preloads.txt" and not path.name.startswith("time-")  # the shards' run times
    ]
    entries = [path for path in files if path.suffix == ".json" and path.is_file()]
    assert entries and entries == files
    for entry in entries:
        checksum, body = entry.read_bytes().split(b"\n", 1)
        assert hashlib.sha256(body).hexdigest().encode() == checksum, entry
    status = subprocess.run(["git", "status", "--porcelain"], cwd=copy.root, capture_output=True, text=True, check=True)
    assert status.stdout == ""


@pytest.fixture
def repo(site_copy):
    """The site copy as a git repository, so `git status` shows anything a snippet wrote."""
    site_copy.write(".gitignore", "/site/\n/.cache/\n/tmp/\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@localhost"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "copy"]):
        subprocess.run(git + command, cwd=site_copy.root, check=True)
    return site_copy


def commit(copy) -> None:
    subprocess.run(["git", "add", "-A"], cwd=copy.root, check=True)
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "edit"], cwd=copy.root, check=True
    )


SUCCEEDING = {
    # one job ends by itself after the snippet (its late output must not count), one would outlive every wait
    "background.py": 'import os\nos.system("(sleep 2.5; echo LATE ERR >&2) & sleep 3193 &")\nprint("started background jobs")\n',
    "spawn_pool.py": (
        "import multiprocessing\n\n\ndef square(x):\n    return x * x\n\n\n"
        'if __name__ == "__main__":\n    with multiprocessing.get_context("spawn").Pool(2) as pool:\n'
        "        print(pool.map(square, range(5)))\n"
    ),
    "persistent_loader.py": (
        "import torch\nfrom torch.utils.data import DataLoader, TensorDataset\n\n"
        "loader = DataLoader(TensorDataset(torch.arange(8.0)), batch_size=4, num_workers=2, persistent_workers=True)\n"
        "for epoch in range(2):\n    print(sorted(x for (batch,) in loader for x in batch.tolist()))\n"
    ),
    "odd_bytes.py": 'import sys\nsys.stdout.buffer.write(b"bytes: \\xff\\xfe end\\n")\n',
    "writes_everywhere.py": (
        "import os\nfrom pathlib import Path\n\n"
        'Path("docs").mkdir()\nPath("docs/evil.md").write_text("# evil")  # as if from the project\'s root\n'
        'Path(__file__).parents[2].joinpath("docs", "evil2.md").write_text("# evil")\n'
        'Path(__file__).with_name("model.pt").write_bytes(b"weights")\n'
        'Path(__file__).with_name("type_and_grad.py").write_text("raise SystemExit(1)")\n'
        'print("cwd:", os.getcwd())\nprint("file:", Path(__file__).resolve())\n'
    ),
}


@pytest.mark.both_backends
def test_what_a_snippet_leaves_running_is_ended_and_never_reaches_a_result(repo, backend):
    for name, code in SUCCEEDING.items():
        repo.add_snippet(name, code)
    commit(repo)
    build = repo.build(SNIPPET_BACKEND=backend)
    assert build.returncode == 0, build.log
    assert re.search(rf"INFO .*{CHAPTER}/background.py left \d process\(es\) running, now ended: .*sleep 2.5", build.log)
    assert "sleep 3193" in build.log and not any("sleep 3193" in p for p in repo.live_processes())  # ended, not exited
    page = build.page("chapter-001")
    assert "[0, 1, 4, 9, 16]" in page  # the spawn pool found the snippet's function
    assert page.count("[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]") == 2  # one epoch, every sample, twice
    assert "bytes: \ufffd\ufffd end" in page  # undecodable bytes shown as such, not a crash
    assert "cwd: .\n" in page and f"file: ./{CHAPTER}/writes_everywhere.py" in page  # no build paths
    assert str(repo.root) not in page and "snippet-runs-" not in page
    assert_clean(repo)  # the writes went to a scratch copy, the background job was ended: it writes nothing later
    again = repo.build(SNIPPET_BACKEND=backend)
    assert again.returncode == 0, again.log
    assert summary(again.log) == (0, len(list((repo.root / "snippets").rglob("*.py"))))


FAILING = {  # name -> (code, line the error names, what the error says)
    "exit_status.py": ("print('before')\nimport os\nos._exit(3)\n", 1, "the snippet's process died: exit status 3"),
    "sigkill.py": (
        "import os, signal\nprint('about to die')\nos.kill(os.getpid(), signal.SIGKILL)\n",
        1,
        "the snippet's process died: killed by signal 9 (SIGKILL: killed)",
    ),
    "segfault.py": (
        "import ctypes\nprint('crash next')\nctypes.string_at(0)\n",
        3,
        "the snippet's process died: killed by signal 11 (SIGSEGV: segmentation fault)",
    ),
    "sys_exit.py": ("import sys\nprint('partial')\nsys.exit(2)\n", 3, "SystemExit: 2"),
    "looping.py": (
        'import subprocess\nsubprocess.Popen(["sleep", "319"])\nwhile True: pass\n',
        3,
        "TimeoutError: still running after 3 s",
    ),
    "closes_output.py": (
        "import os\nprint('started')\nos.close(1)\nos.close(2)\nprint('lost')\n",
        5,
        "the snippet closed its standard output and standard error (fd 1 and 2 are where it prints)",
    ),
    # a timeout names the main thread's line, or the line of the thread it waits for at exit
    "joins_a_thread.py": (
        "import threading, time\n\nworker = threading.Thread(target=time.sleep, args=(319,))\nworker.start()\nworker.join()\n",
        5,
        "TimeoutError: still running after 3 s",
    ),
    "waits_at_exit.py": (
        (
            "import threading, time\n\n\ndef wait():\n    time.sleep(319)\n\n\n"
            "threading.Thread(target=wait).start()\nprint('main is done')\n"
        ),
        5,
        "TimeoutError: still running after 3 s",
    ),
    "network.py": (
        (
            'import socket, sys\nsock = socket.socket()\ntry:\n    sys.audit("socket.connect", sock, ("192.0.2.1", 80))\n'
            "except PermissionError as refused:\n    print(refused)\n"
        ),
        1,
        "the snippet tried to use the network (connect to 192.0.2.1:80 refused): the site must build offline",
    ),
}


READS_THE_ENVIRONMENT = """import os
import subprocess
import sys

print("TOKEN variables:", sorted(name for name in os.environ if "TOKEN" in name))
with open("/proc/self/environ", "rb") as environ:  # what the process was started with
    print("in /proc/self/environ:", environ.read().count(b"TOKEN"))
child = "import os; print(os.environ.get('GITHUB_TOKEN'))"
print("a child sees:", subprocess.run([sys.executable, "-c", child], capture_output=True, text=True).stdout.strip())
print("TZ:", os.environ.get("TZ", "unset"))
"""


def test_a_snippet_sees_a_readers_environment_and_no_secret_reaches_page_or_cache(site_copy, backend):
    """Variables outside the allow-list (here tokens) reach no snippet, child, page, notebook or cache
    entry; one inside it (TZ) reaches them and is part of the cache key."""
    secret = "s3cr3t-" + "x" * 16
    assert site_copy.build(SNIPPET_BACKEND=backend).returncode == 0  # the cache, before the tokens
    site_copy.add_snippet("environment.py", READS_THE_ENVIRONMENT)
    tokens = {"GITHUB_TOKEN": secret, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": secret}
    build = site_copy.build(SNIPPET_BACKEND=backend, **tokens)  # tokens are in no key: only the new snippet runs
    assert build.returncode == 0, build.log
    assert summary(build.log)[0] == 1
    timezone = os.environ.get("TZ", "unset")
    assert f"TOKEN variables: []\nin /proc/self/environ: 0\na child sees: None\nTZ: {timezone}" in html.unescape(
        re.sub(r"<[^>]+>", "", build.page("chapter-001"))
    )
    for folder in (build.site, site_copy.root / ".cache"):
        assert [path for path in folder.rglob("*") if path.is_file() and secret.encode() in path.read_bytes()] == []


def test_a_variable_snippets_see_is_part_of_every_cache_key(small_site):
    """Another TZ (one of a reader's variables) runs every snippet again, and they see it."""
    small_site.add_snippet("environment.py", READS_THE_ENVIRONMENT)
    assert summary(small_site.build().log) == (1, 3)  # the new one; the page's three were cached
    again = small_site.build(TZ="Europe/Berlin")
    assert summary(again.log) == (4, 0)
    assert "TZ: Europe/Berlin" in again.page("chapter-001")


WRITES_INTO_THE_PROJECT = """import os
import subprocess
import tempfile
from pathlib import Path

Path("here.txt").write_text("the scratch copy: fine")
with tempfile.TemporaryFile() as temporary:
    print("the temp folder: fine")
project = Path(os.environ["PROJECT"])  # however a snippet finds it: an absolute path
child = subprocess.run(["sh", "-c", f"echo evil > {project}/child-evil.txt"], capture_output=True, text=True)
print("a child:", "refused" if child.returncode else "wrote")
(project / "evil.txt").write_text("evil")
"""


@pytest.mark.both_backends
def test_writes_outside_the_scratch_copy_are_refused_by_the_os(repo, backend):
    """Landlock: a snippet that finds the project by an absolute path cannot write there, nor can its child."""
    line = repo.add_snippet(
        "writes_into_the_project.py", WRITES_INTO_THE_PROJECT.replace('os.environ["PROJECT"]', repr(str(repo.root)))
    )
    commit(repo)
    build = repo.build(SNIPPET_BACKEND=backend)
    assert build.returncode != 0
    assert f"{CHAPTER}/writes_into_the_project.py:12: snippet failed (included by {PAGE}:{line})" in build.log
    assert re.search(r"PermissionError: \[Errno 13\] Permission denied: '[^']*evil.txt'", build.log)
    text = html.unescape(re.sub(r"<[^>]+>", "", build.page("chapter-001")))
    assert "the temp folder: fine\na child: refused" in text
    assert_clean(repo)  # git status: nothing written into the project


# An address of "another machine" that exists only on the loopback interface of a network namespace the
# test makes: whatever reaches it is caught by the listener, and nothing can leave this machine.
OUTSIDE, PORT = "10.255.0.1", 9
LISTENER = f"""import socket, sys, threading
tcp = socket.create_server(("{OUTSIDE}", {PORT}))
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("{OUTSIDE}", {PORT}))
open(sys.argv[2], "w").close()  # listening: the build may start
def record(what):
    with open(sys.argv[1], "a") as log:
        print(what, file=log, flush=True)
threading.Thread(target=lambda: [record("udp " + repr(udp.recvfrom(99)[0])) for _ in iter(int, 1)], daemon=True).start()
while True:
    record("tcp " + repr(tcp.accept()[1]))
"""
NETWORK_SNIPPETS = {
    "loopback_and_child.py": f"""import socket
import subprocess
import threading

server = socket.create_server(("127.0.0.1", 0))  # loopback stays usable
threading.Thread(target=lambda: server.accept()[0].sendall(b"hello"), daemon=True).start()
with socket.create_connection(server.getsockname()) as client:
    print("loopback:", client.recv(5).decode())
shell = "exec 3<>/dev/tcp/{OUTSIDE}/{PORT} && echo connected || echo refused"  # not Python: no audit hook
print("a child:", subprocess.run(["bash", "-c", shell], capture_output=True, text=True).stdout.strip())
""",
    "connects.py": f'import socket\nsocket.create_connection(("{OUTSIDE}", {PORT}), timeout=2)\n',
    "sends_to.py": f'import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("{OUTSIDE}", {PORT}))\n',
    "sends_message.py": (
        f'import socket\nsocket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendmsg([b"x"], [], 0, ("{OUTSIDE}", {PORT}))\n'
    ),
    "looks_up.py": 'import socket\nsocket.getaddrinfo("example.com", 443)\n',
    "python_child.py": (  # refused by its own startup hook, which tells the build (on macOS and Windows, the only layer)
        "import subprocess, sys\n\n"
        f"child = \"import socket; socket.create_connection(('{OUTSIDE}', {PORT}), timeout=2)\"\n"
        'print("the child exited with", subprocess.run([sys.executable, "-c", child], capture_output=True).returncode)\n'
    ),
    "spawned_worker.py": (  # a DataLoader or Pool worker on macOS and Windows is such a child
        "import multiprocessing\nimport socket\n\n\ndef connect(_):\n    try:\n"
        f"        socket.create_connection(('{OUTSIDE}', {PORT}), timeout=2)\n        return 'connected'\n"
        "    except OSError as error:\n        return type(error).__name__\n\n\n"
        "if __name__ == '__main__':\n    with multiprocessing.get_context('spawn').Pool(1) as pool:\n"
        "        print('a spawned worker:', pool.map(connect, [0])[0])\n"
    ),
}


@pytest.mark.both_backends
def test_no_snippet_and_no_process_it_starts_reaches_another_machine(site_copy, backend, tmp_path):
    """In a namespace of the test's own (`unshare -rn`), an outside address is held on `lo` with a listener.
    The snippet's own calls, and a Python child's, are refused by name; its non-Python child finds no route
    (the executor's own namespace); loopback works; and the listener receives nothing."""
    lines = {name: site_copy.add_snippet(name, code) for name, code in NETWORK_SNIPPETS.items()}
    (tmp_path / "listener.py").write_text(LISTENER)
    received = tmp_path / "received.txt"
    received.touch()
    listening = tmp_path / "listening"
    build_command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site_copy.root / "site")]
    script = (
        f"ip link set lo up && ip addr add {OUTSIDE}/32 dev lo && "
        f"{{ {sys.executable} {tmp_path / 'listener.py'} {received} {listening} >/dev/null 2>&1 & }} && "
        f"while [ ! -e {listening} ] && kill -0 $! 2>/dev/null; do sleep 0.05; done; "  # till it listens, or died
        '"$@"; status=$?; kill %1; exit $status'
    )
    done = subprocess.run(
        ["unshare", "-rn", "bash", "-c", script, "build", *build_command],
        cwd=site_copy.root,
        env=site_copy.env(SNIPPET_BACKEND=backend),
        capture_output=True,
        text=True,
        timeout=240,
    )
    log = done.stdout + done.stderr
    assert done.returncode != 0
    page = html.unescape(re.sub(r"<[^>]+>", "", (site_copy.root / "site/chapter-001/index.html").read_text()))
    assert "loopback: hello\na child: refused" in page
    refused = {
        "connects.py": f"connect to {OUTSIDE}:{PORT} refused",
        "sends_to.py": f"sendto to {OUTSIDE}:{PORT} refused",
        "sends_message.py": f"sendmsg to {OUTSIDE}:{PORT} refused",
        "looks_up.py": "looking up 'example.com' refused",
    }
    for name, why in refused.items():
        assert f"{CHAPTER}/{name}:2: snippet failed (included by {PAGE}:{lines[name]})" in log, log
        assert f"PermissionError: snippets must not use the network ({why})" in log
    assert f"{CHAPTER}/python_child.py:1: snippet failed (included by {PAGE}:{lines['python_child.py']})" in log
    assert f"the snippet tried to use the network (a Python process it started: connect to {OUTSIDE}:{PORT} refused)" in log
    assert "the child exited with 1" in page
    assert "a spawned worker: PermissionError" in page and "Error in sitecustomize" not in page  # refused, silently
    assert f"{CHAPTER}/spawned_worker.py:1: snippet failed (included by {PAGE}:{lines['spawned_worker.py']})" in log
    assert listening.exists() and received.read_text() == ""  # nothing arrived at the outside address
    assert "loopback_and_child.py" not in log.split("Snippets:")[1]  # it succeeded


def test_every_way_a_snippet_can_fail_names_snippet_line_and_page(repo, backend):
    repo.write("mkdocs.yml", (repo.root / "mkdocs.yml").read_text().replace("timeout: 60", "timeout: 3"))
    includes = {name: repo.add_snippet(name, code) for name, (code, _, _) in FAILING.items()}
    latin1 = repo.add_snippet("latin1.py", "")
    (repo.root / CHAPTER / "latin1.py").write_bytes(b"# -*- coding: latin-1 -*-\nprint('caf\xe9')\n")
    commit(repo)
    build = repo.build(SNIPPET_BACKEND=backend)
    assert build.returncode != 0
    for name, (_, line, message) in FAILING.items():
        assert f"{CHAPTER}/{name}:{line}: snippet failed (included by {PAGE}:{includes[name]})" in build.log
        assert message in build.log, name
    assert f'{PAGE}:{latin1}: cannot include "chapter-001/latin1.py": it is not UTF-8' in build.log
    assert_clean(repo)  # `sleep 319` ended with its snippet


def test_output_printed_before_a_failure_is_shown_above_the_error(repo, backend):
    """Also before a hang or a closed stdout: it is line-buffered, as on a terminal, so a line printed is a line shown."""
    repo.write("mkdocs.yml", (repo.root / "mkdocs.yml").read_text().replace("timeout: 60", "timeout: 3"))
    repo.add_snippet("sys_exit.py", FAILING["sys_exit.py"][0])
    repo.add_snippet("hangs.py", 'print("started, then hangs")\nwhile True:\n    pass\n')
    repo.add_snippet("closes_output.py", FAILING["closes_output.py"][0])
    process = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(repo.root / "site")],
        cwd=repo.root,
        env=repo.env(SNIPPET_BACKEND=backend),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert process.returncode == 0  # not strict: the page shows the errors
    page = (repo.root / "site/chapter-001/index.html").read_text(encoding="utf-8")
    output, error = page.rfind("partial"), page.find("运行出错：snippets/chapter-001/sys_exit.py 第 3 行")
    assert 0 < output < error
    output = page.rfind("started, then hangs")
    error = found("运行出错：snippets/chapter-001/hangs.py 第 [23] 行", page).start()  # in the loop
    assert 0 < output < error and "TimeoutError: still running after 3 s" in page
    output, error = page.rfind("started\n"), page.find("运行出错：snippets/chapter-001/closes_output.py 第 5 行")
    assert 0 < output < error  # printed before it closed its output


# How MkDocs ends does not matter to the spawn worker: SIGKILL, SIGTERM (no handler) and SIGINT (the hook
# closes its input) all reach it as its input's EOF, so it is tested with the hardest, SIGKILL.
@pytest.mark.both_backends
@pytest.mark.parametrize(
    ("backend", "sig"),
    [("fork", signal.SIGKILL), ("fork", signal.SIGTERM), ("fork", signal.SIGINT), ("spawn", signal.SIGKILL)],
    ids=lambda value: getattr(value, "name", value),
    indirect=["backend"],
)
def test_interrupting_the_build_ends_every_snippet_process(site_copy, sig, backend):
    site_copy.add_snippet("looping.py", FAILING["looping.py"][0].replace("319", "3191"))
    build = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=site_copy.root,
        env=site_copy.env(SNIPPET_BACKEND=backend),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not any("sleep 3191" in p for p in site_copy.live_processes()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert any("sleep 3191" in p for p in site_copy.live_processes()), "the snippet never started"
    build.send_signal(sig)  # to mkdocs alone, not to its process group
    build.wait(timeout=30)
    assert gone(site_copy) == []


# Kills its worker once the bystander runs beside it; the bystander waits to be killed with the worker, and
# when it runs again (its mark is there) it just ends.
KILLER = """import os
import signal
import subprocess
import time

while not os.path.exists({mark!r}):
    time.sleep(0.01)
{kill}
"""
BYSTANDER = """import os
import time

if os.path.exists({mark!r}):
    print("ran again, on a new worker")
else:
    open({mark!r}, "w").close()
    while True:
        time.sleep(0.01)
"""
KILLS = {
    "os.kill": "os.kill(os.getppid(), signal.SIGKILL)",  # the audit hook notes its line
    "a child's kill": 'subprocess.run(["kill", "-9", str(os.getppid())])',
}  # unknown: both run again, alone


# The spawn worker's death reaches the runner the same way whoever kills it: one kill is enough there.
@pytest.mark.both_backends
@pytest.mark.parametrize(
    ("backend", "kill"), [("fork", "os.kill"), ("fork", "a child's kill"), ("spawn", "os.kill")], indirect=["backend"]
)
def test_a_dead_worker_fails_only_the_snippet_that_killed_it(site_copy, backend, kill, tmp_path):
    mark = f"/dev/shm/bystander-{tmp_path.name}-{backend}"  # a place a snippet may write, outside its scratch copy
    try:
        killer = site_copy.add_snippet("kills_worker.py", KILLER.format(mark=mark, kill=KILLS[kill]))
        site_copy.add_snippet("bystander.py", BYSTANDER.format(mark=mark))
        build = site_copy.build(SNIPPET_BACKEND=backend, SNIPPET_WORKERS="2")
    finally:
        Path(mark).unlink(missing_ok=True)
    assert build.returncode != 0
    errors = [line for line in build.log.splitlines() if line.startswith("ERROR")]
    line = 8 if kill == "os.kill" else 1  # the line when it is known
    assert errors == [f"ERROR   -  {CHAPTER}/kills_worker.py:{line}: snippet failed (included by {PAGE}:{killer})"], build.log
    why = (
        "the snippet sent its worker signal 9 (os.kill of os.getppid()), and the worker died"
        if kill == "os.kill"
        else "the snippet worker died (killed by signal 9 (SIGKILL: killed)) while this snippet ran"
    )
    assert why in build.log
    assert "ran again, on a new worker" in build.page("chapter-001")  # the bystander, cached
    assert gone(site_copy) == []
    assert [path.name for path in (site_copy.root / "tmp").iterdir() if path.name.startswith("snippet-runs-")] == []
    site_copy.write(f"{CHAPTER}/kills_worker.py", "print('a new worker')\n")
    again = site_copy.build(SNIPPET_BACKEND=backend)
    assert again.returncode == 0, again.log
    assert summary(again.log)[0] == 1  # the edited snippet only: the bystander's result was cached


# Stops its worker, ends, then (from a process that outlives it) says "results written" on its done pipe and
# lets the worker go on: the worker wakes to both events at once, the end first.
STOPS_ITS_WORKER = """
import fcntl, os, signal, stat, time

def writes_to_a_pipe(fd):
    try:
        return stat.S_ISFIFO(os.fstat(fd).st_mode) and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY
    except OSError:
        return False

worker = os.getppid()
print(worker, flush=True)
done = [fd for fd in range(3, 256) if writes_to_a_pipe(fd)]
if os.fork() == 0:
    os.setsid()  # out of the snippet's process group
    while os.getppid() != worker:  # adopted by the worker: the snippet's process has ended
        time.sleep(0.001)
    for fd in done:
        os.write(fd, b"\\n")
    os.kill(worker, signal.SIGCONT)
    time.sleep(60)
os.kill(worker, signal.SIGSTOP)
os._exit(0)
"""


@pytest.mark.parametrize("backend", ["fork"], indirect=True)  # the fork worker's own event loop
def test_events_that_arrive_after_a_run_ended_leave_the_worker_serving(serial_runner, tmp_path):
    (tmp_path / "stops_its_worker.py").write_text(STOPS_ITS_WORKER)
    (tmp_path / "after.py").write_text("import os\nprint(os.getppid())\n")
    stopper, after = serial_runner.run_all([tmp_path / "stops_its_worker.py", tmp_path / "after.py"]).values()
    assert stopper.error == "the snippet's process died: exit status 0"
    assert len(stopper.notes) == 1 and "left 1 process(es) running, now ended" in stopper.notes[0]
    assert after.ok and after.stdout == stopper.stdout  # the same worker ran the next snippet


@pytest.mark.parametrize("backend", ["fork"], indirect=True)  # the runner's own watch, the same for both backends
def test_a_stuck_worker_is_ended_and_only_its_snippet_fails(serial_runner, tmp_path):
    (tmp_path / "stops_its_worker.py").write_text(
        "import os, signal\nprint('stopping it')\nos.kill(os.getppid(), signal.SIGSTOP)\n"
    )
    (tmp_path / "after.py").write_text("print('run by a new worker')\n")
    timeout, grace = serial_runner.timeout, serial_runner.worker_grace
    serial_runner.timeout, serial_runner.worker_grace = 1, 2
    try:
        stopper, after = serial_runner.run_all([tmp_path / "stops_its_worker.py", tmp_path / "after.py"]).values()
    finally:
        serial_runner.timeout, serial_runner.worker_grace = timeout, grace
    assert stopper.error == (
        "the snippet sent its worker signal 19 (os.kill of os.getppid()), and the worker gave no "
        "answer 2 s past the snippet's timeout and was ended; a new one runs the other snippets"
    )
    assert stopper.line == 3
    assert stopper.stdout == "stopping it\n" and stopper.seconds >= 1 + 2  # its timeout, then the grace
    assert after.ok and after.stdout == "run by a new worker\n"


@pytest.mark.parametrize("worker", [["fork_worker"], ["spawn_worker", "1", "0"]], ids=["fork", "spawn"])
def test_a_broken_worker_says_why_and_exits_with_an_error(tmp_path, worker):
    runs = tmp_path / "runs"
    runs.mkdir()
    script, *spares = worker
    worker = subprocess.run(
        [sys.executable, "-m", f"snippetrun.executor.{script}", str(runs), *spares],
        input=b"not a request\n",
        capture_output=True,
        timeout=120,
    )
    assert worker.returncode == 70
    assert b"snippet worker failed:" in worker.stderr and b"JSONDecodeError" in worker.stderr
    assert not runs.exists()  # its runs folder is removed all the same


def test_a_spare_that_cannot_start_fails_the_spawn_worker_instead_of_restarting_forever(tmp_path):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "matplotlib.py").write_text("raise ImportError('a broken matplotlib install')\n")  # warm-up imports it
    runs = tmp_path / "runs"
    runs.mkdir()
    worker = subprocess.Popen(
        [sys.executable, "-m", "snippetrun.executor.spawn_worker", str(runs), "1", "1"],
        env={**os.environ, "PYTHONPATH": str(tmp_path / "broken")},
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # its input stays open, as the build's does
    try:
        worker.wait(timeout=60)  # not communicate(): that would close its input, and it would just end
    finally:
        worker.kill()
        errors = worker.stderr.read() if worker.stderr else b""
    assert worker.returncode == 70
    assert b"a broken matplotlib install" in errors and b"a spare interpreter died while starting" in errors


def test_the_cache_notices_changed_inputs_and_damaged_entries(site_copy):
    site_copy.write(f"{CHAPTER}/data.csv", "x,y\n1,2\n")
    site_copy.add_snippet(
        "reads_data.py", 'from pathlib import Path\n\nprint(Path(__file__).with_name("data.csv").read_text())\n'
    )
    assert site_copy.build().returncode == 0
    site_copy.write(f"{CHAPTER}/data.csv", "x,y\n3,4\n")
    entries = [e for e in sorted((site_copy.root / ".cache/snippets").glob("*.json")) if b"reads_data" not in e.read_bytes()]
    entries[0].write_bytes(entries[0].read_bytes()[:-40])  # truncated
    entries[1].write_bytes(b"")  # empty
    # still valid JSON: one ASCII digit or letter of stdout changed (not an escape, not part of a UTF-8 character)
    printed_alnum = re.compile(rb'("stdout": "[^"\\]*?)([0-9A-Za-z])')
    entries[2] = next(entry for entry in entries[2:] if printed_alnum.search(entry.read_bytes()))
    checksum, body = entries[2].read_bytes().split(b"\n", 1)
    altered = printed_alnum.sub(lambda m: m[1] + (b"X" if m[2] != b"X" else b"Y"), body, count=1)
    assert altered != body and json.loads(altered)
    entries[2].write_bytes(checksum + b"\n" + altered)
    (site_copy.root / ".cache/snippets/run-left-by-a-killed-build").mkdir()
    build = site_copy.build()
    assert build.returncode == 0, build.log
    discarded = re.findall(r"INFO +- +Discarded the cache entry (\w+)\.json: (.*?); the snippet runs again", build.log)
    assert sorted(discarded) == sorted(
        [
            (entries[0].stem, "its checksum does not match"),
            (entries[1].stem, "it is incomplete"),
            (entries[2].stem, "its checksum does not match"),
        ]
    ), build.log
    assert f"Cached result of {CHAPTER}/reads_data.py is out of date: data.csv changed" in build.log
    assert summary(build.log)[0] == 4  # the three damaged entries and the snippet whose data changed
    assert "3,4" in build.page("chapter-001")
    assert not (site_copy.root / ".cache/snippets/run-left-by-a-killed-build").exists()


# The copy's .cache as a build may find it, mounted in a mount namespace the build runs in (`unshare -rm`
# works for any user): read-only, or on a disk with no space left (the seeded entries, then a filler).
INCLUDE_FORMS = {  # how a page writes it -> whether it runs (else the build refuses it)
    "--8<-- 'chapter-001/raises.py'": True,
    '--8<--  "chapter-001/raises.py"': True,
    '-8<- "chapter-001/raises.py"': True,
    "--8<--\nchapter-001/raises.py\n--8<--": False,
    '--8<-- "chapter-001/raises.py"\n--8<-- "chapter-001/type_and_grad.py"': False,
    'print("hi")\n--8<-- "chapter-001/raises.py"': False,
    '--8<-- "chapter-001/raises.py:1:2"': False,
}


def test_every_include_pymdownx_accepts_is_run_or_refused(site_copy):
    site_copy.write(f"{CHAPTER}/raises.py", "raise RuntimeError('shown code must have run')\n")
    text = (site_copy.root / PAGE).read_text()
    lines = {}
    for form in INCLUDE_FORMS:
        lines[form] = text.count("\n") + 3
        text += f"\n```python\n{form}\n```\n"
    lines["stray"] = text.count("\n") + 2
    text += '\n--8<-- "chapter-001/raises.py"\n'
    site_copy.write(PAGE, text)
    build = site_copy.build()
    assert build.returncode != 0
    for form, runs in INCLUDE_FORMS.items():
        if runs:
            assert f"{CHAPTER}/raises.py:1: snippet failed (included by {PAGE}:{lines[form]})" in build.log, form
        else:  # named at its first include line
            line = lines[form] + next(n for n, text in enumerate(form.split("\n")) if "8<-" in text)
            assert re.search(rf"{PAGE}:{line}: cannot include .*: ", build.log), form
    assert f'{PAGE}:{lines["stray"]}: cannot include "chapter-001/raises.py": an include must be a code block' in build.log


MEMORY_HOGS = {  # snippet -> the line its error names
    "one_big_allocation.py": ("import torch\n\nweights = torch.ones(200_000_000)  # 800 MB\n", 3),
    "children_add_up.py": (  # each child is under the limit, two are, three are not: the third goes over at line 9
        (
            "import subprocess\nimport sys\n\n"
            "child = \"import sys, time\\nsys.stdin.read()\\ndata = b'x' * (120 * 2**20)\\ntime.sleep(60)\"\n"
            "children = [subprocess.Popen([sys.executable, '-c', child], stdin=subprocess.PIPE) for _ in range(3)]\n"
            "for process in children:\n    process.stdin.close()  # go: each child takes 120 MB\n"
            "for process in children:\n    process.wait()\n"
        ),
        9,
    ),
}


@pytest.mark.both_backends
def test_a_snippet_over_its_memory_limit_fails_naming_the_setting_and_harms_nothing_else(site_copy, backend):
    """max_memory_mb: 300 here. On Linux an allocation past it is refused (RLIMIT_DATA): a MemoryError at its
    line. The worker also measures the snippet's whole process tree and ends it above the limit (the only
    limit on macOS and Windows). The snippets beside them are unharmed."""
    site_copy.write(
        "mkdocs.yml", (site_copy.root / "mkdocs.yml").read_text().replace("max_memory_mb: 2048", "max_memory_mb: 300")
    )
    lines = {name: site_copy.add_snippet(name, code) for name, (code, _) in MEMORY_HOGS.items()}
    innocent = site_copy.add_snippet("innocent.py", "data = b'x' * (100 * 2**20)\nprint('100 MB is fine')\n")
    build = site_copy.build(SNIPPET_BACKEND=backend)
    assert build.returncode != 0
    errors = [line for line in build.log.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 2 and "innocent.py" not in build.log.split("Snippets:")[1], errors
    big, children = (
        f"{CHAPTER}/{name}:{line}: snippet failed (included by {PAGE}:{lines[name]})" for name, (_, line) in MEMORY_HOGS.items()
    )
    assert big in build.log and "can't allocate memory" in build.log
    assert "The snippet may use 300 MB (plugins.snippetrun.max_memory_mb in mkdocs.yml)" in build.log
    assert re.search(
        r"MemoryError: the snippet's processes held \d+ MB, over the limit of 300 MB "
        r"\(plugins.snippetrun.max_memory_mb in mkdocs.yml\)",
        build.log,
    ), build.log
    assert children in build.log, build.log
    assert "100 MB is fine" in build.page("chapter-001") and innocent
    assert gone(site_copy) == []
