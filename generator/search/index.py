"""The search index writer: BM25F impacts, impact-tiered postings sharded by term prefix, a
sharded document store for result lists, and filter lists. Layout (under site/search/):

    meta.json                       constant-size: counts, tier sizes, years
    t/<c>/<key>.json                terms starting with <key>: df, tier-0 postings
    p/<c>/<key3>/<term>.<n>.txt     further postings tiers of frequent terms
    d/<k>/<shard>.json              result data of the documents whose doc ids share
                                    all but the last SHARD_BITS bits (an hour, ~5 cables)
    f/<kind>/<v>/<value>.txt        doc ids of a tag, origin, classification or year
    origins.json                    post names -> filter file (a few hundred entries)

Doc ids come from the cables' dates (doc_ids.py). Postings are (doc id, impact) pairs; a
tier's doc ids are delta-encoded in ascending order and followed by their impacts, both as
base-64 VLQ (see encoding.py). Impacts are document-local
(tiers.py); a query weighs each term's by term_weight, from the term's df and meta.json's docs.
Tier 0 holds a term's TIER_SIZES[0] highest-impact documents, tier 1 the next TIER_SIZES[1],
and so on: a query reads the best documents of each word first and more only when it needs
them.

Term shards are keyed by a term's first 3 characters. A shard over SHARD_BYTES is split by one
more character, recursively: the file of a split key keeps the term equal to the key (if any)
and, under "*", the MAX_EXPANSIONS most frequent terms starting with the key (what a prefix
query of exactly that key expands to); longer terms are in the files of the longer keys.

The index is built in two passes so that no process holds all postings (SPIMI): the workers
that render the cable pages analyse them, write their result data, and append each chunk's
postings to run files partitioned into BUCKETS by shard key; then each bucket is merged,
scored (tiers.py) and written on its own, in parallel. The cables' terms go to the term store
(state.py), from which a later build patches the index when a few cables change (patch.py).
"""

from __future__ import annotations

import json
import math
import os
import pickle
import re
import struct
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from generator.output import StagedOutput
from generator.parallel import map_chunks
from generator.search.encoding import encode_sorted
from generator.search.state import Location, store_terms
from generator.search.tokens import shard_key, tokens

VERSION = 4  # 4: doc ids from dates (3: document-local impacts, term weights at query time)
TIER_SIZES = (256, 2048, 16384)  # then everything else
SHARD_BITS = 6  # result data is most of a query's bytes: keep shards small
SHARDS_PER_FOLDER = 1000
SHARD_BYTES = 32_000  # a term shard bigger than this is split by one more character
MAX_EXPANSIONS = 12  # terms a prefix expands to
BUCKETS = 64
EXCERPT_CHARS = 280
FIELD_WEIGHTS = {"subject": 4, "tags": 3, "body": 1}
K1, B = 1.2, 0.75
IDF_SCALE = 16  # term weights are idf in 16ths
AVERAGE_STEPS = 16  # the average length is rounded to 1/16 octave (see average_length)
FREQUENCY_BITS = 16  # postings in the runs: doc id << FREQUENCY_BITS | weighted frequency
MAX_FREQUENCY = (1 << FREQUENCY_BITS) - 1  # BM25 has long saturated at this frequency
_RECORD = struct.Struct("<II")  # a run record: first doc id of the chunk, pickled size


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
    body = tokens(body_text)
    weighted = Counter(body)  # body weight 1: counted in C
    length = len(body) * FIELD_WEIGHTS["body"]
    tag_text = " ".join(f"{code} {name or ''}" for code, name in tags)
    for field, text in (("subject", subject or ""), ("tags", tag_text)):
        weight = FIELD_WEIGHTS[field]
        for token in tokens(text):
            weighted[token] += weight
            length += weight
    weighted[re.sub(r"[^a-z0-9]", "", reference_id.lower())] += FIELD_WEIGHTS["subject"]
    source = summary or body_text
    excerpt_source = " ".join(source[:EXCERPT_CHARS * 4].split())
    if len(excerpt_source) <= EXCERPT_CHARS + 1:  # much white space: take the whole text
        excerpt_source = " ".join(source.split())
    excerpt = excerpt_source[:EXCERPT_CHARS]
    if len(excerpt_source) > EXCERPT_CHARS:
        excerpt = excerpt.rsplit(" ", 1)[0] + " …"
    if max(weighted.values(), default=0) > MAX_FREQUENCY:  # a word thousands of times
        weighted = Counter({term: min(f, MAX_FREQUENCY) for term, f in weighted.items()})
    return SearchDocument(doc_id, weighted, max(length, 1),
                          [reference_id, url, subject, date, origin, classification, excerpt])


def bucket_of(term: str) -> int:
    """Run bucket of a term: all terms of a 3-character shard key share one. str hashes are
    salted per interpreter, but the build's workers are forked from one process, so they agree
    (and which bucket writes a shard does not change any file)."""
    return hash(shard_key(term)) % BUCKETS


