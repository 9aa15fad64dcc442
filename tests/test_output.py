"""Output as a terminal would show it, stderr in its own block, Chinese in figures, and size limits."""

import html as html_module
import re

from snippetrun.executor.terminal import screen_text

CHAPTER = "snippets/05-pytorch-basics"
PAGE = "docs/05-pytorch-basics.md"


def test_screen_text_keeps_what_a_terminal_shows_at_the_end():
    assert screen_text("step 1\rstep 2\rstep 10\n") == "step 10\n"
    assert screen_text("abcdef\rXY\n") == "XYcdef\n"  # overwritten, not erased
    assert screen_text("ab\bX\n") == "aX\n"
    assert screen_text("\x1b[1;31mred\x1b[0m \x1b]0;title\x07plain\x00\x07\x1b[2K\n") == "red plain\n"
    assert screen_text("tab\tand\r\nwindows\r\n") == "tab\tand\nwindows\n"


SHOWN = {
    "progress.py": (
        'import time\nfor i in range(51):\n    print(f"\\rstep {i}/50", end="", flush=True)\nprint()\nprint("finished")\n'
    ),
    "tqdm_loop.py": 'from tqdm import tqdm\n\nfor _ in tqdm(range(50), desc="epochs"):\n    pass\nprint("done")\n',
    "ansi.py": 'print("\\x1b[31mred\\x1b[0m plain\\x00 nul\\x07 bell\\x0c")\n',
    "to_stderr.py": 'import sys\nprint("to stdout")\nprint("注意：这一行写到 stderr", file=sys.stderr)\n',
    "chinese_title.py": (
        "import matplotlib.pyplot as plt\nimport zhplot\n\n"
        'plt.plot([1, 2, 3], [6, 4, 2])\nplt.title("损失曲线")\nplt.xlabel("训练轮数")\nplt.show()\n'
    ),
}


def output_blocks(html: str, snippet: str) -> list:
    """(classes, title, text) of the output blocks under the snippet's code block, in order."""
    segment = html.split(f'<span class="filename">{CHAPTER}/{snippet}</span>', 1)[1].split(
        '<span class="filename">snippets/', maxsplit=1
    )[0]
    blocks = re.findall(
        r'<div class="(snippet-output[^"]*?) highlight"><span class="filename">([^<]*)</span>'
        r"<pre><span></span><code>(.*?)</code>",
        segment,
        re.DOTALL,
    )
    return [(kind, title, html_module.unescape(re.sub(r"<[^>]+>", "", text))) for kind, title, text in blocks]


def test_progress_bars_stderr_and_chinese_figures_reach_the_page_as_a_reader_expects(site_copy):
    for name, code in SHOWN.items():
        site_copy.add_snippet(name, code)
    figure = "\n![一条下降的损失曲线，标题是中文](figures/05-pytorch-basics/chinese_title-1.svg)\n"
    site_copy.write(PAGE, (site_copy.root / PAGE).read_text() + figure)
    build = site_copy.build()
    assert build.returncode == 0, build.log
    html = build.page("05-pytorch-basics")
    assert output_blocks(html, "progress.py") == [("snippet-output", "输出", "step 50/50\nfinished\n")]
    (stdout, stderr) = output_blocks(html, "tqdm_loop.py")
    assert stdout[2] == "done\n"
    assert stderr[:2] == ("snippet-output snippet-stderr", "标准错误（stderr）")
    assert re.fullmatch(r"epochs: 100%\|█+\| 50/50\n", stderr[2])  # one final line, no elapsed time or rate
    assert output_blocks(html, "ansi.py")[0][2] == "red plain nul bell\n"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", html)
    assert [b[2] for b in output_blocks(html, "to_stderr.py")] == ["to stdout\n", "注意：这一行写到 stderr\n"]
    svg = (build.site / "figures/05-pytorch-basics/chinese_title-1.svg").read_text()
    glyphs = set(re.findall(r'<path id="NotoSansSC-Regular-([0-9a-f]+)"', svg))
    assert len(glyphs) > len(set("损失曲线训练轮数")) and "DejaVu" not in svg  # all text in zhplot's font


def test_warnings_still_fail_and_oversized_output_or_figures_fail_with_advice(site_copy):
    config = (site_copy.root / "mkdocs.yml").read_text().replace("max_figure_kb: 1024", "max_figure_kb: 200")
    site_copy.write("mkdocs.yml", config)
    lines = {
        "warns.py": site_copy.add_snippet("warns.py", "import warnings\nwarnings.warn('still a defect')\n"),
        "prints_a_lot.py": site_copy.add_snippet("prints_a_lot.py", "for step in range(600):\n    print('step', step)\n"),
        "one_huge_line.py": site_copy.add_snippet("one_huge_line.py", "print('x' * 2_000_000)\n"),
        "many_points.py": site_copy.add_snippet(
            "many_points.py",
            (
                "import numpy as np\nimport matplotlib.pyplot as plt\n\nx = np.random.rand(20000)\n"
                "plt.scatter(x, x ** 2, s=1)\nplt.show()\n"
            ),
        ),
    }
    build = site_copy.build()
    assert build.returncode != 0
    failed = f"{{}}:{{}}: snippet failed (included by {PAGE}:{{}})"
    assert failed.format(f"{CHAPTER}/warns.py", 2, lines["warns.py"]) in build.log and "UserWarning: still a defect" in build.log
    assert failed.format(f"{CHAPTER}/prints_a_lot.py", 1, lines["prints_a_lot.py"]) in build.log
    assert re.search(
        r"the snippet printed 600 lines \(\d+ KB\) to stdout; a page shows at most 500 lines and 100 KB "
        r"\(plugins.snippetrun.max_output_lines / max_output_kb in mkdocs.yml\): print less",
        build.log,
    )
    assert failed.format(f"{CHAPTER}/one_huge_line.py", 1, lines["one_huge_line.py"]) in build.log
    assert "the snippet printed 1 line of 1953 KB to stdout; a page shows at most 500 lines and 100 KB" in build.log
    assert failed.format(f"{CHAPTER}/many_points.py", 1, lines["many_points.py"]) in build.log
    assert re.search(
        r"figure 1 is \d+ KB as SVG; the limit is 200 KB \(plugins.snippetrun.max_figure_kb in mkdocs.yml\): "
        r"plot fewer points \(downsample\), or rasterize the heavy artist",
        build.log,
    )
    # a result over the limits is a failed run: the page shows its first lines only, and nothing is cached
    text = re.sub(r"<[^>]+>", "", build.page("05-pytorch-basics"))
    assert "step 19\n" in text and "step 20\n" not in text and "后面还有 580 行" in text
    entries = [path.read_text(encoding="utf-8") for path in (site_copy.root / ".cache/snippets").glob("*.json")]
    assert entries and not [entry for entry in entries if "step 599" in entry or "many_points" in entry]
    # ... and of one huge line, its first 300 characters: nowhere (page, notebook, search, caches) holds the rest
    assert "x" * 300 + "…（这一行还有 1999700 个字符）" in text
    huge = [
        path
        for path in site_copy.root.rglob("*")
        if path.is_file() and path.stat().st_size > 200_000 and b"x" * 1000 in path.read_bytes()
    ]
    assert huge == []
