"""Every page of the built site in a real browser, light and dark, as a reader sees it."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import PAGES, ROOT

CHAPTERS = [page.stem for page in PAGES if "--8<--" in page.read_text(encoding="utf-8")]
URLS = [""] + [f"{page.stem}/" for page in PAGES if page.stem != "index"] + [f"notebooks/{c}/" for c in CHAPTERS]
SCREENSHOTS = ROOT / "tests" / "screenshots"
SCHEMES = {"light": "default", "dark": "slate"}


def test_the_browser_tests_cover_every_built_page(cold_site):
    built = sorted(str(p.parent.relative_to(cold_site[1].site)) for p in cold_site[1].site.rglob("index.html"))
    assert built == sorted(url.rstrip("/") or "." for url in URLS)


@pytest.fixture(scope="session")
def axe():
    return Axe()  # axe-core from the package itself, injected into the page: no network


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("url", URLS, ids=lambda url: url.strip("/") or "home")
def test_page_reads_well_offline(browser, site_url, axe, url, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("requestfailed", lambda request: errors.append(f"failed request {request.url}"))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site_url + url)
    page.wait_for_load_state("networkidle")

    assert errors == []
    assert [r for r in requests if not r.startswith((site_url, "data:"))] == []  # fonts, scripts, math: all local
    assert page.get_attribute("body", "data-md-color-scheme") == SCHEMES[scheme]
    assert page.evaluate(
        "[...document.images].filter(i => i.checkVisibility() && !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
    ) == []
    assert page.evaluate("[...document.querySelectorAll('math')].every(m => m.getBoundingClientRect().width > 0)")
    if url.rstrip("/") in CHAPTERS:
        assert_code_and_outputs(page)
    violations = [v for v in axe.run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{url.strip('/').replace('/', '-') or 'home'}-{scheme}.png", full_page=True)
    context.close()


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
        assert outputs.nth(index).evaluate("o => o.previousElementSibling.matches("
                                           "o.matches('.snippet-stderr') ? 'div.highlight' : 'div.highlight:not(.snippet-output)')")


def test_palette_toggle_switches_figures_and_survives_reload(page, site_url):
    page.goto(site_url + "02-linear-regression/")
    light, dark = page.locator('img[src$="#only-light"]'), page.locator('img[src$="#only-dark"]')
    assert light.is_visible() and not dark.is_visible()
    page.locator('label[title="切换到深色模式"]').click()
    assert dark.is_visible() and not light.is_visible()
    assert page.evaluate("document.querySelector('img[src$=\"#only-dark\"]').naturalWidth") > 0
    page.reload()
    assert page.get_attribute("body", "data-md-color-scheme") == "slate"
    assert dark.is_visible() and not light.is_visible()
