"""Progress lines: counts, rate, and with a known total the time left."""

from __future__ import annotations

import io
import re

from generator.progress import Progress


def test_lines_show_total_and_time_left_when_the_total_is_known() -> None:
    stream = io.StringIO()  # not a terminal: a line every `every` items
    bar = Progress("cable pages", stream=stream, every=2, total=6)
    for _ in range(6):
        bar.advance()
    bar.finish()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3
    assert re.fullmatch(r"cable pages: 2/6 \([\d,]+/s, \d+s, \d+s left\)", lines[0]), lines
    assert lines[-1].startswith("cable pages: 6/6 (") and lines[-1].endswith(", 0s left)")


def test_without_a_total_and_when_quiet() -> None:
    stream = io.StringIO()
    bar = Progress("reading", stream=stream, every=1)
    bar.advance()
    assert re.fullmatch(r"reading: 1 \([\d,]+/s, \d+s\)\n", stream.getvalue())
    quiet = io.StringIO()
    Progress("reading", stream=quiet, quiet=True, every=1, total=3).advance(3)
    assert quiet.getvalue() == ""
