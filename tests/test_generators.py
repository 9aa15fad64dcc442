"""The same docs/ and snippets/ build with Zensical too (snippetrun.extension, the Python-Markdown front):
outputs under their code, figures in both schemes, quoted values, and a failing snippet fails the build."""

import re
import subprocess
import sys

from bs4 import BeautifulSoup

from test_build import CHAPTERS


def zensical_build(copy) -> subprocess.CompletedProcess:
    """`zensical build --strict` from the copy's root, with no other argument (it reads mkdocs.yml)."""
    command = [sys.executable, "-m", "zensical", "build", "--strict"]
    return subprocess.run(command, cwd=copy.root, env=copy.env(), capture_output=True, text=True, timeout=600)


def test_zensical_builds_every_chapter_with_its_outputs_figures_and_values(site_copy, cold_site):
    done = zensical_build(site_copy)
    assert done.returncode == 0, done.stdout + done.stderr
    for chapter in CHAPTERS:
        ours = BeautifulSoup((site_copy.root / "site" / chapter / "index.html").read_text(encoding="utf-8"), "html.parser")
        mkdocs = BeautifulSoup(cold_site[1].page(chapter), "html.parser")
        outputs = [block.get_text() for block in ours.select("div.snippet-output")]
        assert outputs and outputs == [block.get_text() for block in mkdocs.select("div.snippet-output")], chapter
        light, dark = (ours.select(f'img[src$="#only-{scheme}"]') for scheme in ("light", "dark"))
        assert len(light) == len(dark) == len(mkdocs.select('img[src$="#only-light"]')), chapter
        assert all(image["src"].startswith("data:image/svg+xml;base64,") for image in light + dark)
        assert not re.search(r"\{\{ \S+\.py:", ours.get_text()) and "无法引用" not in ours.get_text(), chapter


def test_a_failing_snippet_fails_the_zensical_build_naming_snippet_page_and_line(site_copy):
    line = site_copy.add_snippet("broken.py", 'print("before")\nraise ValueError("写错了")\n')
    done = zensical_build(site_copy)
    assert done.returncode != 0
    expected = f"snippets/05-pytorch-basics/broken.py:2: snippet failed (included by docs/05-pytorch-basics.md:{line})"
    assert expected in done.stdout + done.stderr
