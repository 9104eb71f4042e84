"""Where a list's pages end: content-defined pages, so that a cable added changes the pages
around it, not every page after it.

With numbered pages of a fixed size, one cable added to a list of 30,000 shifts every older
page of it by one (and an archive that grows by 100 cables of random dates re-renders most
list pages of the site). Here a page ends at a *marked* cable (its reference ID hashes to 0
modulo about half a page size) once the page holds at least half a page, or at twice the page
size; so where pages end depends on the cables around each end, not on their count from the
top. A page is named by its oldest cable (see SiteContext.list_path), so its URL too stays
while that cable is in the list. Pages average about `size` cables; a list of at most `size`
cables is one page.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence


def _spacing(size: int) -> int:
    """One cable in `_spacing(size)` is marked (on average)."""
    return max(1, size // 2)


def page_marks(reference_ids: Iterable[str], size: int) -> bytearray:
    """1 for each marked cable (by position), 0 for the others. crc32: stable across runs
    and machines, unlike hash(), and ~0.1 µs a cable."""
    spacing = _spacing(size)
    return bytearray(zlib.crc32(ref.encode()) % spacing == 0 for ref in reference_ids)


def page_ends(members: Sequence[int], marks: bytearray, size: int) -> list[int]:
    """The end of each page of a list, counted from its newest cable (exclusive, ascending;
    the last is len(members)). `members`: positions of the list's cables, oldest first."""
    count = len(members)
    if count <= size:
        return [count]
    # A page's length is least - 1 plus the distance to the next mark: size on average.
    least, most = size + 1 - _spacing(size), 2 * size
    ends: list[int] = []
    start = 0
    marked = [rank for rank, index in enumerate(reversed(members)) if marks[index]]
    for rank in marked:
        while rank + 1 - start > most:
            start += most
            ends.append(start)
        if rank + 1 - start >= least:
            start = rank + 1
            ends.append(start)
    while count - start > most:
        start += most
        ends.append(start)
    if start < count:
        ends.append(count)
    return ends
