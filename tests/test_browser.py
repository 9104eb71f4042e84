"""The built sample site in a real browser: headless Chromium (Debian's /usr/bin/chromium) driven
by Playwright, the site served from 127.0.0.1 with the security headers of netlify.toml.

Checks, on the home page, a cable page with REF links and a cited-by list, a tag page, the tags
index and the 404 page, at desktop (1280x900) and phone (390x844) sizes: no console errors or
warnings, no Content-Security-Policy violation, every request answered 200, the h1 visible, and
basic accessibility (one h1, a main landmark, text alternatives for images and SVG, text for
every link, a working skip link). Screenshots go to test-artifacts/screenshots/.

Chromium comes from Debian (`python3 dev.py test` installs it when it runs as root on
Debian/Ubuntu); `playwright install` is never used, it downloads browsers of its own.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from browserkit import (
    A11Y_PROBLEMS,
    CHROMIUM,
    HOW_TO_INSTALL,
    VIEWPORTS,
    Server,
    build_project,
    check_skip_link,
    headers_for,
    launch,
    netlify_rules,
    open_page,
    screenshot,
    serve,
)

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright is not installed: `pip install -e '.[test]'` (python3 dev.py test does it)")
if not CHROMIUM.exists():
    pytest.skip(f"no browser at {CHROMIUM}: {HOW_TO_INSTALL}", allow_module_level=True)

PAGES = {
    "home": "",
    "cable": "cable/2008/11/08OSLO629.html",  # cites 08OSLO585, cited by 08OSLO670
    "tag": "tag/PREL/",
    "tags": "tags/",
    "404": "404.html",
}


# -- the site, served as Netlify would serve it; pages watched (browserkit.py) ------------

@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Build the sample archive and serve it from 127.0.0.1 on a free port."""
    site = build_project(tmp_path_factory.mktemp("browser"))
    with serve(site) as served:
        yield served


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    with sync_api.sync_playwright() as driver:  # one per process: the sync API nests badly
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    chromium = launch(playwright)
    try:
        yield chromium
    finally:
        chromium.close()


# -- the tests ---------------------------------------------------------------------------

@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("name", list(PAGES))
def test_page_in_browser(browser: Any, server: Server, name: str, viewport: str) -> None:
    visit = open_page(browser, server, PAGES[name], VIEWPORTS[viewport])
    page = visit.page
    try:
        problems = list(visit.problems)
        assert any(url.endswith(".css") for url in visit.statuses), "no stylesheet loaded"
        heading = page.locator("h1")
        assert heading.count() == 1
        assert heading.is_visible(), "the h1 is not visible"
        box = heading.bounding_box()
        assert box and box["width"] > 0 and box["x"] >= 0, f"h1 box {box}"
        problems += page.evaluate(A11Y_PROBLEMS)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            problems.append(f"the page scrolls sideways: {width[0]} px wide in {width[1]} px")
        screenshot(page, f"{name}-{viewport}")
        problems += check_skip_link(page)
        assert not problems, "\n".join(problems)
    finally:
        page.context.close()


def test_cable_page_links_work_in_browser(browser: Any, server: Server) -> None:
    """Follow the cable page's first REF link and its cited-by link, as a reader would."""
    visit = open_page(browser, server, PAGES["cable"], VIEWPORTS["desktop"])
    page = visit.page
    try:
        assert page.locator("section.refs a").count() >= 1
        page.locator("section.refs a").first.click()
        page.wait_for_load_state("load")
        assert page.url == server.url + "cable/2008/10/08OSLO585.html"
        page.go_back()
        page.locator("section.cited-by a").first.click()
        page.wait_for_load_state("load")
        assert page.url == server.url + "cable/2008/12/08OSLO670.html"
        assert not visit.problems, "\n".join(visit.problems)
    finally:
        page.context.close()


def test_unknown_path_gets_the_404_page(browser: Any, server: Server) -> None:
    visit = open_page(browser, server, "no/such/page/", VIEWPORTS["phone"], status=404)
    page = visit.page
    try:
        assert not visit.problems, "\n".join(visit.problems)
        assert page.locator("h1").inner_text() == "Page not found"
        assert any(url.endswith(".css") for url in visit.statuses), "no stylesheet loaded"
        # Its links are root-relative, so they work from any depth.
        page.get_by_role("link", name="Browse cables by tag").click()
        page.wait_for_load_state("load")
        assert page.url == server.url + "tags/"
    finally:
        page.context.close()


def test_favicon(playwright: Any, server: Server) -> None:
    """A fresh browser asks for an icon by itself: it must get one, not a 404."""
    chromium = launch(playwright)  # a new browser: Chromium asks only once per process
    try:
        visit = open_page(chromium, server, "", VIEWPORTS["desktop"])
        # The browser asks for the icon after the page has loaded, on its own schedule.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any(
                path == "/favicon.ico" for path, _ in server.requests):
            visit.page.wait_for_timeout(100)
        visit.page.wait_for_timeout(300)  # let its console message arrive
        visit.page.context.close()
    finally:
        chromium.close()
    assert not visit.problems, "\n".join(visit.problems)
    failed = [(path, code) for path, code in server.requests if code != 200]
    assert not visit.favicon and not failed, f"{visit.favicon} {failed}"


def test_served_with_the_netlify_security_headers(server: Server) -> None:
    with urllib.request.urlopen(server.url + PAGES["tag"], timeout=10) as response:
        policy = response.headers.get("Content-Security-Policy")
    assert policy and "default-src 'self'" in policy
    assert policy == headers_for("/", netlify_rules())["Content-Security-Policy"]
