"""Watching what a build reads, with bursts of changes coalesced into one report.

livereload's own Watcher polls every 800 ms on the server's event loop and stops at the first
changed file, so a `git checkout` of 10,000 pages would run its task up to 10,000 times (and
block the server while it walks a 251k-page archive). TreeWatcher keeps livereload's Watcher
interface (`watch(path, ignore=...)`, `start(callback)`) but works in a thread of its own,
collects every change, and reports a burst once, when no further change comes.

On Linux, folders are watched with inotify (through ctypes: no dependency), so a saved cable is
seen at once; scanning a 251k-page archive took seconds, and scans were spaced out to keep
within a share of one core (5-18 s from a save to its rebuild, bench_serve.py). Paths that are
not folders (gen.yaml, a theme not created yet), and everything where inotify is missing or out
of watches, are scanned as before.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import select
import struct
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


# inotify(7) event bits
_IN_ATTRIB, _IN_CLOSE_WRITE, _IN_MOVED_FROM, _IN_MOVED_TO = 0x4, 0x8, 0x40, 0x80
_IN_CREATE, _IN_DELETE, _IN_DELETE_SELF, _IN_MOVE_SELF = 0x100, 0x200, 0x400, 0x800
_IN_Q_OVERFLOW, _IN_IGNORED, _IN_ISDIR = 0x4000, 0x8000, 0x40000000
_IN_MASK = (_IN_ATTRIB | _IN_CLOSE_WRITE | _IN_MOVED_FROM | _IN_MOVED_TO | _IN_CREATE
            | _IN_DELETE | _IN_DELETE_SELF | _IN_MOVE_SELF)
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, length of the name that follows
BURST_QUIET = 0.2  # seconds without an event that end a burst of events


class FolderEvents:
    """inotify watches on folder trees: the paths changed in them, as soon as they change."""

    def __init__(self) -> None:
        self._libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1 failed")
        # Each watched root and what it ignores (replaced when the build's output moves).
        self.roots: dict[str, Callable[[str], bool] | None] = {}
        self._folders: dict[int, tuple[str, str]] = {}  # watch -> (its folder, its root)

    def watch_tree(self, root: str, top: str) -> list[str]:
        """Watch `top` (`root` or a folder under it) and the folders under it (what a scan
        would enter); the files found."""
        ignore = self.roots[root]
        files = []
        seen: set[tuple[int, int]] = set()  # folder symlinks are followed, each folder once
        stack = [top]
        while stack:
            folder = stack.pop()
            # Watched before it is listed: a file made in between is seen one way or the other.
            wd = self._libc.inotify_add_watch(self.fd, os.fsencode(folder), _IN_MASK)
            if wd < 0:
                error = ctypes.get_errno()
                if error == errno.ENOENT:  # gone already (its removal is an event)
                    continue
                # ENOSPC: out of watches (fs.inotify.max_user_watches)
                raise OSError(error, f"cannot watch {folder}: {os.strerror(error)}")
            self._folders[wd] = (folder, root)
            try:
                info = os.stat(folder)
                entries = list(os.scandir(folder))
            except OSError:  # vanished since it was listed
                continue
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            for entry in entries:
                if self._skipped(folder, entry.name, ignore):
                    continue
                try:
                    is_folder = entry.is_dir()
                except OSError:
                    continue
                (stack if is_folder else files).append(entry.path)
        return files

    @staticmethod
    def _skipped(folder: str, name: str, ignore: Callable[[str], bool] | None) -> bool:
        return name in IGNORED_DIRS or is_editor_temp(name) or \
            bool(ignore and ignore(os.path.join(folder, name)))

    def wait(self, timeout: float) -> None:
        """Until an event comes, or `timeout` seconds."""
        select.select([self.fd], [], [], timeout)

    def changes(self) -> list[str]:
        """The paths changed since the last call."""
        changed: list[str] = []
        while True:
            try:
                data = os.read(self.fd, 1 << 16)
            except BlockingIOError:
                return changed
            offset = 0
            while offset < len(data):
                wd, mask, _cookie, size = _EVENT.unpack_from(data, offset)
                name = os.fsdecode(data[offset + _EVENT.size:offset + _EVENT.size + size]
                                   .rstrip(b"\0"))
                offset += _EVENT.size + size
                if mask & _IN_Q_OVERFLOW:  # events were lost: say that something changed
                    changed += self.roots
                    continue
                if wd not in self._folders:
                    continue
                folder, root = self._folders[wd]
                ignore = self.roots[root]
                if mask & _IN_IGNORED:  # the folder is gone (its removal was reported)
                    del self._folders[wd]
                elif not name:  # the watched folder itself was deleted or moved
                    changed.append(folder)
                elif not self._skipped(folder, name, ignore):
                    path = os.path.join(folder, name)
                    if mask & _IN_ISDIR and mask & (_IN_CREATE | _IN_MOVED_TO):
                        try:
                            changed += self.watch_tree(root, path)  # its files, as a scan
                        except OSError:  # out of watches: later changes in it are missed
                            changed.append(path)
                    else:
                        changed.append(path)

    def close(self) -> None:
        os.close(self.fd)


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
        events: FolderEvents | None = None
        roots: set[str] | None = None  # the paths events or scans were set up for
        while not self._stop.is_set():
            started = time.monotonic()
            changed: list[str] = []
            tasks = self._tasks_now()
            if roots != set(tasks):
                if events is not None:
                    changed += events.changes()
                    events.close()
                events, roots = _folder_events(tasks), set(tasks)
            elif events is not None:  # the same paths, maybe another output folder to ignore
                events.roots = {root: tasks[root] for root in events.roots}
            if events is not None:
                changed += events.changes()
            for root, ignore in tasks.items():
                if events is not None and root in events.roots:
                    continue
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
            if events is None:
                self._stop.wait(max(self.min_interval, pause))
            else:  # an event ends the wait, but a burst only ends after a quiet moment
                events.wait(min(1.0, max(self.min_interval, pause, BURST_QUIET if pending
                                         else 0)))
        if events is not None:
            events.close()


def _folder_events(tasks: dict[str, Callable[[str], bool] | None]) -> FolderEvents | None:
    """inotify watches on the watched folders, or None (not Linux, or out of watches)."""
    folders = {root: ignore for root, ignore in tasks.items() if os.path.isdir(root)}
    if not folders:
        return None
    try:
        events = FolderEvents()
    except (OSError, AttributeError):  # no inotify in this C library
        return None
    try:
        for root, ignore in folders.items():
            events.roots[root] = ignore
            events.watch_tree(root, root)
    except OSError:
        events.close()
        return None
    return events
