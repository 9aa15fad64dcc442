"""Every page of the built site in a real browser, light and dark, as a reader sees it."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from snippetrun.executor.page_limits import PHONE_CONTENT_PX

from conftest import PAGES, ROOT

CHAPTERS = [page.stem for page in PAGES if "--8<--" in page.read_text(encoding="utf-8")]
URLS = [""] + [f"{page.stem}/" for page in PAGES if page.stem != "index"] + [f"notebooks/{c}/" for c in CHAPTERS]
SCREENSHOTS = ROOT / "tests" / "screenshots"
SCHEMES = {"light": "default", "dark": "slate"}
# The page's markup is the same in both schemes: axe checks all of it in the light one, and in the dark
# one what the colours decide.
COLOUR_RULES = {"runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}}


def test_the_browser_tests_cover_every_built_page(cold_site):
    built = sorted(str(p.parent.relative_to(cold_site[1].site)) for p in cold_site[1].site.rglob("index.html"))
    assert built == sorted(url.rstrip("/") or "." for url in URLS)


@pytest.fixture(scope="session")
def axe():
    return Axe()  # axe-core from the package itself, injected into the page: no network


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("url", URLS, ids=lambda url: url.strip("/") or "home")
def test_page_reads_well_offline(browser, site_url, axe, url, scheme, request):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: errors.append(f"failed request {request.url}"))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site_url + url)
    page.wait_for_load_state("networkidle")
    broken = page.evaluate(SCROLL_TO_EVERY_IMAGE)  # figures load lazily, as the reader scrolls to them

    assert errors == []
    assert [r for r in requests if not r.startswith((site_url, "data:"))] == []  # fonts, scripts, math: all local
    assert page.get_attribute("body", "data-md-color-scheme") == SCHEMES[scheme]
    assert broken == []
    shown = page.evaluate(
        "[...document.querySelectorAll('img[src*=\"figures/\"]')].filter(i => i.checkVisibility()).map(i => i.src.split('#')[1])"
    )
    assert set(shown) <= {f"only-{scheme}"}  # each figure in the scheme's variant, notebook pages too
    assert page.evaluate("[...document.querySelectorAll('math')].every(m => m.getBoundingClientRect().width > 0)")
    assert page.evaluate(OVERFLOWING_FORMULAS) == []
    assert page.evaluate(PUNCTUATION_STARTING_A_LINE) == []
    if url.rstrip("/") in CHAPTERS:
        assert_code_and_outputs(page)
    found = axe.run(page, options=COLOUR_RULES if scheme == "dark" else None).response["violations"]
    violations = [v for v in found if v["impact"] in ("serious", "critical")]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
    if request.config.getoption("screenshots"):
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{url.strip('/').replace('/', '-') or 'home'}-{scheme}.png", full_page=True)
    context.close()


SCROLL_TO_EVERY_IMAGE = """async () => {
    const broken = [];
    for (const image of [...document.images].filter(i => i.checkVisibility())) {
        image.scrollIntoView();
        try { await image.decode(); } catch { broken.push(image.src); }
    }
    window.scrollTo(0, 0);
    return broken;
}"""
# Either way: with classic scrollbars (Windows) a vertical overflow of a few px is a scrollbar in the formula;
# overlay scrollbars (macOS, headless Chromium) hide it, so the sizes are compared, not looked at.
OVERFLOWING_FORMULAS = """[...document.querySelectorAll('math[display=block]')]
    .filter(m => m.scrollWidth > m.clientWidth || m.scrollHeight > m.clientHeight)
    .map(m => [m.textContent, m.scrollWidth - m.clientWidth, m.scrollHeight - m.clientHeight])"""
# Chinese punctuation right after an inline formula that the browser moved to the start of the next line
PUNCTUATION_STARTING_A_LINE = r"""() => [...document.querySelectorAll('article math:not([display=block])')].flatMap(math => {
    const next = math.nextSibling;
    if (!next || next.nodeType !== Node.TEXT_NODE || !/^[\u3000-\u303f\uff00-\uffef]/.test(next.textContent)) return [];
    const range = document.createRange();
    range.setStart(next, 0);
    range.setEnd(next, 1);
    return range.getBoundingClientRect().top >= math.getBoundingClientRect().bottom - 2
        ? [math.textContent + next.textContent.slice(0, 3)] : [];
})"""


def assert_code_and_outputs(page):
    """Every code block has Material's copy button; every output block sits visibly under a code block."""
    code_blocks = page.locator(".md-typeset div.highlight:not(.snippet-output) pre")
    assert code_blocks.count() > 0
    copy = ".md-typeset div.highlight:not(.snippet-output) pre button[data-md-type=copy]"
    assert page.locator(copy).count() == code_blocks.count()
    outputs = page.locator(".snippet-output")
    for index in range(outputs.count()):
        assert outputs.nth(index).is_visible()
        # stdout right under the code; stderr, if any, under that
        assert outputs.nth(index).evaluate(
            "o => o.previousElementSibling.matches("
            "o.matches('.snippet-stderr') ? 'div.highlight' : 'div.highlight:not(.snippet-output)')"
        )


def test_palette_toggle_switches_figures_and_survives_reload(page, site_url):
    page.goto(site_url + "02-linear-regression/")
    light, dark = page.locator('img[src$="#only-light"]'), page.locator('img[src$="#only-dark"]')
    assert page.evaluate(SCROLL_TO_EVERY_IMAGE) == []
    assert light.is_visible() and not dark.is_visible()
    page.locator('label[title="切换到深色模式"]').click()
    dark.scroll_into_view_if_needed()
    dark.evaluate("image => image.decode()")  # loaded lazily, once shown
    assert dark.is_visible() and not light.is_visible()
    assert page.evaluate("document.querySelector('img[src$=\"#only-dark\"]').naturalWidth") > 0
    page.reload()
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    assert dark.is_visible() and not light.is_visible()


def test_a_phone_reads_every_page(browser, site_url):
    """At 390 px: nothing scrolls sideways, no formula overflows, no line starts with the punctuation after a
    formula, and each figure, chapter and notebook, is as wide as the executor assumes: it fails a figure
    whose smallest text would be under 9 px at PHONE_CONTENT_PX wide (test_figures.py). The desktop width
    is checked with every page above."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    for url in URLS:
        page.goto(site_url + url)
        assert page.evaluate(SCROLL_TO_EVERY_IMAGE) == [], url
        widths = page.evaluate("""[...document.querySelectorAll('img[src*="figures/"]')].filter(i => i.checkVisibility())
            .map(i => [i.getBoundingClientRect().width, i.src])""")
        assert [(src, shown) for shown, src in widths if shown < PHONE_CONTENT_PX - 1] == [], url
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
        assert page.evaluate(OVERFLOWING_FORMULAS) == [], url
        assert page.evaluate(PUNCTUATION_STARTING_A_LINE) == [], url
    context.close()
