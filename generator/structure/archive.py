"""The archive: every cable entry indexed by tag, post, date and classification, with the
REF / cited-by links resolved in both directions. Built once, between reading and rendering."""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from generator.model.glossary import country_name
from generator.structure.pages import CableEntry

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

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, reference_id: str) -> CableEntry | None:
        index = self.position.get(reference_id)
        return self.entries[index] if index is not None else None

    def neighbours(self, index: int) -> tuple[CableEntry | None, CableEntry | None]:
        """The previous and next cable from the same post, by date."""
        origin = self.entries[index].origin
        if origin is None:
            return None, None
        members = self.by_post[origin]
        rank = self.post_rank[index]
        previous = self.entries[members[rank - 1]] if rank > 0 else None
        following = self.entries[members[rank + 1]] if rank + 1 < len(members) else None
        return previous, following

    def post_country(self, origin: str) -> str:
        """The country a post is in: the country tag most of its cables carry."""
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
