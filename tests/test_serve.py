"""The author's loop: `mkdocs serve` reruns a saved snippet, shows errors, and keeps serving."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

SNIPPET = "snippets/05-pytorch-basics/type_and_grad.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(site_copy):
    port = free_port()
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    command = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, cwd=site_copy.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/05-pytorch-basics/"
    try:
        wait_for(lambda: "torch.FloatTensor" in fetch(url), "the first build")
        yield site_copy, url, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def wait_for(condition, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_save_break_and_fix_a_snippet_while_serving(server):
    copy, url, process = server
    original = (copy.root / SNIPPET).read_text()

    copy.write(SNIPPET, original.replace("print(a.grad)\n", 'print("刚刚保存的新输出")\n'))
    wait_for(lambda: "刚刚保存的新输出" in fetch(url), "the edited output", 15)

    copy.write(SNIPPET, original + "raise ValueError('写错了')\n")
    wait_for(lambda: "运行出错：snippets/05-pytorch-basics/type_and_grad.py" in fetch(url), "the error box", 15)
    assert "ValueError: 写错了" in fetch(url)
    assert process.poll() is None  # still serving

    copy.write(SNIPPET, original)
    wait_for(lambda: "运行出错" not in (page := fetch(url)) and "torch.FloatTensor" in page, "the recovery", 15)
    process.terminate()
    log = process.communicate(timeout=30)[0]
    raise_line = original.count("\n") + 1
    assert f"{SNIPPET}:{raise_line}: snippet failed (included by docs/05-pytorch-basics.md:" in log

