"""The same docs/ and snippets/ build with the other generators the site may move to:

- ProperDocs 1.6, MkDocs' drop-in fork, runs the plugin as MkDocs does: the same site, byte for byte;
- Zensical runs the Python-Markdown front (snippetrun.extension): outputs under their code, figures in
  both schemes, quoted values.

A failing snippet fails every one of them, naming snippet, page and line."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from test_build import CHAPTERS

GENERATOR_LINE = re.compile(rb'<meta name="generator" content="[^"]*">')


def zensical_build(copy) -> subprocess.CompletedProcess:
    """`zensical build --strict` from the copy's root, with no other argument (it reads mkdocs.yml)."""
    command = [sys.executable, "-m", "zensical", "build", "--strict"]
    return subprocess.run(command, cwd=copy.root, env=copy.env(), capture_output=True, text=True, timeout=600)


def strict_build(generator: str, copy) -> tuple[int, str]:
    """The exit status and log of `<generator> build --strict` in the copy."""
    if generator == "zensical":
        done = zensical_build(copy)
        return done.returncode, done.stdout + done.stderr
    build = copy.build(generator=generator)
    return build.returncode, build.log


def site_files(site: Path) -> dict:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in site.rglob("*") if path.is_file()}


def test_properdocs_builds_the_same_site_byte_for_byte_but_its_generator_line(site_copy, cold_site):
    build = site_copy.build(generator="properdocs")
    assert build.returncode == 0, build.log
    assert "Snippets: 0 executed, 21 from cache" in build.log  # MkDocs' results serve it: the same cache keys
    ours, mkdocs = site_files(build.site), site_files(cold_site[1].site)
    assert ours.keys() == mkdocs.keys()
    differing = [name for name in ours if ours[name] != mkdocs[name]]
    assert all(GENERATOR_LINE.sub(b"", ours[name]) == GENERATOR_LINE.sub(b"", mkdocs[name]) for name in differing)
    assert b'content="mkdocs-ProperDocs 1.6' in ours["index.html"]


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
        assert all(str(image["src"]).startswith("data:image/svg+xml;base64,") for image in light + dark)
        assert not re.search(r"\{\{ \S+\.py:", ours.get_text()) and "无法引用" not in ours.get_text(), chapter
        links = [(a["href"], a["title"], a.get_text()) for a in ours.select("a.api-link")]  # the names in code, too
        assert links and links == [(a["href"], a["title"], a.get_text()) for a in mkdocs.select("a.api-link")], chapter


@pytest.mark.parametrize("generator", ["properdocs", "zensical"])
def test_a_failing_snippet_fails_the_build_naming_snippet_page_and_line(site_copy, generator):
    line = site_copy.add_snippet("broken.py", 'print("before")\nraise ValueError("写错了")\n')
    returncode, log = strict_build(generator, site_copy)
    assert returncode != 0
    assert f"snippets/05-pytorch-basics/broken.py:2: snippet failed (included by docs/05-pytorch-basics.md:{line})" in log
