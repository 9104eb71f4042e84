"""`gen serve`: serving the built site, rebuilding on changes, reloading open pages, showing
build errors over the last good site, refusing requests outside the site folder.

The end-to-end tests run `gen serve` in a subprocess on a copy of the golden-site project
and wait for what they expect with timeouts (polling), never with fixed sleeps: the machine
may be loaded.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tornado.websocket import websocket_connect

from generator.livereload.overlay import OVERLAY_ID, inject_error, status_page
from generator.livereload.rebuild import Attempt, Rebuilder
from generator.livereload.server import content_type, locate
from generator.livereload.watch import (
    FolderEvents,
    TreeWatcher,
    is_editor_temp,
    output_ignorer,
)

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "fixtures" / "golden-site"
CABLE = "content/cables/2008/12/08OSLO670.md"
CABLE_URL = "/cable/2008/12/08OSLO670.html"
TIMEOUT = 20.0


def wait_until(condition: Callable[[], object], timeout: float = TIMEOUT,
               what: str = "condition") -> object:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


# -- the server in a subprocess ------------------------------------------------------------

class Served:
    """`gen serve` running on a project, its terminal output collected line by line."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.lines: list[str] = []
        for _attempt in range(3):  # a free port may be taken again before the server binds
            self.port = _free_port()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "generator", "serve", "--project", str(project),
                 "--port", str(self.port), "--jobs", "1", "--quiet"],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"})
            self.lines = []
            threading.Thread(target=self._read, args=(self.process, self.lines),
                             daemon=True).start()
            wait_until(lambda: self.process.poll() is not None or self.has("serving http"),
                       what="the server to listen")
            if self.process.poll() is None:
                return
        raise AssertionError("gen serve did not start:\n" + self.output())

    @staticmethod
    def _read(process: subprocess.Popen, lines: list[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))

    def output(self) -> str:
        return "\n".join(self.lines)

    def has(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def count(self, prefix: str) -> int:
        return sum(line.startswith(prefix) for line in self.lines)

    def builds_done(self) -> int:
        return self.count("gen serve: built ") + self.count("gen serve: build failed")

    def wait_builds(self, count: int) -> None:
        wait_until(lambda: self.builds_done() >= count,
                   what=f"{count} build(s) to end; output:\n{self.output()}")

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        """GET a path exactly as written (no normalisation of `..` or percent escapes)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            return response.status, {k.lower(): v for k, v in response.getheaders()}, body
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copy(GOLDEN / "gen.yaml", folder / "gen.yaml")
    shutil.copytree(GOLDEN / "content", folder / "content")
    return folder


@pytest.fixture
def served(project: Path) -> Iterator[Served]:
    server = Served(project)
    try:
        server.wait_builds(1)
        assert server.has("gen serve: built "), server.output()
        yield server
    finally:
        server.stop()
    # Stopping leaves no staging or scratch folder beside site/ (the build cache stays).
    assert not [p.name for p in project.iterdir()
                if p.name.startswith(".") and p.name != ".gen-cache"]


def set_subject(page: Path, subject: str) -> None:
    text = page.read_text(encoding="utf-8")
    text, count = re.subn(r"(?m)^subject: .*$", lambda _: f"subject: {subject}", text, count=1)
    assert count == 1
    page.write_text(text, encoding="utf-8")


async def _reload_after(server: Served, change: Callable[[], None]) -> dict:
    """Connect a livereload client (the handshake livereload.js does), make the change and
    return the first reload message the server sends."""
    ws = await websocket_connect(f"ws://127.0.0.1:{server.port}/livereload")
    try:
        await ws.write_message(json.dumps(
            {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
        hello = json.loads(await asyncio.wait_for(ws.read_message(), TIMEOUT))
        assert hello["command"] == "hello"
        await ws.write_message(json.dumps(
            {"command": "info", "url": f"http://127.0.0.1:{server.port}{CABLE_URL}"}))
        change()
        while True:
            message = await asyncio.wait_for(ws.read_message(), TIMEOUT)
            assert message is not None, "the server closed the livereload connection"
            data = json.loads(message)
            if data.get("command") == "reload":
                return data
    finally:
        ws.close()


# -- end to end ------------------------------------------------------------------------------

def test_edit_is_rebuilt_served_and_reloads_the_page(served: Served, project: Path) -> None:
    status, headers, page = served.get(CABLE_URL)
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert "livereload.js" in page  # livereload's script, injected into served HTML
    assert "Norwegian subject rewritten" not in page
    status, headers, script = served.get("/livereload.js")
    assert status == 200 and "LiveReload" in script

    message = asyncio.run(_reload_after(
        served, lambda: set_subject(project / CABLE, "Norwegian subject rewritten")))
    assert message["command"] == "reload"
    # The reload is sent once the new site is in place.
    status, _, page = served.get(CABLE_URL)
    assert status == 200 and "Norwegian subject rewritten" in page, served.output()
    assert served.count("gen serve: rebuilding: 1 change(s): ") == 1, served.output()


def test_broken_page_shows_the_error_over_the_last_good_site(served: Served,
                                                              project: Path) -> None:
    _, _, good = served.get(CABLE_URL)
    page = project / CABLE
    original = page.read_text(encoding="utf-8")
    # Invalid YAML front matter (an unterminated quoted string), plus a page whose file name
    # is markup: the error text names it and must be shown escaped.
    asyncio.run(_reload_after(served, lambda: set_subject(page, '"unterminated')))
    hostile = project / "content/cables/2008/12/<img src=x onerror=alert(1)>.md"
    hostile.write_text("---\nreference_id: [\n---\n", encoding="utf-8")
    served.wait_builds(3)
    wait_until(lambda: "onerror" in served.output(), what="the second error")
    assert "08OSLO670.md, line" in served.output()  # file and line, in the terminal

    status, _, shown = served.get(CABLE_URL)
    assert status == 200
    assert f'id="{OVERLAY_ID}"' in shown
    assert "08OSLO670.md, line" in shown  # file and line, in the browser
    assert "&lt;img src=x onerror=alert(1)&gt;.md" in shown
    assert "<img src=x" not in shown
    # Below the box, the last good page as it was.
    assert shown.replace(shown[shown.index(f'<div id="{OVERLAY_ID}"'):
                               shown.index("</div>", shown.index(OVERLAY_ID)) + 6], "") == good
    status, _, missing = served.get("/no/such/page.html")
    assert status == 404 and OVERLAY_ID in missing  # the 404 page shows it too

    def fix() -> None:
        hostile.unlink()
        page.write_text(original, encoding="utf-8")

    asyncio.run(_reload_after(served, fix))
    # The two files of the fix may be seen by two scans, so two builds: wait for the last.
    wait_until(lambda: OVERLAY_ID not in served.get(CABLE_URL)[2], what="the overlay to go")
    status, _, fixed = served.get(CABLE_URL)
    assert status == 200 and fixed == good, served.output()
    assert served.lines[-1].startswith("gen serve: built "), served.output()


def test_only_the_site_folder_is_served(served: Served, project: Path) -> None:
    secret = project / "gen.yaml"
    (project / "site" / "leak.txt").symlink_to(secret)
    (project / "site" / "leakdir").symlink_to(project / "content", target_is_directory=True)
    (project / "site" / "inside.txt").symlink_to(project / "site" / "robots.txt")
    for path in ["/../gen.yaml", "/%2e%2e/gen.yaml", "/%2E%2E%2Fgen.yaml", "/.%2e/gen.yaml",
                 "/cable/../../gen.yaml", "/cable/%2e%2e/%2e%2e/gen.yaml", "//etc/passwd",
                 f"/{project}/gen.yaml", f"/%2F{str(project).lstrip('/')}/gen.yaml",
                 "/..%5cgen.yaml", "/leak.txt", "/leakdir/cables/2008/12/08OSLO670.md",
                 "/%00/gen.yaml"]:
        status, _, body = served.get(path)
        assert status in (403, 404), (path, status)
        for leaked in ("Fixture project", "reference_id: 08OSLO670", "root:x:"):
            assert leaked not in body, path
    assert served.get("/inside.txt")[0] == 200  # a symlink within the site is fine

    status, headers, body = served.get("/no/such/page.html")
    assert status == 404 and headers["content-type"].startswith("text/html")
    assert (project / "site" / "404.html").read_text(encoding="utf-8") in body.replace(
        body[body.index("<script"):body.index("</script>") + 9], "")
    status, headers, _ = served.get("/cable")
    assert status in (301, 302) and headers["location"] == "/cable/"
    expected = {"/feed.xml": "application/xml", "/robots.txt": "text/plain",
                "/index.html": "text/html", "/": "text/html"}
    site = project / "site"
    for suffix, kind in [(".json", "application/json"), (".svg", "image/svg+xml"),
                         (".js", "text/javascript"), (".css", "text/css")]:
        found = next(site.rglob(f"*{suffix}"))
        expected["/" + found.relative_to(site).as_posix()] = kind
    for path, kind in expected.items():
        status, headers, _ = served.get(path)
        assert status == 200, path
        assert headers["content-type"].split(";")[0] == kind, (path, headers["content-type"])


def test_a_burst_of_changes_is_one_rebuild(served: Served, project: Path) -> None:
    content = project / "content"
    notes = content / "notes"
    notes.mkdir()
    # 200 changes at once, as a `git checkout` makes them: 195 new files, 5 pages touched.
    for number in range(195):
        (notes / f"note-{number:03}.txt").write_text(str(number), encoding="utf-8")
    stamp = time.time() + 5
    for page in sorted(content.rglob("*.md")):
        os.utime(page, (stamp, stamp))
    # Editor droppings are not changes. (Not `.#08OSLO670.md`, emacs's lock: the build itself
    # would read it as a page.)
    for name in (".08OSLO670.md.swp", "08OSLO670.md~", "#08OSLO670.md#", "4913"):
        (content / "cables" / name).write_text("x", encoding="utf-8")
    served.wait_builds(2)
    assert served.count("gen serve: rebuilding: ") == 1, served.output()
    assert served.has("gen serve: rebuilding: 200 change(s): "), served.output()
    # One more change shows that the watcher has seen everything before it: its build is
    # the only other one.
    (notes / "last.txt").write_text("last", encoding="utf-8")
    served.wait_builds(3)
    assert served.count("gen serve: rebuilding: ") == 2, served.output()
    assert served.lines[-1].startswith("gen serve: built "), served.output()


def test_theme_changes_rebuild_and_template_errors_show(served: Served, project: Path) -> None:
    # A project theme folder that did not exist when the server started overrides a template.
    template = project / "themes" / "default" / "templates" / "404.html"
    template.parent.mkdir(parents=True)
    template.write_text("<!doctype html><html><head><title>Lost</title></head>"
                        "<body><p>Custom not found page</p></body></html>", encoding="utf-8")
    wait_until(lambda: "Custom not found page" in served.get("/nothing-here")[2],
               what=f"the new 404 template; output:\n{served.output()}")
    template.write_text("<html><head></head><body>{% if %}</body></html>", encoding="utf-8")
    wait_until(lambda: OVERLAY_ID in served.get("/nothing-here")[2],
               what=f"the template error; output:\n{served.output()}")
    status, _, page = served.get("/nothing-here")
    assert status == 404 and "Custom not found page" in page  # the last good 404 page
    assert "404.html, line 1" in page, page


def test_fixing_a_broken_configuration_recovers(project: Path) -> None:
    config = project / "gen.yaml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good + "page_sise: 3\n", encoding="utf-8")
    server = Served(project)
    try:
        server.wait_builds(1)
        assert server.has("unknown key(s) 'page_sise'"), server.output()
        status, _, page = server.get("/")
        assert status == 500 and "page_sise" in page and OVERLAY_ID in page
        config.write_text(good, encoding="utf-8")
        server.wait_builds(2)
        status, _, page = server.get("/")
        assert status == 200 and OVERLAY_ID not in page and "Golden sample" in page
    finally:
        server.stop()


# -- the parts ---------------------------------------------------------------------------------

def test_changes_during_a_build_make_exactly_one_follow_up_build() -> None:
    started, release = threading.Event(), threading.Event()
    covered: list[list[str]] = []

    def build(changes: list[str]) -> Attempt:
        started.set()
        release.wait(TIMEOUT)
        return Attempt(error=None)

    rebuilder = Rebuilder(build, lambda attempt, changes: covered.append(changes))
    rebuilder.start()
    try:
        rebuilder.request(["a"])
        assert started.wait(TIMEOUT)
        for name in ("b", "c", "d", "b"):
            rebuilder.request([name])
        release.set()
        wait_until(lambda: len(covered) == 2, what="the follow-up build")
        assert covered == [["a"], ["b", "c", "d"]]
        rebuilder.request(["e"])
        wait_until(lambda: len(covered) == 3, what="the next build")
    finally:
        rebuilder.stop(timeout=TIMEOUT)
    assert covered[2] == ["e"] and rebuilder.builds == 3


def test_idle_work_waits_for_a_pause_in_builds() -> None:
    """gen serve saves its build cache once builds pause, not after each one."""
    events: list[str] = []
    rebuilder = Rebuilder(lambda changes: events.append("build") or Attempt(error=None),
                          lambda attempt, changes: None,
                          idle=lambda wanted: events.append(f"idle, wanted: {wanted()}"),
                          idle_after=0.5)
    rebuilder.start()
    try:
        for built, name in enumerate("abc", 1):  # each within the pause after the last
            rebuilder.request([name])
            wait_until(lambda built=built: events.count("build") == built, what="the build")
            time.sleep(0.1)
        assert events == ["build"] * 3
        wait_until(lambda: len(events) == 4, what="the idle work")
        time.sleep(1.0)
        assert events == ["build"] * 3 + ["idle, wanted: False"]  # once, not again
    finally:
        rebuilder.stop(timeout=TIMEOUT)


def test_watcher_reports_a_burst_once_and_ignores_build_output(tmp_path: Path) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    content.mkdir()
    site.mkdir()
    (content / "page.md").write_text("a", encoding="utf-8")
    reports: list[list[str]] = []
    watcher = TreeWatcher(reports.append, min_interval=0.02)
    watcher.set_paths([content, tmp_path], output_ignorer(site))
    watcher.start(lambda: None)
    try:
        wait_until(lambda: watcher.scans >= 2, what="the first scans")
        for folder in (site, tmp_path / ".site.building-123", tmp_path / ".site.scratch-9"):
            folder.mkdir(exist_ok=True)
            (folder / "index.html").write_text("x", encoding="utf-8")
        (content / ".page.md.swp").write_text("x", encoding="utf-8")
        (content / "page.md~").write_text("x", encoding="utf-8")
        scans = watcher.scans
        wait_until(lambda: watcher.scans >= scans + 3, what="more scans")
        assert reports == []
        for number in range(50):
            (content / f"new-{number}.md").write_text("b", encoding="utf-8")
        wait_until(lambda: reports, what="a report")
        scans = watcher.scans
        wait_until(lambda: watcher.scans >= scans + 3, what="more scans")
    finally:
        watcher.stop()
    assert len(reports) == 1 and len(reports[0]) == 50


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")
def test_folder_events_see_changes_in_new_folders_and_skip_ignored_ones(tmp_path: Path) -> None:
    content, site = tmp_path / "content", tmp_path / "site"
    (content / "cables").mkdir(parents=True)
    (content / "cables" / "old.md").write_text("a", encoding="utf-8")
    events = FolderEvents()
    try:
        events.roots[str(tmp_path)] = output_ignorer(site)
        assert events.watch_tree(str(tmp_path), str(tmp_path)) == [
            str(content / "cables" / "old.md")]
        (content / "cables" / "old.md").write_text("b", encoding="utf-8")
        (content / "cables" / "old.md~").write_text("b", encoding="utf-8")  # editor backup
        (content / "new" / "deeper").mkdir(parents=True)
        (content / "new" / "deeper" / "page.md").write_text("c", encoding="utf-8")
        site.mkdir()
        (site / "index.html").write_text("d", encoding="utf-8")
        (content / "cables" / "old.md").unlink()
        changed: list[str] = []
        wait_until(lambda: changed.extend(events.changes()) or
                   str(content / "new" / "deeper" / "page.md") in changed and
                   changed.count(str(content / "cables" / "old.md")) >= 2,
                   what=f"the events; seen: {changed}")
        assert set(changed) == {str(content / "cables" / "old.md"),
                                str(content / "new" / "deeper" / "page.md")}
    finally:
        events.close()


def test_locate_refuses_what_leaves_the_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "cable").mkdir(parents=True)
    (site / "index.html").write_text("home", encoding="utf-8")
    (site / "cable" / "index.html").write_text("cables", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (site / "out.txt").symlink_to(tmp_path / "secret.txt")
    (site / "out").symlink_to(tmp_path, target_is_directory=True)
    for relative in ("../secret.txt", "cable/../../secret.txt", "/etc/passwd", "..\\secret",
                     "out.txt", "out/secret.txt", "out/", "a\x00b", ".."):
        assert locate(str(site), relative) == ("forbidden", ""), relative
    assert locate(str(site), "") == ("file", str((site / "index.html").resolve()))
    assert locate(str(site), "cable/") == ("file", str((site / "cable/index.html").resolve()))
    assert locate(str(site), "cable") == ("redirect", "")
    assert locate(str(site), "cable/nothing.html") == ("missing", "")


def test_error_text_is_escaped() -> None:
    error = "x.md, line 3: <script>alert('&')</script>"
    html = inject_error(b"<html><head></head><body class=x><p>page</p></body></html>", error)
    assert html.startswith(b'<html><head></head><body class=x><div id="gen-serve-error"')
    assert b"<script>" not in html and b"&lt;script&gt;alert(&#x27;&amp;&#x27;)" in html
    assert html.endswith(b"<p>page</p></body></html>")
    assert b"<script>" not in status_page("<b>", error)


def test_content_types_and_editor_files() -> None:
    assert content_type("a/feed.xml").startswith("application/xml")
    assert content_type("x.JS").startswith("text/javascript")
    assert content_type("index.html") == "text/html; charset=utf-8"
    for name in (".page.md.swp", "page.md~", ".#page.md", "#page.md#", "4913",
                 "page.md___jb_tmp___", ".goutputstream-ABC"):
        assert is_editor_temp(name), name
    for name in ("08OSLO670.md", "style.css", "gen.yaml"):
        assert not is_editor_temp(name), name


def test_a_browser_page_reloads_and_shows_the_error(served: Served, project: Path) -> None:
    """The real thing: livereload.js, injected by the server, in headless Chromium."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")
    from browserkit import CHROMIUM, HOW_TO_INSTALL, launch

    if not CHROMIUM.exists():
        pytest.skip(f"no browser at {CHROMIUM}: {HOW_TO_INSTALL}")
    page_file = project / CABLE
    original = page_file.read_text(encoding="utf-8")
    with sync_api.sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            registered = threading.Event()  # livereload.js has told the server its URL
            page.on("websocket", lambda ws: ws.on(
                "framesent", lambda frame: '"info"' in str(frame) and registered.set()))
            page.goto(f"http://127.0.0.1:{served.port}{CABLE_URL}")
            wait_until(lambda: registered.is_set() or page.wait_for_timeout(50),
                       what="livereload.js to connect")
            set_subject(page_file, "Subject seen by the browser")
            page.wait_for_function(
                "document.body.innerText.includes('Subject seen by the browser')",
                timeout=TIMEOUT * 1000)
            set_subject(page_file, '"unterminated')
            box = page.wait_for_selector(f"#{OVERLAY_ID}", state="visible",
                                         timeout=TIMEOUT * 1000)
            assert "08OSLO670.md, line" in box.inner_text()
            assert "Subject seen by the browser" in page.inner_text("body")  # last good site
            page_file.write_text(original, encoding="utf-8")
            page.wait_for_selector(f"#{OVERLAY_ID}", state="detached", timeout=TIMEOUT * 1000)
            assert "Subject seen by the browser" not in page.inner_text("body")
        finally:
            browser.close()
