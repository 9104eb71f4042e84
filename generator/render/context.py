"""Template contexts: what each page's template gets (see themes/README.md for the contract).

Every function here costs in proportion to what its page shows, never to the archive's size,
except the index pages (all tags, all posts), which exist once per site.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.config import SiteConfig
from generator.structure.archive import UNDATED, Archive, month_label
from generator.structure.pages import CableEntry, entry_digest
from generator.structure.paging import page_ends
from generator.structure.urls import Urls

# The gen.yaml `pages:` switch that turns each kind of list page on or off.
PAGE_SWITCH = {"tag": "tags", "post": "posts", "classification": "classifications",
               "year": "dates", "month": "dates"}


@dataclass
class SiteContext:
    """Everything the renderers share: configuration, URLs and the archive."""

    config: SiteConfig
    urls: Urls
    archive: Archive
    _histograms: dict = field(default_factory=dict)
    _list_hrefs: dict = field(default_factory=dict)  # (kind, key) -> href of its first page
    _year_of: list[str] = field(default_factory=list)  # entry position -> its year
    _page_ends: dict = field(default_factory=dict)  # (kind, key) -> page_ends(...)

    def href(self, path: str) -> str:
        return self.urls.href(path)

    def enabled(self, kind: str) -> bool:
        return self.config.pages[kind]

    # -- single links -------------------------------------------------------------------

    def cable_path(self, entry: CableEntry) -> str:
        return self.urls.cable(entry.reference_id, entry.created)

    def entry_view(self, entry: CableEntry) -> dict[str, Any]:
        return dict(EntryView(self, entry))

    def list_path(self, kind: str, key: Any, page: int = 1) -> str | None:
        """URL path of a list page (1: the newest), or None when that kind of page is
        switched off. A further page is named by its oldest cable: `tag/PHUM/page/<ID>/`."""
        if not self.enabled(PAGE_SWITCH[kind]):
            return None
        if kind == "tag":
            path = self.urls.tag(key)
        elif kind == "post":
            path = self.urls.post(key)
        elif kind == "classification":
            path = self.urls.classification(key)
        elif kind == "year":
            path = self.urls.year(key)
        else:
            path = self.urls.month(key[0], key[1])
        if page == 1:
            return path
        return self.urls.paged(path, self._oldest_on(kind, key, page).reference_id)

    def list_href(self, kind: str, key: Any, page: int = 1) -> str | None:
        if page != 1:
            return self._list_page_href(kind, key, page)
        # A list's first page is linked from every page of its cables: computed once.
        if (kind, key) not in self._list_hrefs:
            self._list_hrefs[kind, key] = self._list_page_href(kind, key, 1)
        return self._list_hrefs[kind, key]

    def _list_page_href(self, kind: str, key: Any, page: int) -> str | None:
        path = self.list_path(kind, key, page)
        return self.href(path) if path is not None else None

    def feed_href(self, kind: str, key: Any) -> str | None:
        if not self.enabled("feeds") or kind not in ("tag", "post"):
            return None
        path = self.list_path(kind, key)
        return self.href(self.urls.feed(path)) if path is not None else None

    def index(self, kind: str) -> dict[Any, list[int]]:
        """The archive's index for a kind of list: key -> entry positions, oldest first."""
        return self.archive.lists(kind)

    def members(self, kind: str, key: Any) -> list[int]:
        return self.index(kind)[key]

    # -- pages --------------------------------------------------------------------------

    def cable_context(self, index: int, matter: dict, body_html: str,
                      original: str | None) -> dict[str, Any]:
        archive = self.archive
        entry = archive.entries[index]
        cable = dict(matter)
        cable.update(
            url=self.href(self.cable_path(entry)),
            date=entry.date,
            body_html=body_html,
            original=original,
            tag_links=[
                {"code": code, "kind": kind, "name": name,
                 "url": self.list_href("tag", code)}
                for code, kind, name in entry.tag_details
            ],
            # No counts of other cables here: a new cable from the post would change every
            # page of the post, and an incremental build would re-render them all.
            post=({"name": entry.origin, "url": self.list_href("post", entry.origin)}
                  if entry.origin else None),
            classification_link=(
                {"name": entry.classification,
                 "url": self.list_href("classification", entry.classification)}
                if entry.classification else None),
            month=({"label": month_label(entry.created[:4], entry.created[5:7]),
                    "url": self.list_href("month", (entry.created[:4], entry.created[5:7]))}
                   if entry.created else None),
            year=({"label": entry.created[:4], "url": self.list_href("year", entry.created[:4])}
                  if entry.created else None),
            reference_links=self._reference_links(matter),
            cited_by=[self.entry_view(archive.entries[i]) for i in archive.cited_by.get(index, [])],
        )
        previous, following = archive.neighbours(index)
        cable["previous"] = self.entry_view(previous) if previous else None
        cable["next"] = self.entry_view(following) if following else None
        return {"cable": cable}

    def cable_dependencies(self, index: int) -> tuple:
        """What a cable page shows besides its own file: links, and the cables it cites,
        that cite it and that come before and after it. With the file's digest, the
        key of the page: when none of it changes, the page need not be rendered again."""
        archive = self.archive
        entry = archive.entries[index]
        previous, following = archive.neighbours(index)
        created = entry.created
        return (
            self.cable_path(entry),
            [self.list_href("tag", code) for code, _kind, _name in entry.tag_details],
            self.list_href("post", entry.origin) if entry.origin else None,
            self.list_href("classification", entry.classification)
            if entry.classification else None,
            self.list_href("month", (created[:4], created[5:7])) if created else None,
            self.list_href("year", created[:4]) if created else None,
            # Other cables by the digests of their files, which their links and views are
            # made of (with the config): far cheaper than the views themselves.
            [(cited, target.digest if (target := archive.find(cited)) else None)
             for cited in entry.cites],
            [archive.entries[i].digest for i in archive.cited_by.get(index, [])],
            previous.digest if previous else None,
            following.digest if following else None,
        )

    def _reference_links(self, matter: dict) -> list[dict[str, Any]]:
        links = []
        for reference in matter.get("references") or []:
            if not isinstance(reference, dict):
                continue
            cited = reference.get("reference_id")
            target = self.archive.find(cited) if isinstance(cited, str) else None
            links.append({
                "letter": reference.get("letter"),
                "text": reference.get("text"),
                "reference_id": cited,
                "url": self.href(self.cable_path(target)) if target else None,
                "subject": target.subject if target else None,
                "in_archive": target is not None,
            })
        return links

    def page_ends(self, kind: str, key: Any) -> list[int]:
        """Where each page of a list ends (paging.py), computed once per list and build."""
        ends = self._page_ends.get((kind, key))
        if ends is None:
            size = self.config.page_size
            ends = page_ends(self.members(kind, key), self.archive.page_marks(size), size)
            self._page_ends[kind, key] = ends
        return ends

    def page_count(self, kind: str, key: Any) -> int:
        return len(self.page_ends(kind, key))

    def page_showing(self, kind: str, key: Any, index: int) -> int | None:
        """The page of a list that shows the cable at `index`; None if it is not a member."""
        members = self.members(kind, key)
        position = bisect.bisect_left(members, index)
        if position == len(members) or members[position] != index:
            return None
        rank = len(members) - 1 - position  # newest first
        return bisect.bisect_right(self.page_ends(kind, key), rank) + 1

    def _page_span(self, kind: str, key: Any, page: int) -> tuple[int, int]:
        """The ranks (from the newest, end exclusive) of a page's cables."""
        ends = self.page_ends(kind, key)
        return (ends[page - 2] if page > 1 else 0), ends[page - 1]

    def _oldest_on(self, kind: str, key: Any, page: int) -> CableEntry:
        members = self.members(kind, key)
        return self.archive.entries[members[len(members) - self._page_span(kind, key, page)[1]]]

    def list_context(self, kind: str, key: Any, page: int) -> dict[str, Any]:
        listing, pagination, chosen = self._list_frame(kind, key, page)
        # Views that work out a field when it is read: rows made by memo() read one.
        listing["entries"] = [EntryView(self, self.archive.entries[i]) for i in chosen]
        return {"listing": listing, "pagination": pagination}

    def list_dependencies(self, kind: str, key: Any, page: int) -> tuple:
        """What a list page shows, with its cables as the digests of their files (which
        their views are made of, with the config): the key of the page, for far less work
        than its context."""
        listing, pagination, chosen = self._list_frame(kind, key, page)
        chosen_entries = map(self.archive.entries.__getitem__, chosen)
        return listing, pagination, b"".join(map(entry_digest, chosen_entries))

    def _list_frame(self, kind: str, key: Any, page: int) -> tuple[dict, dict, list[int]]:
        """A list page's listing without its entries, its pagination, and the positions of
        the cables it shows. Only the first page shows the list's count and histogram: a
        cable added to the list then changes the pages around it, not every page."""
        members = self.members(kind, key)
        start, stop = self._page_span(kind, key, page)
        chosen = members[len(members) - stop:len(members) - start][::-1]  # newest first
        first = page == 1
        title, name, description = self.list_title(kind, key)
        listing = {
            "kind": kind, "title": title, "name": name, "description": description,
            "count": len(members) if first else None,
            "histogram": self._histogram(kind, key) if first else [],
            "feed_url": self.feed_href(kind, key),
        }
        entries = self.archive.entries
        pages = self.page_count(kind, key)
        shown = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
        pagination = {
            "first": first, "paged": pages > 1,
            "newest": entries[chosen[0]].date if chosen else None,
            "oldest": entries[chosen[-1]].date if chosen else None,
            "previous_url": self.list_href(kind, key, page - 1) if page > 1 else None,
            "next_url": self.list_href(kind, key, page + 1) if page < pages else None,
            "page_urls": [{
                "label": None if number == 1 else self._oldest_on(kind, key, number).date,
                "url": self.list_href(kind, key, number), "current": number == page,
                "gap_before": number > 1 and number - 1 not in shown,
            } for number in shown],
        }
        return listing, pagination, chosen

    def _histogram(self, kind: str, key: Any) -> list[dict[str, Any]]:
        """Cables per year of a list; computed once per list, not once per page."""
        if kind in ("year", "month"):
            return []
        cached = self._histograms.get((kind, key))
        if cached is None:
            # Counted in C from each cable's year: every rebuild computes every list's
            # histogram, for the keys of its pages.
            per_year = Counter(map(self._years().__getitem__, self.members(kind, key)))
            cached = [{"year": year, "count": count,
                       "url": self.list_href("year", year) if year != UNDATED else None}
                      for year, count in sorted(per_year.items())]
            self._histograms = {(kind, key): cached}  # lists are rendered one after another
        return cached

    def _years(self) -> list[str]:
        """Each cable's year (or UNDATED), by position in the archive."""
        if not self._year_of:
            self._year_of = [""] * len(self.archive)
            for year, members in self.archive.by_year.items():
                for index in members:
                    self._year_of[index] = year
        return self._year_of

    def list_title(self, kind: str, key: Any) -> tuple[str, str, str | None]:
        if kind == "tag":
            tag_kind, tag_name = self.archive.tag_info[key]
            return (f"{key} — {tag_name}" if tag_name else key), key, tag_kind
        if kind == "month":
            label = month_label(*key)
            return label, label, None
        if kind == "year":
            return (key if key != UNDATED else "Undated"), key, None
        return key, key, None

    def tag_groups(self) -> list[dict[str, Any]]:
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for code in sorted(self.archive.by_tag):
            kind, name = self.archive.tag_info[code]
            by_kind.setdefault(kind, []).append({
                "name": code, "title": name, "count": len(self.archive.by_tag[code]),
                "url": self.list_href("tag", code)})
        order = ["subject", "program", "country", "organization", "person", "unknown"]
        return [{"label": kind, "items": by_kind[kind]}
                for kind in sorted(by_kind, key=lambda k: (order.index(k) if k in order
                                                           else len(order), k))]

    def post_groups(self) -> list[dict[str, Any]]:
        by_country: dict[str, list[dict[str, Any]]] = {}
        for origin in sorted(self.archive.by_post):
            by_country.setdefault(self.archive.post_country(origin), []).append({
                "name": origin, "title": None, "count": len(self.archive.by_post[origin]),
                "url": self.list_href("post", origin)})
        return [{"label": country, "items": by_country[country]}
                for country in sorted(by_country, key=lambda c: (c == "Other", c))]

    def years(self) -> list[dict[str, Any]]:
        result = []
        # Newest first, undated cables last.
        years = sorted(self.archive.by_year, key=lambda y: (y != UNDATED, y), reverse=True)
        for year in years:
            months = [
                {"label": month_label(year, month), "url": self.list_href("month", (year, month)),
                 "count": len(self.archive.by_month[(year, month)])}
                for (month_year, month) in sorted(self.archive.by_month, reverse=True)
                if month_year == year
            ]
            result.append({"label": year if year != UNDATED else "Undated",
                           "url": self.list_href("year", year),
                           "count": len(self.archive.by_year[year]), "months": months})
        return result

    def classifications(self) -> list[dict[str, Any]]:
        return [{"name": name, "url": self.list_href("classification", name),
                 "count": len(self.archive.by_classification[name])}
                for name in sorted(self.archive.by_classification,
                                   key=lambda n: (-len(self.archive.by_classification[n]), n))]

    def top(self, kind: str, limit: int = 20) -> list[dict[str, Any]]:
        index = self.archive.by_tag if kind == "tag" else self.archive.by_post
        keys = sorted(index, key=lambda k: (-len(index[k]), k))[:limit]
        return [{"name": key,
                 "title": self.archive.tag_info[key][1] if kind == "tag" else None,
                 "count": len(index[key]), "url": self.list_href(kind, key)} for key in keys]

    def latest(self, limit: int = 20) -> list[dict[str, Any]]:
        dated = [e for e in reversed(self.archive.entries[-limit * 2:]) if e.created]
        return [self.entry_view(entry) for entry in dated[:limit]]

    def list_keys(self, kind: str) -> Iterable[Any]:
        return self.index(kind).keys()


class EntryView(Mapping[str, Any]):
    """A cable as a list shows it (themes/README.md, "An entry"), each field worked out when a
    template reads it."""

    __slots__ = ("_site", "_entry")
    FIELDS = ("reference_id", "url", "subject", "created", "date", "origin", "classification",
              "tags")

    def __init__(self, site: SiteContext, entry: CableEntry) -> None:
        self._site, self._entry = site, entry

    def __getitem__(self, name: str) -> Any:
        if name == "url":
            return self._site.href(self._site.cable_path(self._entry))
        if name == "tags":
            return list(self._entry.tags)
        if name in self.FIELDS:
            return getattr(self._entry, name)
        raise KeyError(name)

    def __getattr__(self, name: str) -> Any:  # (only for names that are not attributes)
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.FIELDS)

    def __len__(self) -> int:
        return len(self.FIELDS)
