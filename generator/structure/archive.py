"""The archive: every cable entry indexed by tag, post, date and classification, with the
REF / cited-by links resolved in both directions. Built once, between reading and rendering."""

from __future__ import annotations

import bisect
import calendar
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from generator.model.glossary import country_name
from generator.structure.pages import CableEntry, entry_reference_id
from generator.structure.paging import page_marks

UNDATED = "undated"


@dataclass
class Archive:
    entries: list[CableEntry]  # oldest first
    position: dict[str, int] = field(default_factory=dict)  # reference ID -> index
    by_tag: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    tag_info: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # kind, name
    by_post: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_classification: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_year: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    by_month: dict[tuple[str, str], list[int]] = field(default_factory=lambda: defaultdict(list))
    cited_by: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    post_rank: list[int] = field(default_factory=list)  # index within its post's list
    # post -> post_country(post), as far as asked: it reads every cable of the post.
    countries: dict[str, str] = field(default_factory=dict)
    # page size -> paging.page_marks of the entries, as far as asked (page_marks)
    marks: dict[int, bytearray] = field(default_factory=dict)
    # The build cache's file holding these very indexes (INDEXES), if one does (see cache.py).
    stored: str | None = None

    def __len__(self) -> int:
        return len(self.entries)

    def lists(self, kind: str) -> dict[Any, list[int]]:
        """The index of a kind of list (LIST_KINDS): key -> entry positions, oldest first."""
        return getattr(self, LIST_KINDS[kind])

    def indexes(self) -> dict[str, Any]:
        """What the archive holds besides its entries and countries (see from_indexes)."""
        return {name: getattr(self, name) for name in INDEXES}

    @classmethod
    def from_indexes(cls, entries: list[CableEntry], indexes: dict[str, Any]) -> Archive:
        """The archive whose indexes() these are, given its entries in its order."""
        position = dict(zip(map(entry_reference_id, entries), range(len(entries)), strict=True))
        archive = cls(entries, position)
        for name in INDEXES:
            setattr(archive, name, indexes[name])
        return archive

    def page_marks(self, size: int) -> bytearray:
        """paging.page_marks of the entries for lists paged by `size`. Kept with the indexes
        (0.13 s at 251k cables, for each build that pages a list): new ones make the archive
        saved again."""
        if size not in self.marks:
            self.marks[size] = page_marks(map(entry_reference_id, self.entries), size)
            self.stored = None
        return self.marks[size]

    def find(self, reference_id: str) -> CableEntry | None:
        index = self.position.get(reference_id)
        return self.entries[index] if index is not None else None

    def neighbours(self, index: int) -> tuple[CableEntry | None, CableEntry | None]:
        """The previous and next cable from the same post, by date."""
        previous, following = self.neighbour_positions(index)
        return (self.entries[previous] if previous is not None else None,
                self.entries[following] if following is not None else None)

    def neighbour_positions(self, index: int) -> tuple[int | None, int | None]:
        """The positions of neighbours()."""
        origin = self.entries[index].origin
        if origin is None:
            return None, None
        members = self.by_post[origin]
        rank = self.post_rank[index]
        return (members[rank - 1] if rank > 0 else None,
                members[rank + 1] if rank + 1 < len(members) else None)

    def post_country(self, origin: str) -> str:
        """The country a post is in: the country tag most of its cables carry."""
        if origin not in self.countries:
            self.countries[origin] = self._country(origin)
        return self.countries[origin]

    def _country(self, origin: str) -> str:
        counts: Counter[str] = Counter()
        for index in self.by_post[origin]:
            for code, kind, name in self.entries[index].tag_details:
                label = (name or country_name(code)) if kind == "country" else None
                if label:
                    counts[label] += 1
        if not counts:
            return "Other"
        name, count = counts.most_common(1)[0]
        return name if count * 3 >= len(self.by_post[origin]) else "Other"


# Each kind of list page and the index of its members.
LIST_KINDS = {"tag": "by_tag", "post": "by_post", "classification": "by_classification",
              "year": "by_year", "month": "by_month"}

