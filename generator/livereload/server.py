"""The development server: livereload's Server (websocket endpoint, livereload.js, script
injection into HTML) serving the output folder, with builds run by a Rebuilder on changes
reported by a TreeWatcher, and build errors shown over the last good site."""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import os
import signal
import sys
import threading
import webbrowser
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO
from urllib.parse import unquote

import livereload
from livereload.handlers import LiveReloadHandler
from tornado import web
from tornado.ioloop import IOLoop

from generator.livereload.overlay import inject_error, status_page
from generator.livereload.rebuild import Attempt, Rebuilder, SiteState
from generator.livereload.watch import TreeWatcher, output_ignorer

# Stated, not guessed: mimetypes reads the system's tables, which disagree on .js and .xml.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".woff2": "font/woff2",
}


def content_type(path: str) -> str:
    suffix = os.path.splitext(path)[1].lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


def locate(site_dir: str, relative: str) -> tuple[str, str]:
    """Where a request for `relative` (percent-decoded, below the site's root URL) leads:
    ("file", path), ("redirect", "") for a folder asked without its slash, ("forbidden", "")
    for anything that would leave the site folder, or ("missing", "").

    `..` segments, absolute paths, backslashes and NUL are refused before the file system is
    asked; then the real path (symlinks resolved) must still lie inside the real site folder.
    """
    parts = relative.split("/")
    if "\x00" in relative or "\\" in relative or relative.startswith("/") or ".." in parts:
        return "forbidden", ""
    top = os.path.realpath(site_dir)

    def inside(path: str) -> bool:
        return path == top or path.startswith(top + os.sep)

    real = os.path.realpath(os.path.join(top, relative))
    if not inside(real):
        return "forbidden", ""
    if os.path.isdir(real):
        if relative and not relative.endswith("/"):
            return "redirect", ""
        real = os.path.realpath(os.path.join(real, "index.html"))
        if not inside(real):
            return "forbidden", ""
    return ("file", real) if os.path.isfile(real) else ("missing", "")


class SiteHandler(web.RequestHandler):
    """Serves the last good site under its root URL path (base_url's path), with the build
    error over every HTML page while the latest build fails, and 404.html for missing pages.

    livereload's own static handler (tornado's StaticFileHandler) cannot do this: it knows
    one fixed folder, while builds swap site/ for a new folder and the root path may change
    with gen.yaml; it does not resolve symlinks before checking containment; and it has no
    hook to alter a page or to answer a missing one with the site's 404 page.
    """

    SUPPORTED_METHODS = ("GET", "HEAD")

    def initialize(self, site: LiveSite) -> None:
        self.site = site

    async def get(self) -> None:
        await self._respond()

    async def head(self) -> None:
        await self._respond()

    async def _respond(self) -> None:
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Content-Type-Options", "nosniff")
        state = self.site.state
        if state.site_dir is None:
            return self._page(*((503, "Building the site") if state.building
                                else (500, "The build failed")), state.error)
        site_dir = str(state.site_dir)
        # A build swaps in the new site with two renames: give it a moment.
        for _ in range(40):
            if os.path.isdir(site_dir):
                break
            await asyncio.sleep(0.05)
        else:
            return self._page(503, "The site folder is missing", state.error)
        try:
            path = unquote(self.request.path, errors="strict")
        except UnicodeDecodeError:
            return self._not_found(site_dir, state)
        if path + "/" == state.root:
            return self.redirect(state.root)
        if not path.startswith(state.root):
            return self._not_found(site_dir, state)
        kind, file = locate(site_dir, path[len(state.root):])
        if kind == "forbidden":
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            return self._send(b"403 forbidden: outside the site\n")
        if kind == "redirect":
            query = f"?{self.request.query}" if self.request.query else ""
            return self.redirect(self.request.path + "/" + query)
        if kind == "missing" or not self._send_file(file, state):
            return self._not_found(site_dir, state)

    def _send_file(self, file: str, state: SiteState, status: int = 200) -> bool:
        try:
            with open(file, "rb") as stream:
                data = stream.read()
        except OSError:  # removed by a build since it was located
            return False
        kind = content_type(file)
        if state.error and kind.startswith("text/html"):
            data = inject_error(data, state.error)
        self.set_status(status)
        self.set_header("Content-Type", kind)
        self._send(data)
        return True

    def _not_found(self, site_dir: str, state: SiteState) -> None:
        kind, page = locate(site_dir, "404.html")
        if kind == "file" and self._send_file(page, state, 404):
            return
        self.set_status(404)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self._send(b"404 not found\n")

    def _page(self, status: int, title: str, error: str | None) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self._send(status_page(title, error))

    def _send(self, data: bytes) -> None:
        # Also for HEAD: tornado drops the body after the livereload transform, so the
        # Content-Length it sends counts the injected script, as for GET.
        self.write(data)


