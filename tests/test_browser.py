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

import fnmatch
import functools
import http.server
import threading
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from generator.builder import build_site
from generator.config import load_config

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
NETLIFY = ROOT / "netlify.toml"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HOW_TO_INSTALL = ("run `python3 dev.py test` as root on Debian/Ubuntu (it installs Chromium), "
                  "or `apt-get install chromium` yourself")

sync_api = pytest.importorskip(
    "playwright.sync_api",
    reason="Playwright is not installed: `pip install -e '.[test]'` (python3 dev.py test does it)")
if not CHROMIUM.exists():
    pytest.skip(f"no browser at {CHROMIUM}: {HOW_TO_INSTALL}", allow_module_level=True)

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
PAGES = {
    "home": "",
    "cable": "cable/2008/11/08OSLO629.html",  # cites 08OSLO585, cited by 08OSLO670
    "tag": "tag/PREL/",
    "tags": "tags/",
    "404": "404.html",
}


# -- the site, served as Netlify would serve it ----------------------------------------------

def netlify_rules() -> list[tuple[str, dict[str, str]]]:
    """(path pattern, headers) from netlify.toml's [[headers]] tables."""
    data = tomllib.loads(NETLIFY.read_text(encoding="utf-8"))
    return [(rule["for"], {k: str(v) for k, v in rule.get("values", {}).items()})
            for rule in data.get("headers", [])]


def headers_for(path: str, rules: list[tuple[str, dict[str, str]]]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for pattern, values in rules:
        if fnmatch.fnmatchcase(path, pattern):
            headers.update(values)
    return headers


class Handler(http.server.SimpleHTTPRequestHandler):
    rules: list[tuple[str, dict[str, str]]] = []
    requests: list[tuple[str, int]] = []  # (path, status) of every request answered

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.requests.append((self.path, int(code)))

    def end_headers(self) -> None:
        for name, value in headers_for(urlsplit(self.path).path, self.rules).items():
            self.send_header(name, value)
        super().end_headers()

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        # netlify.toml: unknown paths get the site's own 404 page, with status 404.
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass


@dataclass
class Server:
    url: str  # http://127.0.0.1:PORT/
    requests: list[tuple[str, int]]  # (path, status), as the server answered them


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Build the sample archive and serve it from 127.0.0.1 on a free port."""
    assert NETLIFY.is_file(), "netlify.toml holds the security headers to test with"
    folder = tmp_path_factory.mktemp("browser")
    project = folder / "project"
    project.mkdir()
    settings = yaml.safe_load((ROOT / "gen.yaml").read_text(encoding="utf-8")) or {}
    settings.update(content_dir=str(ROOT / "content"), output_dir=str(folder / "site"))
    (project / "gen.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        build_site(load_config(project))
    requests: list[tuple[str, int]] = []
    handler = type("SiteHandler", (Handler,), {"rules": netlify_rules(), "requests": requests})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder / "site")))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}/", requests)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    with sync_api.sync_playwright() as driver:  # one per process: the sync API nests badly
        yield driver


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@pytest.fixture(scope="module")
def browser(playwright: Any) -> Iterator[Any]:
    chromium = launch(playwright)
    try:
        yield chromium
    finally:
        chromium.close()


# -- a page, watched ---------------------------------------------------------------------

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " blocked " + event.blockedURI);
});
"""


@dataclass
class Visit:
    page: Any
    problems: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)  # URL -> status, as the page saw
    document_status: int | None = None
    favicon: list[str] = field(default_factory=list)  # console errors about /favicon.ico


