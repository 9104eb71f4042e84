"""The search index writer: BM25F impacts, impact-tiered postings sharded by term prefix, a
sharded document store for result lists, and filter lists. Layout (under site/search/):

    meta.json                       constant-size: counts, tier sizes, year -> doc id range
    t/<c>/<key>.json                terms starting with <key> (3 chars): df, tier-0 postings
    p/<c>/<key>/<term>.<n>.txt      further postings tiers of frequent terms
    d/<k>/<shard>.json              result data of DOCS_PER_SHARD documents
    f/<kind>/<v>/<value>.txt        doc ids of a tag, origin or classification
    origins.json                    post names -> filter file (a few hundred entries)

Postings are (doc id, impact) pairs; a tier's doc ids are delta-encoded in ascending order and
followed by their impacts, both as base-64 VLQ (see encoding.py). Tier 0 holds a term's
TIER_SIZES[0] highest-impact documents, tier 1 the next TIER_SIZES[1], and so on: a query reads
the best documents of each word first and more only when it needs them.
"""

from __future__ import annotations

import json
import math
import re
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from generator.output import StagedOutput
from generator.search.encoding import encode, encode_sorted
from generator.search.tokens import shard_key, tokens

VERSION = 1
TIER_SIZES = (256, 2048, 16384)  # then everything else
DOCS_PER_SHARD = 4  # result data is most of a query's bytes: keep shards small
SHARDS_PER_FOLDER = 1000
EXCERPT_CHARS = 280
FIELD_WEIGHTS = {"subject": 4, "tags": 3, "body": 1}
K1, B = 1.2, 0.75


@dataclass(slots=True)
class SearchDocument:
    """What the index needs from one cable, computed where the cable is rendered."""

    doc_id: int
    terms: dict[str, int]  # term -> weighted term frequency (BM25F)
    length: int  # weighted length
    result: list  # [reference_id, url, subject, date, origin, classification, excerpt]


def analyse(doc_id: int, *, reference_id: str, url: str, subject: str | None, date: str | None,
            origin: str | None, classification: str | None,
            tags: Iterable[tuple[str, str | None]], body_text: str,
            summary: str | None) -> SearchDocument:
    weighted: dict[str, int] = defaultdict(int)
    length = 0
    tag_text = " ".join(f"{code} {name or ''}" for code, name in tags)
    for field, text in (("subject", subject or ""), ("tags", tag_text), ("body", body_text)):
        weight = FIELD_WEIGHTS[field]
        for token in tokens(text):
            weighted[token] += weight
            length += weight
    weighted[re.sub(r"[^a-z0-9]", "", reference_id.lower())] += FIELD_WEIGHTS["subject"]
    excerpt_source = " ".join((summary or body_text).split())
    excerpt = excerpt_source[:EXCERPT_CHARS]
    if len(excerpt_source) > EXCERPT_CHARS:
        excerpt = excerpt.rsplit(" ", 1)[0] + " …"
    return SearchDocument(doc_id, dict(weighted), max(length, 1),
                          [reference_id, url, subject, date, origin, classification, excerpt])


class SearchIndexWriter:
    def __init__(self, doc_count: int) -> None:
        self.doc_count = doc_count
        self.lengths = array("I", bytes(4 * doc_count))
        self.results: list[list | None] = [None] * doc_count
        self.postings: dict[str, tuple[array, array]] = {}

    def add(self, document: SearchDocument) -> None:
        self.lengths[document.doc_id] = document.length
        self.results[document.doc_id] = document.result
        for term, frequency in document.terms.items():
            lists = self.postings.get(term)
            if lists is None:
                lists = self.postings[term] = (array("I"), array("I"))
            lists[0].append(document.doc_id)
            lists[1].append(frequency)

    def write(self, output: StagedOutput, *, filters: dict[str, dict[str, list[int]]],
              years: dict[str, tuple[int, int]]) -> int:
        """Write every index file; returns the number of files written."""
        files = 0
        average = sum(self.lengths) / max(self.doc_count, 1)
        shards: dict[str, dict[str, list]] = defaultdict(dict)
        for term in sorted(self.postings):
            doc_ids, frequencies = self.postings[term]
            df = len(doc_ids)
            idf = math.log(1 + (self.doc_count - df + 0.5) / (df + 0.5))
            impacts = []
            for doc_id, frequency in zip(doc_ids, frequencies, strict=True):
                norm = K1 * (1 - B + B * self.lengths[doc_id] / average)
                score = idf * frequency * (K1 + 1) / (frequency + norm)
                impacts.append(max(1, min(255, round(score * 16))))
            # Ties go to the newer cable, as in the query engine's ranking.
            ranked = sorted(range(df), key=lambda i: (-impacts[i], -doc_ids[i]))
            tiers = []
            start = 0
            for size in TIER_SIZES:
                if start >= df:
                    break
                tiers.append(ranked[start:start + size])
                start += size
            if start < df:
                tiers.append(ranked[start:])
            encoded = [_encode_tier(doc_ids, impacts, tier) for tier in tiers]
            key = shard_key(term)
            shards[key][term] = [df, encoded[0], len(encoded)]
            for number, text in enumerate(encoded[1:], start=1):
                output.write(f"search/p/{key[0]}/{key}/{term}.{number}.txt", text)
                files += 1
        for key, terms in shards.items():
            output.write(f"search/t/{key[0]}/{key}.json", _json(terms))
            files += 1
        for shard in range(math.ceil(self.doc_count / DOCS_PER_SHARD)):
            chunk = self.results[shard * DOCS_PER_SHARD:(shard + 1) * DOCS_PER_SHARD]
            output.write(f"search/d/{shard // SHARDS_PER_FOLDER}/{shard}.json", _json(chunk))
            files += 1
        origins = {}
        for kind, values in filters.items():
            for value, doc_ids in values.items():
                slug = filter_slug(value)
                output.write(f"search/f/{kind}/{slug[0]}/{slug}.txt",
                             encode_sorted(sorted(doc_ids)))
                files += 1
                if kind == "origin":
                    origins[value] = slug
        output.write("search/origins.json", _json(origins))
        output.write("search/meta.json", _json({
            "version": VERSION, "docs": self.doc_count, "tiers": list(TIER_SIZES),
            "docs_per_shard": DOCS_PER_SHARD, "shards_per_folder": SHARDS_PER_FOLDER,
            "years": years,
        }))
        return files + 2


def filter_slug(value: str) -> str:
    """File name of a filter value: `SECRET//NOFORN` -> `secret-noforn`, `PHUM` -> `phum`."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "_"


def _encode_tier(doc_ids: array, impacts: list[int], members: list[int]) -> str:
    chosen = sorted(members, key=lambda i: doc_ids[i])
    return encode_sorted(doc_ids[i] for i in chosen) + "." + encode(impacts[i] for i in chosen)


def _json(value: object) -> str:
    # Cable text inside: escape <, > and & too, so no file can be taken for HTML if a host or
    # a later page ever serves or inlines it carelessly. Still plain JSON.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