class ChunkIndexer:
    """First pass, in the worker that renders a chunk of consecutive documents (whole result
    data shards: see result_shard): writes their result data, appends their postings to this
    process's run files, keeps their lengths."""

    def __init__(self, term_store: Path) -> None:
        self.term_store = term_store
        self.doc_ids: list[int] = []
        self.lengths: list[int] = []
        self.results: list[list] = []
        # Each document's terms, to store, or where they are stored already.
        self.terms: list[dict[str, int] | Location] = []
        # term -> postings packed as doc id << FREQUENCY_BITS | frequency: one int, one append
        self.postings: defaultdict[str, list[int]] = defaultdict(list)

    def add(self, document: SearchDocument, stored: Location | None = None) -> None:
        """Index a document; `stored`: where its terms are in the term store already."""
        if self.doc_ids and document.doc_id <= self.doc_ids[-1]:
            raise ValueError("documents must be added in doc id order")
        self.doc_ids.append(document.doc_id)
        self.lengths.append(document.length)
        self.results.append(document.result)
        self.terms.append(document.terms if stored is None else stored)
        postings = self.postings
        base = document.doc_id << FREQUENCY_BITS
        for term, frequency in document.terms.items():
            postings[term].append(base | frequency)

    def write(self, output: StagedOutput) -> tuple[list[int], list[Location]]:
        """Write the chunk's result data, postings runs and terms; returns the documents'
        lengths and where their terms were stored."""
        shards: defaultdict[int, dict[int, list]] = defaultdict(dict)
        for doc, result in zip(self.doc_ids, self.results, strict=True):
            shards[result_shard(doc)][doc] = result
        for shard, records in shards.items():
            output.write(result_path(shard), index_json(records))
        buckets: dict[int, dict[str, list[int]]] = defaultdict(dict)
        for term, lists in self.postings.items():
            buckets[bucket_of(term)][term] = lists
        runs = runs_folder(output)
        runs.mkdir(exist_ok=True)
        for bucket, postings in buckets.items():
            blob = pickle.dumps(postings, protocol=pickle.HIGHEST_PROTOCOL)
            # One run file per bucket and process: no two processes append to the same file.
            with open(runs / f"{bucket}.{os.getpid()}", "ab") as run:
                run.write(_RECORD.pack(self.doc_ids[0], len(blob)) + blob)
        new = iter(store_terms(self.term_store, [
            (terms, result) for terms, result in zip(self.terms, self.results, strict=True)
            if isinstance(terms, dict)]))
        return self.lengths, [next(new) if isinstance(terms, dict) else terms
                              for terms in self.terms]


def shard_path(key: str) -> str:
    """The file of the terms whose shard key is `key` (see write_shard)."""
    return f"search/t/{key[0]}/{key}.json"


def tier_path(term: str, tier: int) -> str:
    """The file of a term's postings tier (tier 0 is in its shard entry)."""
    key = shard_key(term)
    return f"search/p/{key[0]}/{key}/{term}.{tier}.txt"


def result_shard(doc: int) -> int:
    """The result data shard of a doc id."""
    return doc >> SHARD_BITS


def result_path(shard: int) -> str:
    return f"search/d/{shard // SHARDS_PER_FOLDER}/{shard}.json"


def average_length(total: int, docs: int) -> float:
    """The average length BM25 normalises by, rounded to 1/AVERAGE_STEPS octave: adding or
    editing a few cables seldom changes it (when it changes, so does every impact)."""
    average = max(total / max(docs, 1), 1)
    return 2 ** (round(math.log2(average) * AVERAGE_STEPS) / AVERAGE_STEPS)


def norm(length: int, average: float) -> float:
    """BM25's length norm of a document."""
    return K1 * (1 - B + B * length / average)


def term_weight(df: int, docs: int) -> int:
    """A term's weight in query scores: its idf in 1/IDF_SCALE, at least 1. The client
    (search.js) computes the same."""
    idf = math.log(1 + (docs - df + 0.5) / (df + 0.5))
    return max(1, math.floor(idf * IDF_SCALE + 0.5))


def runs_folder(output: StagedOutput) -> Path:
    return output.scratch / "search-runs"


# Second pass: the state of a bucket writer process.
_merge: dict = {}


def _start_merge(output: StagedOutput, norms: list[float], doc_ids: Sequence[int]) -> None:
    _merge.update(output=output, norms=norms, doc_ids=doc_ids)


def write_index(output: StagedOutput, lengths: Sequence[int], doc_ids: Sequence[int], *,
                filters: dict[str, dict[str, list[int]]], root: str, jobs: int,
                advance: Callable[[], None] = lambda: None) -> list[tuple[str, bytes]]:
    """Merge the runs bucket by bucket and write every index file; returns the (path, digest)
    records of the files the bucket workers wrote (the rest are in `output`'s records).
    `lengths` and `doc_ids`: the documents', in doc id order; `filters`: see write_lists."""
    average = average_length(sum(lengths), len(lengths))
    norms = [norm(length, average) for length in lengths]
    records: list[tuple[str, bytes]] = []
    # Fresh processes: they need none of the archive, and a forked copy of it would count
    # in each of them besides their postings (at 251k cables: 0.8 GB + up to 1.4 GB).
    for bucket_records in map_chunks(_write_bucket, ([b] for b in range(BUCKETS)), jobs,
                                     setup=_start_merge,
                                     setup_args=(output.under("search/"), norms, doc_ids)):
        records += bucket_records
        advance()
    _merge.clear()
    write_lists(output, doc_ids, filters=filters, root=root)
    return records


