"""Watching what a build reads, with bursts of changes coalesced into one report.

livereload's own Watcher polls every 800 ms on the server's event loop and stops at the first
changed file, so a `git checkout` of 10,000 pages would run its task up to 10,000 times (and
block the server while it walks a 251k-page archive). TreeWatcher keeps livereload's Watcher
interface (`watch(path, ignore=...)`, `start(callback)`) but scans in a thread of its own,
collects every change of a scan, and reports a burst once, when a scan finds nothing new.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from livereload.watcher import Watcher

from generator.config import CONFIG_NAME, SiteConfig
from generator.render.templates import BUNDLED_THEMES

# Folders no build reads.
IGNORED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", "node_modules"})
# Editors' swap, backup and atomic-save files: vim (.swp, 4913, ~), emacs (.#x, #x#), JetBrains
# (___jb_tmp___), GNOME (.goutputstream-), kate, macOS (.DS_Store), Chromium-based (.crswap).
_EDITOR_TEMP = re.compile(
    r"""(^\.\#) | (^\#.*\#$) | (~$) | (^4913$) | (^\.DS_Store$) | (^\.goutputstream-)
      | (___jb_(tmp|old)___$) | \.(swp|swo|swx|swpx|tmp|kate-swp|crswap|part)$""",
    re.VERBOSE | re.IGNORECASE)

# One scan's signature of a file: changes when it is rewritten, replaced or resized.
Snapshot = dict[str, dict[str, int]]  # folder -> {file name: signature}


def is_editor_temp(name: str) -> bool:
    return bool(_EDITOR_TEMP.search(name))


def output_ignorer(output_dir: Path) -> Callable[[str], bool]:
    """A predicate for paths the build itself writes: the output folder and its staging,
    scratch and previous-site siblings (`.site.building-PID`, see generator/output.py).

    It is asked about every entry a scan meets, and scans do not descend into what it rejects,
    so it only compares strings (no realpath per file: 251k of them would dominate the scan).
    """
    forms = {os.path.abspath(output_dir), os.path.realpath(output_dir)}
    parents = {os.path.dirname(form) for form in forms}
    name = os.path.basename(os.path.abspath(output_dir))
    siblings = re.compile(rf"^\.{re.escape(name)}\.(building|scratch|previous)-\d+$")

    def ignored(path: str) -> bool:
        if path in forms:
            return True
        folder, base = os.path.split(path)
        return base.startswith(".") and folder in parents and bool(siblings.match(base))

    return ignored


def watched_paths(config: SiteConfig | None, project_dir: Path,
                  config_file: Path | None) -> list[Path]:
    """Everything a build reads: the configuration file, the content folder and every folder
    the theme chain may come from (see render/templates.py theme_dirs), existing or not yet, so
    that creating a project theme that overrides the bundled one triggers a build too."""
    project_dir = Path(project_dir)
    paths = [config_file or project_dir / CONFIG_NAME]
    if config is None:  # unreadable configuration: watch the defaults until it is fixed
        paths += [project_dir / "content", project_dir / "themes"]
        return paths
    paths.append(project_dir / config.content_dir)
    for name in dict.fromkeys([config.theme, "default"]):
        paths += [project_dir / "themes" / name, BUNDLED_THEMES / name]
    return list(dict.fromkeys(Path(os.path.abspath(path)) for path in paths))


def scan(root: str, ignore: Callable[[str], bool] | None) -> Snapshot:
    """Signatures of the files under `root` (a file or a folder; nothing if it is missing).

    Folder symlinks are followed (an archive may live elsewhere), each real folder once.
    """
    snapshot: Snapshot = {}
    if os.path.isfile(root):
        folder, name = os.path.split(root)
        signature = _signature(root)
        if signature is not None and not (ignore and ignore(root)):
            snapshot[folder] = {name: signature}
        return snapshot
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            info = os.stat(folder)
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            entries = list(os.scandir(folder))
        except OSError:  # vanished or unreadable since it was listed: its files are gone
            continue
        files: dict[str, int] = {}
        for entry in entries:
            if entry.name in IGNORED_DIRS or is_editor_temp(entry.name):
                continue
            if ignore and ignore(entry.path):
                continue
            try:
                if entry.is_dir():
                    stack.append(entry.path)
                    continue
                stat = entry.stat()
            except OSError:
                continue
            files[entry.name] = hash((stat.st_mtime_ns, stat.st_size, stat.st_ino))
        snapshot[folder] = files
    return snapshot


def _signature(path: str) -> int | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return hash((stat.st_mtime_ns, stat.st_size, stat.st_ino))


def diff(old: Snapshot, new: Snapshot) -> list[str]:
    """Paths added, changed or removed between two scans."""
    changed = []
    for folder in old.keys() | new.keys():
        before, after = old.get(folder, {}), new.get(folder, {})
        if before == after:
            continue
        for name in before.keys() | after.keys():
            if before.get(name) != after.get(name):
                changed.append(os.path.join(folder, name))
    return sorted(changed)


class TreeWatcher(Watcher):
    """livereload's Watcher, scanning in a thread and reporting coalesced bursts.

    `on_change(paths)` is called (from the watcher's thread) with every path changed since the
    last report, once a scan finds no further change — so a burst of any size is one report —
    or after `max_wait` seconds of uninterrupted changes, so a file that never stops changing
    cannot hold builds back for ever.
    """

    def __init__(self, on_change: Callable[[list[str]], None], *, min_interval: float = 0.25,
                 load: float = 0.25, max_wait: float = 10.0) -> None:
        super().__init__()
        self.on_change = on_change
        self.min_interval = min_interval
        # Scans of a large archive take a while: wait long enough between them that scanning
        # uses at most this share of one core.
        self.load = load
        self.max_wait = max_wait
        self.scans = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, path: str | os.PathLike, func: Callable | None = None, delay: object = None,
              ignore: Callable[[str], bool] | None = None) -> None:
        with self._lock:
            super().watch(os.path.abspath(path), func, delay, ignore=ignore)

    def set_paths(self, paths: Iterable[Path], ignore: Callable[[str], bool] | None) -> None:
        """Replace what is watched (the configuration may have moved content or theme)."""
        with self._lock:
            self._tasks = {}
            for path in paths:
                super().watch(os.path.abspath(path), None, None, ignore=ignore)

    def start(self, callback: Callable[[], None]) -> bool:
        """Start scanning. Returning True tells livereload (LiveReloadHandler.start_tasks) not
        to poll on the event loop: this watcher's thread does the work and reports through
        on_change; `callback` (livereload's poll_tasks) is not needed."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="gen-serve-watch",
                                            daemon=True)
            self._thread.start()
        return True

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def examine(self) -> tuple[str | None, float | None]:
        # Reloads are sent when a build ends (see server.py), never straight from a change.
        return self._changes.pop() if self._changes else (None, None)

    def _tasks_now(self) -> dict[str, Callable[[str], bool] | None]:
        with self._lock:
            return {path: task["ignore"] for path, task in self._tasks.items()}

    def _run(self) -> None:
        snapshots: dict[str, Snapshot] = {}
        pending: set[str] = set()
        first_change = 0.0
        while not self._stop.is_set():
            started = time.monotonic()
            changed: list[str] = []
            tasks = self._tasks_now()
            for root, ignore in tasks.items():
                new = scan(root, ignore)
                if root in snapshots:
                    changed += diff(snapshots[root], new)
                # A newly watched path is taken as it is: the build that chose it read it.
                snapshots[root] = new
            for root in set(snapshots) - set(tasks):
                del snapshots[root]
            self.scans += 1
            now = time.monotonic()
            if changed:
                if not pending:
                    first_change = now
                pending.update(changed)
            if pending and (not changed or now - first_change >= self.max_wait):
                report, pending = sorted(pending), set()
                self.on_change(report)
            elapsed = time.monotonic() - started
            # While changes are pending, the scan that confirms the burst is over comes soon;
            # otherwise scans are spaced out to keep within the CPU share.
            pause = self.min_interval if pending else elapsed / self.load - elapsed
            self._stop.wait(max(self.min_interval, pause))
