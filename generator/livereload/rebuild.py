"""Builds for `gen serve`: one at a time, while the server keeps answering (with the last good
site) from a thread of its own."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Attempt:
    """What one build did. `error` is None when it succeeded; `site_dir` and `root` come from
    the configuration the build used (None when it could not be read)."""
    error: str | None
    summary: str = ""
    site_dir: Path | None = None
    root: str = "/"
    watched: tuple[Path, ...] = ()  # what the configuration makes the build read


@dataclass(frozen=True)
class SiteState:
    """What the server shows: the last good site and, while the latest build failed, its
    error. Replaced as a whole (never mutated), so request handlers read it without locks."""
    site_dir: Path | None = None
    root: str = "/"
    error: str | None = None
    building: bool = True  # no build has finished yet


class Rebuilder:
    """Runs `build` whenever changes are requested, one build at a time.

    Changes requested while a build runs are merged, and start exactly one follow-up build
    once it ends, however many arrive. `build(changes)` runs a build; `on_done(attempt,
    changes)` is called after each build (in the building thread) with the changes it covered;
    `idle(wanted)`, if given, once no change has come for `idle_after` seconds after a build,
    for work that can wait (saving the build cache); `wanted()` says whether a build is wanted
    meanwhile, and so whether to give the work up.
    """

    def __init__(self, build: Callable[[list[str]], Attempt],
                 on_done: Callable[[Attempt, list[str]], None], *,
                 idle: Callable[[Callable[[], bool]], None] | None = None,
                 idle_after: float = 5.0) -> None:
        self.build = build
        self.on_done = on_done
        self.idle = idle
        self.idle_after = idle_after
        self.builds = 0
        self._idle_at: float | None = None  # when to call idle(), if it is due
        self._pending: set[str] = set()
        self._requested = False
        self._stopping = False
        self._condition = threading.Condition()
        self._thread = threading.Thread(target=self.run, name="gen-serve-build", daemon=True)

    def start(self) -> None:
        """Build in a thread of its own (see run())."""
        self._thread.start()

    def request(self, changes: Iterable[str]) -> None:
        with self._condition:
            self._pending.update(changes)
            self._requested = True
            self._condition.notify()

    def _wanted(self) -> bool:
        return self._requested or self._stopping

    def stop(self, timeout: float | None = None) -> None:
        """Build no more; wait up to `timeout` seconds for a build in its thread to end."""
        with self._condition:
            self._stopping = True
            self._condition.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def run(self) -> None:
        """Build whenever asked, in the calling thread, until stop()."""
        while True:
            with self._condition:
                while not (self._requested or self._stopping):
                    if self._idle_at is None:
                        self._condition.wait()
                    elif self._idle_at > time.monotonic():
                        self._condition.wait(self._idle_at - time.monotonic())
                    else:
                        break
                if self._stopping:
                    return
                idle = not self._requested
                changes, self._pending, self._requested = sorted(self._pending), set(), False
            if idle:
                self._idle_at = None
                assert self.idle is not None
                self.idle(self._wanted)
                continue
            attempt = self.build(changes)
            self.builds += 1
            self.on_done(attempt, changes)
            if self.idle is not None:
                self._idle_at = time.monotonic() + self.idle_after