_at_fork_registered = False


def _interrupt_on_sigterm() -> signal.Handlers | None:
    """Make SIGTERM stop the server as Ctrl-C does; returns the previous handler, or None
    when this is not the main thread (only it may set handlers)."""
    global _at_fork_registered
    if threading.current_thread() is not threading.main_thread():
        return None
    if not _at_fork_registered:
        # Build workers are forked from this process: they must die on SIGTERM, which is how
        # multiprocessing's Pool ends them after every build, not run this handler (a build
        # would then wait for ever for its pool to end).
        os.register_at_fork(
            after_in_child=lambda: signal.signal(signal.SIGTERM, signal.SIG_DFL))
        _at_fork_registered = True

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def _display(path: str) -> str:
    """A path as short as it is clear: relative to the current folder when inside it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


class _Server(livereload.Server):
    """livereload's Server with the site handler in place of its static file handler."""

    def __init__(self, site: LiveSite, watcher: TreeWatcher) -> None:
        super().__init__(watcher=watcher)
        self.site = site

    def get_web_handlers(self, script: bytes) -> list:
        return [(r"/.*", SiteHandler, {"site": self.site})]


class LiveSite:
    """Builds the site, serves it, rebuilds on changes and reloads the open pages.

    `build(changes)` runs one complete build (configuration read again) given the paths
    changed since the last (none for the first) and says how it went; `watched` is what to
    watch until the first build names it (see watch.watched_paths); `save(interrupted)`, if
    given, is called when builds pause (given up when `interrupted()`: a build is wanted) and
    before the server stops, to save the build cache; then `prepare()`, if given, when builds
    pause, to work out ahead what the next build needs.
    """

    def __init__(self, build: Callable[[list[str]], Attempt], *, watched: Iterable[Path],
                 site_dir: Path | None, root: str = "/", out: TextIO | None = None,
                 save: Callable[[Callable[[], bool] | None], None] | None = None,
                 prepare: Callable[[], None] | None = None) -> None:
        self.out = out or sys.stderr
        self._build = build
        self._save = save
        self._prepare = prepare
        has_site = site_dir is not None and (site_dir / "index.html").is_file()
        # Until the first build ends, a site left by an earlier build is served as it is.
        self.state = SiteState(site_dir=site_dir if has_site else None, root=root)
        self.watcher = TreeWatcher(self._changed)
        self.watcher.set_paths(watched, output_ignorer(site_dir) if site_dir else None)
        self.rebuilder = Rebuilder(self._run_build, self._built,
                                   idle=self._idle if save or prepare else None)
        self.server = _Server(self, self.watcher)
        self.loop: IOLoop | None = None

    def say(self, text: str) -> None:
        print(f"gen serve: {text}", file=self.out, flush=True)

    def run(self, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False) -> int:
        """Serve until interrupted (Ctrl-C, SIGTERM) or stop(); returns the exit status.

        Builds run in the calling thread and the server in a thread of its own: Ctrl-C then
        interrupts a build where `gen build` would be interrupted, and the build's own clean-up
        (generator/output.py) removes its staging folder.
        """
        # Tornado logs every 4xx answer as a warning: the terminal is for builds.
        logging.getLogger("tornado.access").setLevel(logging.ERROR)
        listening: list[OSError | None] = []
        ready = threading.Event()
        server = threading.Thread(target=self._serve, args=(host, port, listening, ready),
                                  name="gen-serve-http", daemon=True)
        server.start()
        ready.wait()
        if listening[0] is not None:
            self.say(f"cannot listen on {host}:{port}: {listening[0].strerror or listening[0]}")
            return 1
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{port}{self.state.root}"
        self.say(f"serving {url} (Ctrl-C to stop)")
        # The watcher starts before the first build, so changes made while it runs are
        # caught; LiveReloadHandler.start_tasks() would start it only once per process.
        self.watcher.start(LiveReloadHandler.poll_tasks)
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        previous = _interrupt_on_sigterm()
        try:
            self.rebuilder.request([])
            self.rebuilder.run()
        except KeyboardInterrupt:
            pass
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
            self.say("stopping")
            self.watcher.stop()
            if self.loop is not None:
                self.loop.add_callback(self.loop.stop)
            server.join(timeout=5)
            self._save_now()
        return 0

    def stop(self) -> None:
        """Stop serving (from any thread): run() returns once a build in progress ends."""
        self.rebuilder.stop()

    def _serve(self, host: str, port: int, listening: list[OSError | None],
               ready: threading.Event) -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        self.loop = IOLoop.current()
        try:
            # livereload's Server.serve() would also start the loop, but it logs through its
            # own handlers, prints a URL without the site's root path, never says whether the
            # port could be had, and wants the main thread; application() sets up the handlers.
            self.server.application(port, host, liveport=None, debug=False, live_css=True)
        except OSError as error:
            listening.append(error)
            ready.set()
            return
        listening.append(None)
        ready.set()
        self.loop.start()
        self.loop.close(all_fds=True)

    # -- watcher and builder threads --------------------------------------------------------

    def _idle(self, interrupted: Callable[[], bool]) -> None:
        self._save_now(interrupted)
        if self._prepare is not None and not interrupted():
            self._prepare()

    def _save_now(self, interrupted: Callable[[], bool] | None = None) -> None:
        if self._save is None:
            return
        try:
            self._save(interrupted)
        except OSError as error:  # the cache is only an optimisation: say so and go on
            self.say(f"could not save the build cache: {error}")

    def _changed(self, paths: list[str]) -> None:
        self.rebuilder.request(paths)

    def _run_build(self, changes: list[str]) -> Attempt:
        if changes:
            shown = ", ".join(_display(path) for path in changes[:3])
            more = f" and {len(changes) - 3} more" if len(changes) > 3 else ""
            self.say(f"rebuilding: {len(changes)} change(s): {shown}{more}")
        else:
            self.say("building the site")
        return self._build(changes)

    def _built(self, attempt: Attempt, changes: list[str]) -> None:
        previous = self.state
        if attempt.error is None:
            self.state = SiteState(site_dir=attempt.site_dir, root=attempt.root)
            self.say(attempt.summary)
            if attempt.root != previous.root:  # base_url's path changed in gen.yaml
                self.say(f"the site is now served under {attempt.root}")
        else:
            self.state = SiteState(site_dir=previous.site_dir, root=previous.root,
                                   error=attempt.error, building=False)
            self.say(f"build failed:\n{attempt.error}")
            self.say("still serving the last good site; save a fix to rebuild"
                     if previous.site_dir else "nothing to serve until a build succeeds")
        if attempt.watched:
            self.watcher.set_paths(attempt.watched, output_ignorer(
                attempt.site_dir or previous.site_dir or Path(os.devnull)))
        if self.loop is not None:
            # Straight to the connected pages: LiveReloadHandler.poll_tasks would drop a
            # reload that comes within 3 s of the previous one (its throttle for watchers
            # that report one file at a time), such as the reload that shows a quick fix.
            self.loop.add_callback(LiveReloadHandler.reload_waiters, "*")
