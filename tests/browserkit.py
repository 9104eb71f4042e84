"""Shared by the browser tests (test_browser.py, test_search_browser.py): build a project, serve
the site from 127.0.0.1 with the security headers of netlify.toml (optionally under a sub-path
such as /archive/), launch Debian's Chromium, and open a page while recording console messages,
failed requests, response statuses and Content-Security-Policy violations.

Chromium comes from Debian (`python3 dev.py test` installs it when it runs as root on
Debian/Ubuntu); `playwright install` is never used, it downloads browsers of its own.
"""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import http.server
import os
import threading
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

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
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


# -- building ------------------------------------------------------------------------------

def build_project(folder: Path, content_dir: Path | None = None, **settings: Any) -> Path:
    """Build a project in `folder` from the repository's gen.yaml, with `settings` overriding
    it (content from `content_dir`, by default the sample archive); return the site folder."""
    project = folder / "project"
    project.mkdir(parents=True)
    config = yaml.safe_load((ROOT / "gen.yaml").read_text(encoding="utf-8")) or {}
    config.update(settings, content_dir=str(content_dir or ROOT / "content"),
                  output_dir=str(folder / "site"))
    (project / "gen.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    previous = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    try:
        build_site(load_config(project))
    finally:
        if previous is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = previous
    return folder / "site"


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
    prefix = "/"  # the URL path the site is served under

    def translate_path(self, path: str) -> str:
        # The site's files answer under the prefix only; anything else is not found.
        url_path = urlsplit(path).path
        if not url_path.startswith(self.prefix):
            return str(Path(self.directory) / ".outside-the-site" / "not-found")
        return super().translate_path("/" + path[len(self.prefix):])

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
    url: str  # http://127.0.0.1:PORT/ (plus the prefix)
    requests: list[tuple[str, int]]  # (path, status), as the server answered them


@contextlib.contextmanager
def serve(site: Path, prefix: str = "/") -> Iterator[Server]:
    """Serve the folder `site` from 127.0.0.1 on a free port, under the URL path `prefix`."""
    assert NETLIFY.is_file(), "netlify.toml holds the security headers to test with"
    requests: list[tuple[str, int]] = []
    handler = type("SiteHandler", (Handler,),
                   {"rules": netlify_rules(), "requests": requests, "prefix": prefix})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{httpd.server_address[1]}{prefix}", requests)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


# -- the browser -----------------------------------------------------------------------------

def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


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

    def failed(request: Any) -> None:
        # Chromium fetches the page's icon after `load`, on its own schedule: a navigation
        # right after (a test clicking a link) aborts it. Not a problem of the site.
        if request.failure == "net::ERR_ABORTED" and "/favicon." in request.url:
            return
        visit.problems.append(f"request failed: {request.url} ({request.failure})")

    page.on("requestfailed", failed)
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
    own = urlsplit(server.url).path + path
    visit.problems += [f"server answered HTTP {code}: {requested}"
                       for requested, code in server.requests
                       if code != 200 and requested not in ("/favicon.ico", own)]
    return visit


# -- checks ----------------------------------------------------------------------------------

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
