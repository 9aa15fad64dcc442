"""The author's loop in a real browser: `mkdocs serve` reruns a saved snippet and the open page
updates by itself; a broken snippet shows its error while the server keeps serving."""

import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from mkdocs.config import load_config
from playwright.sync_api import expect

from conftest import ROOT, linux_only

SNIPPET = "snippets/05-pytorch-basics/type_and_grad.py"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(site_copy):
    port = free_port()
    env = site_copy.env()  # its TMPDIR: the copy's own temp folder
    command = [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"]
    process = subprocess.Popen(command, cwd=site_copy.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/05-pytorch-basics/"
    try:
        wait_for(lambda: "torch.FloatTensor" in fetch(url), "the first build")
        yield site_copy, url, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def fetch(url: str, timeout: float = 5) -> str:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
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


def test_save_break_and_fix_a_snippet_while_serving(server, page, cold_site):
    copy, url, process = server
    original = (copy.root / SNIPPET).read_text()
    page.goto(url)
    output = page.locator(".snippet-output").nth(1)  # type_and_grad.py's output
    expect(output).to_contain_text("torch.FloatTensor")

    copy.write(SNIPPET, original.replace("print(a.grad)\n", 'print("刚刚保存的新输出", torch.ones(1).tolist())\n'))
    expect(output).to_contain_text("刚刚保存的新输出", timeout=30_000)  # live reload, no manual refresh
    ones = page.locator("a.api-link", has_text="ones")  # the saved code's new name links to its API page
    expect(ones).to_have_attribute("href", "https://docs.pytorch.org/docs/2.13/generated/torch.ones.html")
    notebook = fetch(url.replace("/05-pytorch-basics/", "/notebooks/05-pytorch-basics/"))
    assert "刚刚保存的新输出" in notebook  # converted again, after (never during) serve's warm-up conversion
    cold = (cold_site[1].site / "notebooks/05-pytorch-basics/index.html").read_text(encoding="utf-8")
    assert re.findall(r' id="([^"]+)"', notebook) == re.findall(r' id="([^"]+)"', cold)

    copy.write(SNIPPET, original + "raise ValueError('写错了')\n")
    error = page.locator(".admonition.failure")
    expect(error).to_contain_text("运行出错：snippets/05-pytorch-basics/type_and_grad.py", timeout=30_000)
    expect(error).to_contain_text("ValueError: 写错了")
    assert process.poll() is None  # still serving

    copy.write(SNIPPET, original)
    expect(error).to_have_count(0, timeout=30_000)
    expect(page.locator(".snippet-output").nth(1)).to_contain_text("torch.FloatTensor")

    chapter = (copy.root / "docs/05-pytorch-basics.md").read_text(encoding="utf-8")
    copy.write("docs/05-pytorch-basics.md", chapter + "\n![第二张图](figures/05-pytorch-basics/type_and_grad-2.svg)\n")
    expect(error).to_contain_text("没有这张图：figures/05-pytorch-basics/type_and_grad-2.svg", timeout=30_000)
    copy.write("docs/05-pytorch-basics.md", chapter)
    expect(error).to_have_count(0, timeout=30_000)
    process.terminate()
    problems = {line for line in process.communicate(timeout=30)[0].splitlines() if line.startswith(("ERROR", "WARNING"))}
    include = chapter[: chapter.index('--8<-- "05-pytorch-basics/type_and_grad.py"')].count("\n") + 1
    assert problems == {  # one line for each mistake, nothing that follows from it
        f"ERROR   -  {SNIPPET}:{original.count(chr(10)) + 1}: snippet failed (included by docs/05-pytorch-basics.md:{include})",
        (
            f"ERROR   -  docs/05-pytorch-basics.md:{chapter.count(chr(10)) + 2}: shows figure 2 of "
            "snippets/05-pytorch-basics/type_and_grad.py, but that snippet drew 0 figure(s)"
        ),
    }


# A snippet that runs until the test releases it (an event, not a time).
WAITS = "import pathlib\nimport time\n\n{before}while not pathlib.Path({release!r}).exists():\n    time.sleep(0.05)\n{after}"


def test_a_slow_snippet_never_freezes_the_preview(server, page):
    """Its page shows 「运行中…」 at once, every page answers while it runs, and the open page reloads
    with its output when it is done; the notebook page is there all along."""
    copy, url, process = server
    release = copy.root / "release-the-training"
    page.goto(url)
    copy.add_snippet(
        "slow_training.py", WAITS.format(before='print("开始训练")\n', release=str(release), after='print("训练完成")\n')
    )
    running = page.locator(".admonition.info", has_text="运行中…")
    expect(running).to_contain_text("这段代码还在后台运行", timeout=30_000)  # reloaded by itself, before the run ends
    others = {"": "PyTorch 学习笔记", "06-nn-module/": "nn.Module", "notebooks/05-pytorch-basics/": "（Notebook）"}
    for _ in range(5):  # every page answers while the snippet is still running: it waits for `release`
        for other, text in others.items():
            assert text in fetch(url.replace("05-pytorch-basics/", other), timeout=60)  # if it waited, never
    # Still running. Retried, not one look: the two saves of add_snippet may make two rebuilds, and the
    # page that the second one reloads holds no admonition for an instant.
    expect(running).to_have_count(1)
    assert not release.exists()
    release.touch()
    expect(page.locator(".snippet-output").last).to_contain_text("开始训练\n训练完成", timeout=30_000)
    process.terminate()
    log = process.communicate(timeout=30)[0]
    assert re.findall(r"^(?:WARNING|ERROR).*", log, re.MULTILINE) == []
    assert re.search(r"Ran snippets/05-pytorch-basics/slow_training.py in \d+\.\d\d s", log)  # once, when done
    assert re.search(r"Snippets: 0 executed, \d+ from cache, 1 still running in the background", log)


def test_a_quoted_value_shows_running_then_the_value_and_follows_each_save(server, page):
    """The prose's value is 「运行中…」 while its snippet runs in the background, then what the run computed;
    saving the snippet again updates it. The snippet waits for the test's signal, not for a time."""
    copy, url, process = server
    release = copy.root / "release-the-snippet"
    waits = WAITS.format(before="", release=str(release), after="answer = 6 * 7\n")
    copy.write("snippets/05-pytorch-basics/waits.py", waits)
    chapter = (copy.root / "docs/05-pytorch-basics.md").read_text(encoding="utf-8")
    copy.write(
        "docs/05-pytorch-basics.md",
        chapter + '\n```python\n--8<-- "05-pytorch-basics/waits.py"\n```\n\n算出来的答案是 {{ waits.py: answer }}。\n',
    )
    page.goto(url)
    prose = page.locator("p", has_text="算出来的答案是")
    expect(prose).to_have_text("算出来的答案是 运行中…。", timeout=30_000)
    release.touch()
    expect(prose).to_have_text("算出来的答案是 42。", timeout=30_000)  # reloaded by itself when the run is done
    copy.write("snippets/05-pytorch-basics/waits.py", waits.replace("6 * 7", "6 * 8"))
    expect(prose).to_have_text("算出来的答案是 48。", timeout=30_000)
    process.terminate()
    log = process.communicate(timeout=30)[0]
    assert re.findall(r"^(?:WARNING|ERROR).*", log, re.MULTILINE) == []


@linux_only("the snippet kills its worker with SIGKILL")
def test_serve_recovers_when_a_snippet_kills_the_worker(server):
    copy, url, process = server
    original = (copy.root / SNIPPET).read_text()
    copy.write(
        SNIPPET, "import os, signal\nprint('worker', 'goodbye', sep='+', flush=True)\nos.kill(os.getppid(), signal.SIGKILL)\n"
    )
    wait_for(lambda: "and the worker died" in fetch(url), "the error on the page", seconds=30)
    assert "worker+goodbye" in fetch(url)  # what it printed before, above the error
    copy.write(SNIPPET, original.replace("print(a.grad)\n", 'print("新的 worker")\n'))
    wait_for(lambda: "新的 worker" in fetch(url), "the next rebuild, in a new worker", seconds=30)
    assert process.poll() is None


@linux_only("POSIX signals")
def test_a_plain_kill_stops_serve_as_cleanly_as_ctrl_c(server):
    site_copy, _, process = server
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert "Traceback" not in output and "Exception ignored" not in output, output
    ours = ("mkdocs_", "snippet-runs-", "snippet-results-", "notebook-pages-")
    left = [path.name for path in (site_copy.root / "tmp").iterdir() if path.name.startswith(ours)]
    assert left == []  # MkDocs' temp site, the worker's scratch copies, the folder serve watches for results


def test_serve_binds_to_loopback_by_default():
    assert load_config(str(ROOT / "mkdocs.yml")).dev_addr.host == "127.0.0.1"
