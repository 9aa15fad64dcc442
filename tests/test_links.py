"""Every internal link and anchor in the built site resolves, and nothing is loaded from another host."""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class PageLinks(HTMLParser):
    """The ids a page defines, its links, and the resources it loads."""

    def __init__(self, text: str):
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.ids.update(filter(None, (attrs.get("id"), attrs.get("name") if tag == "a" else None)))
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag in ("script", "img", "iframe", "source") and attrs.get("src"):
            self.resources.append(attrs["src"])
        if tag == "link" and attrs.get("href") and attrs.get("rel") not in ("canonical", "alternate"):
            self.resources.append(attrs["href"])


def parse_site(site: Path) -> dict:
    return {page: PageLinks(page.read_text(encoding="utf-8")) for page in site.rglob("*.html")}


def target(site: Path, page: Path, href: str) -> tuple:
    parts = urlsplit(href)
    folder = site if parts.path.startswith("/") else page.parent  # 404.html links from the site root
    path = (folder / unquote(parts.path).lstrip("/")).resolve() if parts.path else page
    if path.is_dir():
        path = path / "index.html"
    return path, unquote(parts.fragment)


def test_internal_links_and_anchors_resolve(cold_site):
    site = cold_site[1].site
    pages = parse_site(site)
    broken = []
    for page, links in pages.items():
        for href in links.links:
            if urlsplit(href).scheme or href.startswith("//"):
                continue  # links out (scikit-learn.org, ...) are for readers to follow, not loaded
            path, anchor = target(site, page, href)
            if not path.is_file() or (anchor and path.suffix == ".html" and anchor not in pages[path].ids):
                broken.append(f"{page.relative_to(site)}: {href}")
    assert broken == []
    assert len(pages) >= 13


def test_no_page_loads_anything_from_another_host(cold_site):
    site = cold_site[1].site
    external = [
        f"{page.relative_to(site)}: {url}"
        for page, links in parse_site(site).items()
        for url in links.resources
        if urlsplit(url).scheme in ("http", "https") or url.startswith("//")
    ]
    assert external == []
    css = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "@import url(http" not in css
