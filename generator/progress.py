"""Progress lines for long runs: a live line on a terminal, a line now and then elsewhere.
With a known total, the line also shows it and the time left at the current rate."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, label: str, quiet: bool = False, stream: TextIO | None = None,
                 every: int = 10_000, total: int | None = None) -> None:
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = not quiet and self.stream.isatty()
        self.every = every
        self.count = 0
        self.started = time.monotonic()
        self._last_draw = 0.0

    def advance(self, amount: int = 1) -> None:
        self.count += amount
        if self.quiet or not amount:
            return
        now = time.monotonic()
        if self.live and now - self._last_draw >= 0.2:
            self._last_draw = now
            self.stream.write(f"\r{self._line(now)}\x1b[K")
            self.stream.flush()
        elif not self.live and self.count % self.every == 0:
            self.stream.write(self._line(now) + "\n")

    def message(self, text: str) -> None:
        """Print a line (an error, a warning) without garbling the live progress line."""
        if self.live:
            self.stream.write("\r\x1b[K")
        self.stream.write(text + "\n")
        self.stream.flush()

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.count / elapsed if elapsed > 0 else 0.0

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def finish(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def _line(self, now: float) -> str:
        elapsed = now - self.started
        rate = self.count / elapsed if elapsed > 0 else 0.0
        if not self.total:
            return f"{self.label}: {self.count:,} ({rate:,.0f}/s, {elapsed:,.0f}s)"
        left = (self.total - self.count) / rate if rate > 0 else None
        return (f"{self.label}: {self.count:,}/{self.total:,} ({rate:,.0f}/s, {elapsed:,.0f}s"
                + (f", {_duration(left)} left)" if left is not None else ")"))


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"