def open_page(browser: Any, server: Server, path: str, viewport: dict[str, int],
              status: int = 200) -> Visit:
    """Open a page in a fresh context, recording console messages, failed requests, every
    response's status and CSP violations. The page itself is expected to answer `status`,
    every other request 200."""
    server.requests.clear()
    context = browser.new_context(viewport=viewport, service_workers="block")
    page = context.new_page()
    page.add_init_script(CSP_LISTENER)
    visit = Visit(page)

    def console(message: Any) -> None:
        if message.type not in ("error", "warning"):
            return
        text = f"console {message.type}: {message.text} ({message.location.get('url')})"
        # Chromium asks for /favicon.ico once per browser by itself: test_favicon covers it.
        source = message.location.get("url") or ""
        if source.endswith("/favicon.ico"):
            visit.favicon.append(text)
        elif not (status != 200 and source == server.url + path
                  and message.text.startswith("Failed to load resource")):
            visit.problems.append(text)

    page.on("console", console)
    page.on("pageerror", lambda error: visit.problems.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: visit.problems.append(
        f"request failed: {request.url} ({request.failure})"))
    page.on("response", lambda response: visit.statuses.__setitem__(
        response.url, response.status))
    response = page.goto(server.url + path, wait_until="load")
    visit.document_status = response.status if response else None
    page.wait_for_load_state("networkidle")
    visit.problems += [f"CSP violation: {v}" for v in page.evaluate("window.__cspViolations")]
    if visit.document_status != status:
        visit.problems.append(f"/{path} answered HTTP {visit.document_status}, not {status}")
    visit.problems += [f"HTTP {code}: {url}" for url, code in visit.statuses.items()
                       if code != 200 and url != server.url + path]
    visit.problems += [f"server answered HTTP {code}: {requested}"
                       for requested, code in server.requests
                       if code != 200 and requested not in ("/favicon.ico", "/" + path)]
    return visit


A11Y_PROBLEMS = """
() => {
  const problems = [];
  const named = (el) => {
    const label = (el.getAttribute("aria-label") || "").trim();
    const labelledby = (el.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean)
      .map((id) => (document.getElementById(id) || {}).textContent || "").join(" ").trim();
    const title = Array.from(el.children).find((c) => c.tagName.toLowerCase() === "title");
    return label || labelledby || (title && title.textContent.trim()) || "";
  };
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push("img without alt: " + img.src);
  }
  for (const svg of document.querySelectorAll("svg")) {
    const hidden = svg.getAttribute("aria-hidden") === "true";
    if (!hidden && !named(svg)) problems.push("svg without a text alternative");
  }
  for (const a of document.querySelectorAll("a[href]")) {
    const images = Array.from(a.querySelectorAll("img[alt]")).map((i) => i.alt).join("");
    const text = (a.textContent + " " + images).trim() || named(a)
      || (a.getAttribute("title") || "").trim();
    if (!text) problems.push("link without text: " + a.getAttribute("href"));
  }
  const mains = document.querySelectorAll("main, [role=main]");
  if (mains.length !== 1) problems.push(mains.length + " main landmarks");
  const h1s = document.querySelectorAll("h1");
  if (h1s.length !== 1) problems.push(h1s.length + " h1 elements");
  return problems;
}
"""


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def check_skip_link(page: Any) -> list[str]:
    problems = []
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
      const el = document.activeElement;
      const box = el.getBoundingClientRect();
      return {tag: el.tagName.toLowerCase(), href: el.getAttribute("href"),
              text: el.textContent.trim(), width: box.width, height: box.height,
              top: box.top, left: box.left, innerWidth: window.innerWidth};
    }""")
    if focused["tag"] != "a" or not (focused["href"] or "").startswith("#"):
        return [f"the first Tab focuses {focused}, not a skip link"]
    if focused["width"] < 1 or focused["height"] < 1 or focused["top"] < 0 \
            or focused["left"] < 0 or focused["left"] >= focused["innerWidth"]:
        problems.append(f"the skip link is not visible when focused: {focused}")
    target = focused["href"][1:]
    page.keyboard.press("Enter")
    page.wait_for_function(f"location.hash === '#{target}'", timeout=5000)
    active = page.evaluate("document.activeElement && document.activeElement.id")
    if active != target:
        problems.append(f"after the skip link, focus is on {active!r}, not #{target}")
    return problems


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
