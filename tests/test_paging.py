"""Content-defined list pages (generator/structure/paging.py)."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from generator.structure.paging import page_ends, page_marks

ROOT = Path(__file__).resolve().parent.parent
POSTS = ("BAGHDAD", "PARIS", "STATE", "ANKARA", "TASHKENT", "USUNNEWYORK", "KABUL")


def reference_ids(count: int, seed: int) -> list[str]:
    """Distinct IDs shaped like Cablegate's (`07PARIS186`)."""
    rng = random.Random(seed)
    ids: dict[str, None] = {}
    while len(ids) < count:
        ids[f"{rng.randint(66, 110) % 100:02d}{rng.choice(POSTS)}{rng.randint(1, 9999)}"] = None
    return list(ids)


def pages_of(members: list[int], marks: bytearray, size: int) -> list[tuple[int, ...]]:
    """The members of each page, newest first."""
    newest_first = members[::-1]
    ends = page_ends(members, marks, size)
    return [tuple(newest_first[start:end]) for start, end in zip([0, *ends], ends, strict=False)]


@given(st.integers(0, 700), st.integers(1, 120), st.integers(0, 2**16))
def test_pages_hold_the_list_in_order_and_about_a_page_each(count: int, size: int,
                                                            seed: int) -> None:
    marks = page_marks(reference_ids(count + 50, seed), size)
    members = sorted(random.Random(seed).sample(range(count + 50), count))
    pages = pages_of(members, marks, size)
    assert [m for page in pages for m in page] == members[::-1]
    if count <= size:
        assert len(pages) == 1
        return
    assert all(len(page) <= 2 * size for page in pages)
    assert all(len(page) > size // 2 for page in pages[:-1])
    # A page shorter than two pages ends at a marked cable (or the list's end).
    assert all(marks[page[-1]] for page in pages[:-1] if len(page) < 2 * size)


def test_pages_average_a_page_size() -> None:
    ids = reference_ids(60_000, 1)
    marks = page_marks(ids, 100)
    assert 0.015 < sum(marks) / len(marks) < 0.025  # one in 50
    sizes = [len(page) for page in pages_of(list(range(len(ids))), marks, 100)]
    assert 90 < statistics.mean(sizes[:-1]) < 105, statistics.mean(sizes)


def test_a_cable_added_or_removed_changes_the_pages_around_it() -> None:
    """Numbered pages would change every page older than the cable; here one or two."""
    ids = reference_ids(32_000, 2)
    marks = page_marks(ids, 100)
    rng = random.Random(3)
    members = sorted(rng.sample(range(30_000), 20_000))
    before = set(pages_of(members, marks, 100))
    changed = []
    for extra in range(30_000, 32_000):  # each added at a random place (and removed again)
        at = rng.randrange(len(members) + 1)
        after = set(pages_of([*members[:at], extra, *members[at:]], marks, 100))
        changed.append(len(after - before))
        removed = members[:at] + members[at + 1:]
        changed.append(len(set(pages_of(removed, marks, 100)) - before))
    assert statistics.mean(changed) < 1.5, statistics.mean(changed)
    assert max(changed) <= 6, max(changed)


def test_marks_are_the_same_in_every_process() -> None:
    """Not hash(), which differs between processes (PYTHONHASHSEED): pages must not move
    between builds."""
    code = ("import sys; from generator.structure.paging import page_marks; "
            "sys.stdout.write(page_marks(sys.stdin.read().split(), 10).hex())")
    ids = " ".join(reference_ids(2_000, 4))
    runs = {subprocess.run([sys.executable, "-c", code], input=ids, text=True, check=True,
                           capture_output=True, cwd=ROOT,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")}
    assert runs == {page_marks(ids.split(), 10).hex()}
