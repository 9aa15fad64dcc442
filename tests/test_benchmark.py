"""The benchmark's synthetic site builds, so the benchmark cannot silently rot."""

import re

import benchmark_build


def test_small_synthetic_site_builds_and_runs_every_snippet(tmp_path):
    snippets = benchmark_build.write_synthetic_site(tmp_path, chapters=2)
    seconds, log, peak = benchmark_build.build(tmp_path)
    assert snippets == 10
    assert re.search(r"Snippets: 10 executed, 0 from cache", log)
    assert len(list((tmp_path / "site" / "figures").rglob("*.svg"))) == 2 * 2  # 1 in 4 draws, light + dark
    assert seconds > 0 and peak > 0
    rebuild, compute = benchmark_build.serve_edit(tmp_path, "snippets/chapter-001/snippet_1.py", run=0)
    assert rebuild > 0 and compute > 0  # mkdocs serve re-ran exactly the saved snippet


def test_small_synthetic_notebooks_build_with_mkdocs_jupyter(tmp_path):
    benchmark_build.write_synthetic_site(tmp_path, chapters=1)
    seconds, log, _ = benchmark_build.build(tmp_path / "notebooks", strict=False)
    page = (tmp_path / "notebooks/site/chapter-001/index.html").read_text(encoding="utf-8")
    assert "chapter 1, snippet 5:" in page  # executed by mkdocs-jupyter's kernel
