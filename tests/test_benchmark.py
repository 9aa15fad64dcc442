"""The benchmark's synthetic sites build with this project and with its peers, so it cannot silently rot."""

import re

import pytest

import benchmark_build
from conftest import linux_only

pytestmark = linux_only("the benchmark samples memory in /proc")


@pytest.mark.parametrize("workload", ["tensor", "training"])
def test_small_synthetic_site_builds_with_the_project_and_markdown_exec(tmp_path, workload):
    snippets = benchmark_build.write_synthetic_site(tmp_path, chapters=1, workload=workload)
    seconds, log, peak = benchmark_build.build(tmp_path)
    assert snippets == 5
    assert re.search(r"Snippets: 5 executed, 0 from cache", log)
    figures = 1  # 1 in 4 tensor snippets (the 4th), 1 in 5 training snippets
    assert len(list((tmp_path / "site" / "figures").rglob("*.svg"))) == 2 * figures  # light + dark
    assert seconds > 0 and peak > 0
    if workload == "training":  # the peers' sites and the serve measurement do not depend on the workload
        return
    benchmark_build.build(tmp_path / "markdown-exec", strict=False)
    page = (tmp_path / "markdown-exec/site/chapter-001/index.html").read_text(encoding="utf-8")
    assert page.count("<svg") >= 1  # markdown-exec ran the figure snippet in the MkDocs process
    assert benchmark_build.own_compute(sorted((tmp_path / "snippets").rglob("*.py"))) > 0
    rebuild, compute = benchmark_build.serve_edit(tmp_path, "snippets/chapter-001/snippet_1.py", run=0, think=0)
    assert rebuild > 0 and compute > 0  # mkdocs serve re-ran exactly the saved snippet


def test_small_synthetic_notebooks_build_with_mkdocs_jupyter(tmp_path):
    benchmark_build.write_synthetic_site(tmp_path, chapters=1)
    benchmark_build.build(tmp_path / "notebooks", strict=False)
    page = (tmp_path / "notebooks/site/chapter-001/index.html").read_text(encoding="utf-8")
    assert "chapter 1, snippet 5:" in page  # executed by mkdocs-jupyter's kernel


@pytest.mark.parametrize("backend", benchmark_build.BACKENDS)
def test_overhead_measurements_run(backend):
    assert benchmark_build.overhead_ms(backend, count=3) > 0 and benchmark_build.fork_floor_ms() > 0