def write_lists(output: StagedOutput, doc_ids: Sequence[int], *,
                filters: dict[str, dict[str, list[int]]], root: str,
                only: set[tuple[str, str]] | None = None) -> None:
    """Write the filter files, origins.json and meta.json. `filters`: kind -> value -> the
    positions of its documents in `doc_ids` (ascending); kind "year" has a year's. With
    `only` (kind, value): only the filter files of those values are written, site/'s others
    kept (they have not changed)."""
    origins = {}
    for kind, values in filters.items():
        # Values that differ only in case or punctuation (`USEU BRUSSELS`, `USEU Brussels`)
        # share a file name: the file holds the cables of all of them, as a search for either
        # is case-insensitive anyway.
        by_value = {value: filter_slug(value) for value in values}
        if kind == "origin":
            origins = by_value
        wanted = set(by_value.values()) if only is None else \
            {by_value[value] for value_kind, value in only if value_kind == kind}
        by_slug: dict[str, set[int]] = {slug: set() for slug in by_value.values()}
        for value, positions in values.items():
            if by_value[value] in wanted:
                by_slug[by_value[value]].update(positions)
        for slug, positions in sorted(by_slug.items()):
            path = f"search/f/{kind}/{slug[0]}/{slug}.txt"
            if slug in wanted:
                output.write(path, encode_sorted(map(doc_ids.__getitem__, sorted(positions))))
            else:
                output.keep(path)
    output.write("search/origins.json", index_json(dict(sorted(origins.items()))))
    output.write("search/meta.json", index_json({
        "version": VERSION, "docs": len(doc_ids), "tiers": list(TIER_SIZES),
        "shard_bits": SHARD_BITS, "shards_per_folder": SHARDS_PER_FOLDER, "root": root,
        "years": sorted(filters.get("year", ())),
    }))


def _write_bucket(bucket_list: list[int]) -> list[tuple[str, bytes]]:
    output: StagedOutput = _merge["output"]
    (bucket,) = bucket_list
    records = []
    for run in runs_folder(output).glob(f"{bucket}.*"):
        data = run.read_bytes()
        position = 0
        while position < len(data):
            first_doc, size = _RECORD.unpack_from(data, position)
            position += _RECORD.size
            records.append((first_doc, data[position:position + size]))
            position += size
    records.sort(key=itemgetter(0))  # chunks in document order: doc ids stay ascending
    merged: dict[str, list[int]] = {}
    for _, blob in records:
        for term, packed in pickle.loads(blob).items():
            into = merged.get(term)
            if into is None:
                merged[term] = packed
            else:
                into.extend(packed)
    # Imported here: only the bucket writers need numpy, the render workers need not map it.
    from generator.search.tiers import term_tiers

    shards: dict[str, dict[str, list]] = defaultdict(dict)
    for term, df, tiers in term_tiers(merged, _merge["norms"], _merge["doc_ids"]):
        key = shard_key(term)
        shards[key][term] = [df, tiers[0], len(tiers)]
        for number, text in enumerate(tiers[1:], start=1):
            output.write(tier_path(term, number), text)
    for key, shard_terms in shards.items():
        write_shard(output, key, shard_terms)
    return output.take_records()


def write_shard(output: StagedOutput, key: str, terms: dict[str, list]) -> None:
    """Write the shard of `key` (terms all starting with it), split if too big."""
    text = index_json(terms)
    longer = [term for term in terms if len(term) > len(key)]
    if len(text) <= SHARD_BYTES or not longer:
        output.write(shard_path(key), text)
        return
    own: dict[str, list] = {term: terms[term] for term in terms if len(term) == len(key)}
    top = sorted(terms.items(), key=lambda item: (-item[1][0], item[0]))[:MAX_EXPANSIONS]
    own["*"] = [[term, entry] for term, entry in top]
    output.write(shard_path(key), index_json(own))
    children: dict[str, dict[str, list]] = defaultdict(dict)
    for term in longer:
        children[term[:len(key) + 1]][term] = terms[term]
    for child, members in children.items():
        write_shard(output, child, members)


def filter_slug(value: str) -> str:
    """File name of a filter value: `SECRET//NOFORN` -> `secret-noforn`, `PHUM` -> `phum`."""
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-") or "_"


def index_json(value: object) -> str:
    # Cable text inside: escape <, > and & too, so no file can be taken for HTML if a host or
    # a later page ever serves or inlines it carelessly. Still plain JSON.
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
