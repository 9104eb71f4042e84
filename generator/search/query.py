"""The reference query engine: parses a query and evaluates it against the index files, the
same way the browser client (themes/default/static/search.js) does. Tests drive it through the
very files the browser reads, and count the bytes a query fetches.

Query syntax: words (all must match), `word*` (prefix), `"a phrase"`, and filters
`tag:KTIP`, `origin:Tashkent`, `classification:secret`, `year:2007` or `year:2007..2009`.

The index has no word positions (they would cost too much at 251k cables), so a phrase selects
the cables that have all its words, and the best of those are then checked on their own pages:
the text of the elements marked `data-search-text` (themes/README.md), else of `<main>`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser

from generator.search.encoding import decode, decode_sorted
from generator.search.index import (
    MAX_EXPANSIONS,
    filter_slug,
    shard_path,
    term_weight,
    tier_path,
)
from generator.search.tokens import normalise, reference_term, shard_key, tokens

# A word in more than half the cables (of, the) selects almost nothing: when a query has rarer
# words, it neither selects nor scores (so "ministry of interior" reads no deep tiers of "of").
COMMON_FRACTION = 0.5
PAGE_BATCH = 10  # cable pages fetched at once to check phrases (in parallel in search.js)
PAGE_BUDGET = 50  # at most this many pages fetched per search call; "more results" goes on
_FILTER = re.compile(r"^(tag|origin|post|classification|class|year):(.+)$", re.I)
# A filter with a quoted value (`origin:"la paz"`), a quoted phrase, or a word.
_PART = re.compile(r'(\w+:"[^"]*"?)|"([^"]*)"?|(\S+)')


@dataclass
class Query:
    groups: list[list[str]] = field(default_factory=list)  # each: [term] or [prefix + "*"]
    phrases: list[list[str]] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    years: tuple[int, int] | None = None
    reference: str | None = None


def parse(text: str, *, prefix_last: bool = False) -> Query:
    """Parse the search box text. `prefix_last`: the last word is still being typed."""
    query = Query(reference=reference_term(text))
    parts = list(_PART.finditer(text))
    for position, match in enumerate(parts):
        quoted_filter, phrase, word = match.groups()
        word = quoted_filter or word
        if phrase is not None:
            words = tokens(phrase)
            if words:
                query.phrases.append(words)
                query.groups.extend([w] for w in words)
            continue
        filtered = _FILTER.match(word)
        if filtered:
            kind, value = filtered.group(1).lower(), filtered.group(2).strip('"')
            kind = {"post": "origin", "class": "classification"}.get(kind, kind)
            if kind == "year":
                years = re.findall(r"\d{4}", value)
                if years:
                    low, high = int(years[0]), int(years[-1])
                    query.years = (min(low, high), max(low, high))
            else:
                query.filters.setdefault(kind, []).append(value)
            continue
        is_last = position == len(parts) - 1
        star = word.endswith("*")
        words = tokens(word)
        for index, term in enumerate(words):
            last_token = index == len(words) - 1
            if last_token and (star or (prefix_last and is_last and not text.endswith(" "))):
                query.groups.append([term + "*"])
            else:
                query.groups.append([term])
    return query


@dataclass
class Result:
    doc_id: int
    score: float
    reference_id: str
    url: str
    subject: str | None
    date: str | None
    origin: str | None
    classification: str | None
    excerpt: str


@dataclass
class Answer:
    total: int  # matches found so far (a lower bound unless complete)
    results: list[Result]
    terms: list[str]  # the terms matched, for highlighting
    jump: str | None = None  # URL to go to when the query is a reference ID in the archive
    complete: bool = True  # every candidate was scored and, for a phrase, checked: total is exact


_VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


class _PageText(HTMLParser):
    """Collects the text of the outermost elements marked `data-search-text` and of the first
    <main>. Every tag and comment is a word break, as in the text the index was built from."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []  # names of the open elements
        self.marking: tuple[int, list[str]] | None = None  # (depth, text) of an open marked one
        self.in_main: tuple[int, list[str]] | None = None
        self.marked: list[str] = []
        self.main: str | None = None

    def _collectors(self) -> list[list[str]]:
        return [parts for _, parts in filter(None, (self.marking, self.in_main))]

    def _break(self) -> None:
        for parts in self._collectors():
            parts.append(" ")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._break()
        marked = self.marking is None and any(name == "data-search-text" for name, _ in attrs)
        if tag in _VOID:
            if marked:
                self.marked.append("")
            return
        self.open.append(tag)
        if marked:
            self.marking = (len(self.open), [])
        if tag == "main" and self.main is None and self.in_main is None:
            self.in_main = (len(self.open), [])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # as in HTML: `<div/>` opens a div

    def handle_endtag(self, tag: str) -> None:
        self._break()
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]
            self._finish(len(self.open))

    def _finish(self, depth: int) -> None:
        """Ends the collecting of elements no longer open at `depth`."""
        if self.marking and self.marking[0] > depth:
            self.marked.append("".join(self.marking[1]))
            self.marking = None
        if self.in_main and self.in_main[0] > depth:
            self.main = "".join(self.in_main[1])
            self.in_main = None

    def handle_data(self, data: str) -> None:
        for parts in self._collectors():
            parts.append(data)

    def handle_comment(self, data: str) -> None:
        self._break()

    handle_pi = handle_decl = unknown_decl = handle_comment

    def close(self) -> None:
        super().close()
        self._finish(0)  # elements left open end with the page


