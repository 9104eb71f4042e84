"""Doc ids: the numbers the search index knows cables by, derived from their dates.

A cable's doc id is the minute it was created, counted from EPOCH, or one more than the doc
id of the cable before it in the archive's order (oldest first, ties by reference ID, undated
cables last) when that is not smaller. So doc ids ascend in the archive's order, as the index
needs (delta-coded postings, ties ranked to the newer cable, newest first by doc id), and they
depend on the cables' dates, not on how many cables come before: adding or removing a cable
moves no other cable's doc id, except those within a run of cables pushed past their own
minute by it (a few at most). A clean build and one that patched the index for added cables
number every cable alike.

Doc ids are sparse (~3M minutes from 1966 to 2010 for 251k cables), yet the postings barely
grow: in the release's busy years cables came minutes apart, and a gap under 32 is one
character, as the gap of 1 between consecutive positions was.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable
from datetime import date

EPOCH = date(1960, 1, 1)
DOC_BITS = 28  # doc ids are below 2 ** DOC_BITS (minutes until the 2470s)


def doc_ids(created: Iterable[str | None]) -> array:
    """The doc ids of cables created at these times (ISO `2007-03-23T10:08Z` or a date;
    None: undated), given in the archive's order."""
    ids = array("q")
    days: dict[str, int] = {}
    previous = -1
    for value in created:
        minute = _minute(value, days)
        previous = minute if minute > previous else previous + 1
        ids.append(previous)
    _check(previous)
    return ids


def renumber(ids: array, created: Callable[[int], str | None], positions: Iterable[int]
             ) -> list[int]:
    """Give the cables at `positions` (whose dates may have changed; the archive's order has
    not) their doc ids in `ids`, and the cables after them that this pushes or frees; the
    positions whose doc id changed."""
    days: dict[str, int] = {}
    moved = []
    # A doc id depends on the cable's date and the doc id before it only: the cables after
    # a changed one move until one keeps its doc id.
    for position in sorted(positions):
        while position < len(ids):
            minute = _minute(created(position), days)
            previous = ids[position - 1] if position else -1
            doc = minute if minute > previous else previous + 1
            if doc == ids[position]:
                break
            ids[position] = doc
            moved.append(position)
            position += 1
    if ids:
        _check(ids[-1])
    return moved


def _minute(created: str | None, days: dict[str, int]) -> int:
    """The minute a cable was created, from EPOCH; -1 when undated (or before EPOCH).
    `days`: each day's first minute, for the next call (thousands of cables share a day)."""
    if not created:
        return -1
    day = created[:10]
    first = days.get(day)
    if first is None:
        try:
            first = (date.fromisoformat(day) - EPOCH).days * 1440
        except ValueError:
            first = -1
        days[day] = first
    if first < 0:
        return -1
    hours, minutes = created[11:13], created[14:16]
    return first + (int(hours) * 60 + int(minutes) if hours.isdigit() and minutes.isdigit()
                    else 0)


def _check(last: int) -> None:
    if last >= 1 << DOC_BITS:
        raise ValueError(f"a doc id is {last}, over the index's limit of {1 << DOC_BITS}")