# The archive's indexes, as the build cache keeps them.
INDEXES = ("by_tag", "tag_info", "by_post", "by_classification", "by_year", "by_month",
           "cited_by", "post_rank", "marks")


def _sort_key(entry: CableEntry) -> tuple[str, str]:
    return (entry.created or "9999", entry.reference_id)


def month_label(year: str, month: str) -> str:
    if month.isdigit() and 1 <= int(month) <= 12:
        return f"{calendar.month_name[int(month)]} {year}"
    return f"{year}-{month}"


def build_archive(entries: list[CableEntry]) -> Archive:
    """Index the entries. Entries must have unique reference IDs (the caller checks)."""
    entries = sorted(entries, key=_sort_key)
    archive = Archive(entries=entries)
    for index, entry in enumerate(entries):
        archive.position[entry.reference_id] = index
        for code, kind, name in entry.tag_details:
            archive.by_tag[code].append(index)
            known = archive.tag_info.get(code)
            if known is None or (known[1] is None and name):
                archive.tag_info[code] = (kind, name)
        if entry.origin:
            archive.by_post[entry.origin].append(index)
        if entry.classification:
            archive.by_classification[entry.classification].append(index)
        year = entry.created[:4] if entry.created else UNDATED
        archive.by_year[year].append(index)
        if entry.created:
            archive.by_month[(year, entry.created[5:7])].append(index)
    archive.post_rank = [0] * len(entries)
    for members in archive.by_post.values():
        for rank, index in enumerate(members):
            archive.post_rank[index] = rank
    for index, entry in enumerate(entries):
        for cited in dict.fromkeys(entry.cites):
            target = archive.position.get(cited)
            if target is not None and target != index:
                archive.cited_by[target].append(index)
    return archive


@dataclass
class ArchiveChange:
    """What editing some cables in place (or adding cables) changed: the positions of the
    cables whose pages may show something new (the edited or added ones, those they cite and
    that cite them, their neighbours in their posts), the lists (kind, key) they were or are
    in, and of those the ones `reshaped`: that gained or lost members, or their title. The
    pages of the others change only where they show an `edited` cable."""
    cables: set[int]
    lists: set[tuple[str, object]]
    edited: set[int]
    reshaped: set[tuple[str, object]]


def _lists_of(entry: CableEntry) -> set[tuple[str, object]]:
    lists: set[tuple[str, object]] = {("tag", code) for code in entry.tags}
    if entry.origin:
        lists.add(("post", entry.origin))
    if entry.classification:
        lists.add(("classification", entry.classification))
    return lists


def _dated_lists(entry: CableEntry) -> set[tuple[str, object]]:
    year = entry.created[:4] if entry.created else UNDATED
    return {("year", year)} | ({("month", (year, entry.created[5:7]))} if entry.created
                                else set())