def page_texts(html: str) -> list[str]:
    """The texts a phrase is checked against: of each element marked `data-search-text`, else
    of <main> (search.js reads them the same way)."""
    parser = _PageText()
    parser.feed(html)
    parser.close()
    if parser.marked:
        return parser.marked
    return [parser.main] if parser.main is not None else []


class Searcher:
    """Evaluates queries over index files reached through `fetch(path) -> text or None`."""

    def __init__(self, fetch: Callable[[str], str | None]) -> None:
        self.fetch = fetch
        self._cache: dict[str, str | None] = {}
        meta = self._json("search/meta.json")
        if meta is None:
            raise FileNotFoundError("search/meta.json")
        self.meta = meta
        self._pages: dict[int, list[str]] = {}  # doc id -> its page texts' tokens, " a b c "

    def _text(self, path: str) -> str | None:
        if path not in self._cache:
            self._cache[path] = self.fetch(path)
        return self._cache[path]

    def _json(self, path: str):
        text = self._text(path)
        return json.loads(text) if text is not None else None

    def _shard(self, text: str) -> dict:
        """The term file for a term or prefix. A file that grew too big was split by one more
        character: it holds "*" (the most frequent terms it would hold) and the terms equal to
        its key; longer ones are in the file of their next character."""
        key = shard_key(text)
        shard = self._json(shard_path(key)) or {}
        while "*" in shard and len(text) > len(key):
            key = text[:len(key) + 1]
            shard = self._json(shard_path(key)) or {}
        return shard

    def _postings(self, term: str, tier: int, encoded: str | None = None, weight: int = 1
                  ) -> dict[int, int]:
        """doc -> score of one tier of a term's postings: impact times the term's weight."""
        if encoded is None:
            encoded = self._text(tier_path(term, tier)) or "."
        ids_text, _, impacts_text = encoded.partition(".")
        return {doc: weight * impact for doc, impact
                in zip(decode_sorted(ids_text), decode(impacts_text), strict=True)}

    def _expand(self, group: list[str]) -> list[tuple[str, list]]:
        """(term, [df, tier-0, tiers]) for an exact term or a prefix's most frequent terms."""
        word = group[0]
        if word.endswith("*"):
            prefix = word[:-1]
            shard = self._shard(prefix) if len(prefix) >= 1 else {}
            if "*" in shard:  # a split file is only reached by its own key: this prefix
                return [(term, entry) for term, entry in shard["*"]][:MAX_EXPANSIONS]
            matches = [(t, entry) for t, entry in shard.items() if t.startswith(prefix)]
            matches.sort(key=lambda item: (-item[1][0], item[0]))
            return matches[:MAX_EXPANSIONS]
        entry = self._shard(word).get(word)
        return [(word, entry)] if entry else []

    def _filter_ids(self, query: Query) -> set[int] | None:
        allowed: set[int] | None = None
        for kind, values in query.filters.items():
            ids: set[int] = set()
            for value in values:
                for slug in self._filter_slugs(kind, value):
                    text = self._text(f"search/f/{kind}/{slug[0]}/{slug}.txt")
                    ids.update(decode_sorted(text or ""))
            allowed = ids if allowed is None else allowed & ids
        if query.years:
            low, high = query.years
            ids = set()
            for year in self.meta["years"]:
                if year.isdigit() and low <= int(year) <= high:
                    ids.update(decode_sorted(self._text(f"search/f/year/{year[0]}/{year}.txt")
                                             or ""))
            allowed = ids if allowed is None else allowed & ids
        return allowed

    def _filter_slugs(self, kind: str, value: str) -> list[str]:
        if kind == "origin":
            # A post by any part of its name: origin:tashkent, origin:"la paz".
            origins = self._json("search/origins.json") or {}
            wanted = normalise(value)
            return [slug for name, slug in origins.items() if wanted in normalise(name)]
        return [filter_slug(value)]

    def search(self, text: str, *, prefix_last: bool = False, sort: str = "relevance",
               offset: int = 0, limit: int = 10) -> Answer:
        query = parse(text, prefix_last=prefix_last)
        jump = self._jump(query.reference) if query.reference else None
        allowed = self._filter_ids(query)
        wanted = offset + limit
        terms: list[str] = []
        if not query.groups:
            scores = dict.fromkeys(allowed or (), 0.0)
            ranked = _rank(scores, sort)
            chosen, total, complete = ranked[offset:wanted], len(ranked), True
        else:
            groups = self._groups(query, terms)
            if groups is None:
                return Answer(0, [], terms, jump)
            scores, chosen, total, complete = self._evaluate(query, groups, allowed, sort,
                                                             offset, wanted)
        return Answer(total, [self._result(d, scores[d]) for d in chosen], terms, jump,
                      complete)

    def _groups(self, query: Query, terms: list[str]) -> list[dict] | None:
        """The groups that select and score cables, each with its terms, the tiers to read of
        each, and its tier-0 postings; None when a word is in no cable. `terms` gets every
        group's terms, for highlighting."""
        docs = self.meta["docs"]
        groups = []
        for group in query.groups:
            expansions = self._expand(group)
            if not expansions:
                return None
            terms.extend(term for term, _ in expansions)
            word = group[0]
            groups.append({
                # (term, entry, tiers to read, weight). A prefix's other terms give their best
                # cables only: typing stays cheap.
                "terms": [(term, entry, entry[2] if term == word.removesuffix("*") else 1,
                           term_weight(entry[0], docs)) for term, entry in expansions],
                "common": all(entry[0] > docs * COMMON_FRACTION for _, entry in expansions)})
        selecting = [g for g in groups if not g["common"]] or groups
        for group in selecting:
            group["tier"] = 0
            group["postings"] = self._merge(self._postings(term, 0, entry[1], weight)
                                            for term, entry, _, weight in group["terms"])
        return selecting

    def _evaluate(self, query: Query, groups: list[dict], allowed: set[int] | None, sort: str,
                  offset: int, wanted: int) -> tuple[dict[int, float], list[int], int, bool]:
        """Reads tiers, best impacts first, until `wanted` cables have every word (and, with a
        phrase, were checked to have it). Returns the scores, the cables chosen, the total and
        whether it is exact."""
        phrases = [phrase for phrase in query.phrases if len(phrase) > 1]
        budget_end = len(self._pages) + PAGE_BUDGET
        while True:
            scores = self._candidates(groups, allowed)
            ranked = _rank(scores, sort)
            more = [g for g in groups
                    if any(g["tier"] + 1 < reads for _, _, reads, _ in g["terms"])]
            if phrases:
                matches, stopped = self._verify(ranked, phrases, wanted, budget_end)
                if len(matches) >= wanted or stopped or not more:
                    break
            elif len(ranked) >= wanted or not more:
                break
            for group in more:  # read the next tier of every word that has one
                group["tier"] += 1
                tier = group["tier"]
                group["postings"] = self._merge([group["postings"]] + [
                    self._postings(term, tier, weight=weight)
                    for term, _, reads, weight in group["terms"] if tier < reads])
        if not phrases:
            return scores, ranked[offset:wanted], len(ranked), not more
        checked = [doc for doc in ranked if doc in self._pages]
        total = sum(1 for doc in checked if _holds(self._pages[doc], phrases))
        return scores, matches[offset:wanted], total, not more and len(checked) == len(ranked)

    @staticmethod
    def _candidates(groups: list[dict], allowed: set[int] | None) -> dict[int, float]:
        """The cables in every group's postings read so far, with their scores."""
        candidates = set.intersection(*(set(g["postings"]) for g in groups))
        if allowed is not None:
            candidates &= allowed
        return {doc: float(sum(g["postings"][doc] for g in groups)) for doc in candidates}

    def _verify(self, ranked: list[int], phrases: list[list[str]], wanted: int,
                budget_end: int) -> tuple[list[int], bool]:
        """The first `wanted` cables of `ranked` whose pages hold every phrase, fetching pages
        a batch at a time while fewer than `budget_end` are known; and whether it stopped at
        a page it could not fetch within that budget."""
        matches: list[int] = []
        for position, doc in enumerate(ranked):
            if len(matches) >= wanted:
                break
            if doc not in self._pages:
                room = min(PAGE_BATCH, budget_end - len(self._pages))
                if room <= 0:
                    return matches, True
                batch = [d for d in ranked[position:] if d not in self._pages][:room]
                for unseen in batch:
                    self._pages[unseen] = self._page_tokens(unseen)
            if _holds(self._pages[doc], phrases):
                matches.append(doc)
        return matches, False

    def _page_tokens(self, doc_id: int) -> list[str]:
        url = self._result(doc_id, 0).url
        html = self.fetch(url[len(self.meta.get("root", "/")):])  # not cached: pages are big
        return [f" {' '.join(tokens(text))} " for text in page_texts(html)] if html else []

    @staticmethod
    def _merge(postings_lists) -> dict[int, int]:
        merged: dict[int, int] = {}
        for postings in postings_lists:
            for doc, impact in postings.items():
                if impact > merged.get(doc, 0):
                    merged[doc] = impact
        return merged

    def _result(self, doc_id: int, score: float) -> Result:
        shard = doc_id >> self.meta["shard_bits"]
        records = self._json(f"search/d/{shard // self.meta['shards_per_folder']}/{shard}.json")
        record = records[str(doc_id)]
        return Result(doc_id, score, *record)

    def _jump(self, term: str) -> str | None:
        entry = self._shard(term).get(term)
        if not entry or entry[0] < 1:
            return None
        for doc_id in self._postings(term, 0, entry[1]):
            result = self._result(doc_id, 0)
            if re.sub(r"[^a-z0-9]", "", result.reference_id.lower()) == term:
                return result.url
        return None


def _rank(scores: dict[int, float], sort: str) -> list[int]:
    if sort == "date":
        return sorted(scores, reverse=True)
    return sorted(scores, key=lambda d: (-scores[d], -d))


def _holds(page: list[str], phrases: list[list[str]]) -> bool:
    """Whether each phrase's tokens are consecutive in one of a page's texts."""
    return all(any(f" {' '.join(phrase)} " in text for text in page) for phrase in phrases)
