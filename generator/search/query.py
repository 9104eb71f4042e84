"""The reference query engine: parses a query and evaluates it against the index files, the
same way the browser client (themes/default/static/search.js) does. Tests drive it through the
very files the browser reads, and count the bytes a query fetches.

Query syntax: words (all must match), `word*` (prefix), `"a phrase"`, and filters
`tag:KTIP`, `origin:Tashkent`, `classification:secret`, `year:2007` or `year:2007..2009`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from generator.search.encoding import decode, decode_sorted
from generator.search.index import filter_slug
from generator.search.tokens import normalise, reference_term, shard_key, tokens

MAX_EXPANSIONS = 12
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
    total: int  # matches found so far (a lower bound when tiers were left unread)
    results: list[Result]
    terms: list[str]  # the terms matched, for highlighting
    jump: str | None = None  # URL to go to when the query is a reference ID in the archive


class Searcher:
    """Evaluates queries over index files reached through `fetch(path) -> text or None`."""

    def __init__(self, fetch: Callable[[str], str | None]) -> None:
        self.fetch = fetch
        self._cache: dict[str, str | None] = {}
        meta = self._json("search/meta.json")
        if meta is None:
            raise FileNotFoundError("search/meta.json")
        self.meta = meta

    def _text(self, path: str) -> str | None:
        if path not in self._cache:
            self._cache[path] = self.fetch(path)
        return self._cache[path]

    def _json(self, path: str):
        text = self._text(path)
        return json.loads(text) if text is not None else None

    def _shard(self, term: str) -> dict:
        key = shard_key(term)
        return self._json(f"search/t/{key[0]}/{key}.json") or {}

    def _postings(self, term: str, tier: int, encoded: str | None = None) -> dict[int, int]:
        if encoded is None:
            key = shard_key(term)
            encoded = self._text(f"search/p/{key[0]}/{key}/{term}.{tier}.txt") or "."
        ids_text, _, impacts_text = encoded.partition(".")
        return dict(zip(decode_sorted(ids_text), decode(impacts_text), strict=True))

    def _expand(self, group: list[str]) -> list[tuple[str, list]]:
        """(term, [df, tier-0, tiers]) for an exact term or a prefix's most frequent terms."""
        word = group[0]
        if word.endswith("*"):
            prefix = word[:-1]
            shard = self._shard(prefix) if len(prefix) >= 1 else {}
            matches = [(t, entry) for t, entry in shard.items() if t.startswith(prefix)]
            matches.sort(key=lambda item: -item[1][0])
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
            ranges = [span for year, span in self.meta["years"].items()
                      if year.isdigit() and low <= int(year) <= high]
            ids = {i for first, last in ranges for i in range(first, last + 1)}
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
        matched_terms: list[str] = []
        if not query.groups:
            if allowed is None:
                return Answer(0, [], [], jump)
            scores = dict.fromkeys(allowed, 0.0)
        else:
            scores = self._score(query, allowed, offset + limit, matched_terms)
        if sort == "date":
            ranked = sorted(scores, reverse=True)
        else:
            ranked = sorted(scores, key=lambda d: (-scores[d], -d))
        chosen = ranked[offset:offset + limit]
        return Answer(len(scores), [self._result(d, scores[d]) for d in chosen], matched_terms,
                      jump)

    def _score(self, query: Query, allowed: set[int] | None, wanted: int,
               matched_terms: list[str]) -> dict[int, float]:
        groups = []
        for group in query.groups:
            expansions = self._expand(group)
            if not expansions:
                return {}
            matched_terms.extend(term for term, _ in expansions)
            groups.append({"terms": expansions, "tier": 0,
                           "postings": self._merge(
                               self._postings(term, 0, entry[1]) for term, entry in expansions)})
        while True:
            candidates = set.intersection(*(set(g["postings"]) for g in groups))
            if allowed is not None:
                candidates &= allowed
            more = [g for g in groups
                    if any(g["tier"] + 1 < entry[2] for _, entry in g["terms"])]
            if len(candidates) >= wanted or not more:
                break
            for group in more:  # read the next tier of every word that has one
                group["tier"] += 1
                tier = group["tier"]
                group["postings"] = self._merge([group["postings"]] + [
                    self._postings(term, tier)
                    for term, entry in group["terms"] if tier < entry[2]])
        return {doc: float(sum(g["postings"][doc] for g in groups)) for doc in candidates}

    @staticmethod
    def _merge(postings_lists) -> dict[int, int]:
        merged: dict[int, int] = {}
        for postings in postings_lists:
            for doc, impact in postings.items():
                if impact > merged.get(doc, 0):
                    merged[doc] = impact
        return merged

    def _result(self, doc_id: int, score: float) -> Result:
        per_shard = self.meta["docs_per_shard"]
        shard = doc_id // per_shard
        records = self._json(f"search/d/{shard // self.meta['shards_per_folder']}/{shard}.json")
        record = records[doc_id % per_shard]
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