def update_archive(archive: Archive, edited: list[CableEntry]) -> ArchiveChange | None:
    """Put edited entries in place of the archive's entries with their reference IDs, when
    each keeps its place (same reference ID and date) and every tag, post and classification
    keeps at least one cable and gains no new one: then the archive becomes what
    build_archive would make (for far less work at 251k cables) and the change is returned.
    Otherwise None, and the archive is untouched."""
    positions = []
    for entry in edited:
        index = archive.position.get(entry.reference_id)
        if index is None or archive.entries[index].created != entry.created:
            return None
        positions.append(index)
    olds = [archive.entries[index] for index in positions]
    # A cable listed twice under one tag (a repeated code) is left to build_archive.
    if any(len(set(entry.tags)) != len(entry.tags) for entry in chain(olds, edited)):
        return None
    # Lists may change members, but none may appear or disappear (their URLs would change).
    lists = [(_lists_of(old), _lists_of(entry)) for old, entry in zip(olds, edited, strict=True)]
    sizes: Counter[tuple[str, object]] = Counter()
    for old_lists, new_lists in lists:
        sizes.update(dict.fromkeys(new_lists - old_lists, 1))
        sizes.subtract(dict.fromkeys(old_lists - new_lists, 1))
    for (kind, key), delta in sizes.items():
        members = archive.lists(kind).get(key)
        if members is None or len(members) + delta <= 0:
            return None

    change = ArchiveChange(set(positions), set(), set(positions), set())
    for index in positions:  # before anything moves: the cables beside and citing them
        change.cables.update(_beside(archive, index))
        change.cables.update(archive.cited_by.get(index, ()))
    for index, old, entry, (old_lists, new_lists) in zip(positions, olds, edited, lists,
                                                         strict=True):
        change.lists |= old_lists | new_lists | _dated_lists(entry)
        change.reshaped |= old_lists ^ new_lists
        for kind, key in old_lists - new_lists:
            archive.lists(kind)[key].remove(index)
        for kind, key in new_lists - old_lists:
            bisect.insort(archive.lists(kind)[key], index)
        _replace_citations(archive, index, old.cites, entry.cites, change.cables)
        archive.entries[index] = entry
    for kind, key in change.lists:
        if kind == "tag":
            info = _tag_info(archive, key)  # type: ignore[arg-type]
            if archive.tag_info[key] != info:  # type: ignore[index]
                archive.tag_info[key] = info  # type: ignore[index]
                change.reshaped.add((kind, key))
        elif kind == "post":
            for rank, index in enumerate(archive.by_post[key]):  # type: ignore[index]
                archive.post_rank[index] = rank
            archive.countries.pop(key, None)  # type: ignore[call-overload]
    for index in positions:  # their neighbours now
        change.cables.update(_beside(archive, index))
    if change.reshaped or any(old.cites != entry.cites
                              for old, entry in zip(olds, edited, strict=True)):
        archive.stored = None  # (a subject or body edit leaves the indexes as they were)
    return change


def cables_added(last: Archive, archive: Archive, added: list[CableEntry]
                 ) -> ArchiveChange | None:
    """What adding the `added` cables to the `last` archive changed, `archive` being built
    anew with them (positions move; the other cables' pages do not, as they show no
    positions): the pages of the added cables, of their neighbours in their posts, of the
    cables they cite and that cite them, and their lists, all reshaped. None when a list
    appears (a new tag, post, classification, year or month): as for update_archive."""
    if any(entry.reference_id in last.position for entry in added) or any(
            archive.lists(kind).keys() != last.lists(kind).keys() for kind in LIST_KINDS):
        return None
    positions = [archive.position[entry.reference_id] for entry in added]
    change = ArchiveChange(set(positions), set(), set(positions), set())
    for index in positions:
        entry = archive.entries[index]
        change.cables.update(_beside(archive, index))
        change.cables.update(archive.cited_by.get(index, ()))
        change.cables.update(position for cited in entry.cites
                             if (position := archive.position.get(cited)) is not None)
        its_lists = _lists_of(entry) | _dated_lists(entry)
        change.lists |= its_lists
        change.reshaped |= its_lists
    return change


def _beside(archive: Archive, index: int) -> list[int]:
    return [position for position in archive.neighbour_positions(index) if position is not None]


def _replace_citations(archive: Archive, index: int, old: tuple[str, ...],
                       new: tuple[str, ...], touched: set[int]) -> None:
    """Move `index` from the cited-by lists of the cables it cited to those it cites now;
    the cables on either side are added to `touched`."""
    for cites, add in ((old, False), (new, True)):
        for cited in dict.fromkeys(cites):
            target = archive.position.get(cited)
            if target is None or target == index:
                continue
            touched.add(target)
            if add:
                bisect.insort(archive.cited_by[target], index)
            else:
                archive.cited_by[target].remove(index)
                if not archive.cited_by[target]:
                    del archive.cited_by[target]


def _tag_info(archive: Archive, code: str) -> tuple[str, str | None]:
    """A tag's kind and name as build_archive finds them: those of the first cable that
    names it, or else its first cable's kind."""
    first: tuple[str, str | None] | None = None
    for index in archive.by_tag[code]:
        for tag_code, kind, name in archive.entries[index].tag_details:
            if tag_code == code:
                if name:
                    return kind, name
                first = first or (kind, name)
    assert first is not None
    return first
