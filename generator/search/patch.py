"""Patching the search index in site/ when a few cables changed, came or went: only the files
of their old and new terms and their result data are written again, instead of indexing every
cable. Doc ids come from dates (doc_ids.py), so the other cables keep theirs, but for a run
pushed past its own minute by a new cable or a changed date: those cables' postings move.

A cable's impacts are its own (tiers.py), so a change to it changes the postings of its own
terms only, and of an edit only the terms whose impact in it changed (for a small edit, a
handful: the cable's length moves its other impacts by less than a step). Each such term's
postings are read back from site/, the old ones dropped, the new ones added, and the term's
tiers and shard written again; when only impacts changed (no posting added or removed) and
every posting stays in its tier, those characters of the tiers are changed instead, and a term
whose upper tiers stay full has its last tier's text changed where postings leave or join it
(encoding the long tiers of common words again took seconds at 251k cables). The shards are
patched by worker processes when many cables changed (100 added: ~16k files). The old impacts
come from the term store (state.py). The result is the same, to the byte, as indexing
everything again (tests); when the average length moves to the next step of its grid
(index.average_length), every impact changes, and the caller indexes everything.
"""

from __future__ import annotations

import json
from array import array
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import chain, pairwise
from pathlib import Path

import numpy as np

from generator.output import StagedOutput
from generator.parallel import chunks, map_chunks
from generator.search.doc_ids import doc_ids, renumber
from generator.search.encoding import ALPHABET, encode
from generator.search.index import (
    TIER_SIZES,
    SearchDocument,
    average_length,
    index_json,
    norm,
    result_path,
    result_shard,
    tier_path,
    write_shard,
)
from generator.search.state import IndexState, paths_digest, store_terms
from generator.search.tiers import (
    decode_tiers,
    encode_tiers,
    impacts,
    rank_keys,
    small_numbers,
    unvlq_sorted,
    vlq,
    vlq_numbers,
)
from generator.search.tokens import shard_key

PATCH_LIMIT = 256  # more changed cables than this: index them all again, in parallel
PARALLEL_CABLES = 8  # more changed cables than this: their terms' shards patched in parallel
_shared: dict = {}  # what patch_index hands its (forked) workers


@dataclass
class IndexChanges:
    """How the cables differ from those the index in site/ was made from (its IndexState)."""

    doc_ids: array  # every cable's doc id now, in the archive's order
    paths: bytes  # paths_digest of the cables now
    removed: list[int]  # the state's positions of the cables gone or changed
    added: list[int]  # the positions of the cables new or changed (to analyse)
    # each cable's position in the state (-1 for an added one); None: the state's order
    sources: np.ndarray | None


def index_changes(state: IndexState | None, base: bytes, group_key: bytes | None,
                  paths: Sequence[str], digests: bytes, created: Callable[[int], str | None]
                  ) -> IndexChanges | None:
    """What changed since the index in site/ was made (the search file group `group_key`)
    for the cables now at `paths` (their file digests concatenated: `digests`; created(
    position): a cable's date), or None when the index cannot be patched: no state, other
    code or config, or too many cables changed."""
    if state is None or state.base != base or state.key != group_key:
        return None
    paths_now = paths_digest(paths)
    if len(state.lengths) == len(paths) and state.paths == paths_now:
        # The same cables in the same order: one row of digest bytes per cable, compared all
        # at once; their doc ids change only where a date did.
        new, old = (np.frombuffer(blob, np.uint8).reshape(len(paths), -1)
                    for blob in (digests, state.entries))
        changed = np.flatnonzero((new != old).any(axis=1)).tolist()
        if len(changed) > PATCH_LIMIT:
            return None
        ids = array(state.doc_ids.typecode, state.doc_ids)
        changed = sorted({*changed, *renumber(ids, created, changed)})
        return IndexChanges(ids, paths_now, changed, changed, None)
    # Cables added or removed: every cable found by its file's digest (the same file, the
    # same analysis) and kept if its doc id is the same.
    ids = doc_ids(map(created, range(len(paths))))
    size = state.digest_size
    if len(digests) != size * len(paths):
        return None
    old_positions = state.positions_by_digest()
    sources = np.full(len(paths), -1, np.int64)
    added = []
    for position in range(len(paths)):
        old = old_positions.get(digests[position * size:(position + 1) * size])
        if old is not None and state.doc_ids[old] == ids[position]:
            sources[position] = old
        else:
            added.append(position)
            if len(added) > PATCH_LIMIT:
                return None
    kept = np.zeros(len(state.lengths), bool)
    kept[sources[sources >= 0]] = True
    removed = np.flatnonzero(~kept).tolist()
    if len(removed) > PATCH_LIMIT:
        return None
    return IndexChanges(ids, paths_now, removed, added, sources)


def patch_index(output: StagedOutput, state: IndexState, changes: IndexChanges,
                documents: dict[int, SearchDocument], old_files: Sequence[str], jobs: int = 1
                ) -> IndexState | None:
    """Write the index files that the `changes` change, given the analyses of the cables
    added (position -> SearchDocument), and keep the others of `old_files` (the search files
    of site/); the state after, or None (nothing written) when the average length changed
    its step."""
    if changes.sources is None:
        lengths = array(state.lengths.typecode, state.lengths)
        locations = array(state.locations.typecode, state.locations)
    else:  # the kept cables' records, at their new positions
        # (an added cable's are taken from the last cable's, then replaced)
        lengths = array(state.lengths.typecode,
                        np.asarray(state.lengths)[changes.sources].tobytes())
        locations = array(state.locations.typecode,
                          np.asarray(state.locations).reshape(-1, 4)[changes.sources].tobytes())
    for position, document in documents.items():
        lengths[position] = document.length
    average = average_length(sum(lengths), len(lengths))
    if average != average_length(sum(state.lengths), len(state.lengths)):
        return None
    site = output.target
    # doc id -> term -> impact, before and after
    before = {state.doc_ids[position]: _impacts(state.terms(position), state.lengths[position],
                                                average) for position in changes.removed}
    after = {document.doc_id: _impacts(document.terms, document.length, average)
             for document in documents.values()}
    old_ids = before.keys()
    changed = np.array(sorted(old_ids), np.int64)  # their postings are replaced
    # term -> the new postings of it: (doc, impact)
    added: defaultdict[str, list[tuple[int, int]]] = defaultdict(list)
    # term -> how its postings change: (doc, old impact or None, new impact or None)
    moves: defaultdict[str, list[tuple[int, int | None, int | None]]] = defaultdict(list)
    for doc in sorted(old_ids | after.keys()):
        old, new = before.get(doc, {}), after.get(doc, {})
        for term in old.keys() | new.keys():
            if old.get(term) != new.get(term):
                moves[term].append((doc, old.get(term), new.get(term)))
        for term, impact in new.items():
            added[term].append((doc, impact))
    affected = moves.keys()  # terms whose postings change
    by_key: defaultdict[str, list[str]] = defaultdict(list)
    for term in affected:
        by_key[shard_key(term)].append(term)
    shard_files = _shard_files(old_files, by_key.keys())
    replaced = {path for paths in shard_files.values() for path in paths}
    work = sorted(by_key.items())
    # Forking workers beside a 251k archive costs ~0.1 s: more than an edit's patch takes.
    workers = jobs if len(documents) + len(changes.removed) > PARALLEL_CABLES else 1
    _shared.update(output=output, moves=moves, added=added, changed=changed,
                   shard_files=shard_files)
    try:
        for tier_files, records in map_chunks(_patch_shards,
                                              chunks(work, -(-len(work) // (8 * workers))),
                                              workers):
            replaced.update(tier_files)
            output.adopt(records)
    finally:
        _shared.clear()
    results = {document.doc_id: document.result for document in documents.values()}
    for shard in sorted({result_shard(doc) for doc in old_ids | results.keys()}):
        path = result_path(shard)
        replaced.add(path)
        try:
            records = {int(doc): record for doc, record in
                       json.loads((site / path).read_text("utf-8")).items()
                       if int(doc) not in old_ids}
        except FileNotFoundError:  # a doc id moved to an hour that had no cable
            records = {}
        records.update((doc, result) for doc, result in results.items()
                       if result_shard(doc) == shard)
        if records:
            output.write(path, index_json(dict(sorted(records.items()))))
    # The filter lists, origins.json and meta.json are written again by the caller.
    output.keep_all(path for path in old_files if path not in replaced and
                    not path.startswith("search/f/") and
                    path not in ("search/meta.json", "search/origins.json"))
    positions = sorted(documents)
    stored = store_terms(Path(state.folder), [(documents[position].terms,
                                               documents[position].result)
                                              for position in positions])
    for position, location in zip(positions, stored, strict=True):
        locations[4 * position:4 * position + 4] = array(locations.typecode, location)
    return replace(state, paths=changes.paths, lengths=lengths, locations=locations,
                   doc_ids=changes.doc_ids)


def _patch_shards(work: list[tuple[str, list[str]]]) -> tuple[list[str], list]:
    """Patch the terms of some shards (key, their terms that change): write each term's
    tiers and its shard again; returns the tier files read (now replaced or gone) and the
    records of the files written. In a worker process (see patch_index)."""
    output: StagedOutput = _shared["output"]
    moves, added, changed = _shared["moves"], _shared["added"], _shared["changed"]
    shard_files, site = _shared["shard_files"], output.target
    replaced: list[str] = []
    for key, terms in work:
        entries: dict[str, list] = {}
        for path in shard_files.get(key, ()):
            entries.update(json.loads((site / path).read_text("utf-8")))
        entries.pop("*", None)
        terms.sort()
        all_docs, all_impacts, counts = [], [], []
        retiered, spliced = [], {}
        for term in terms:
            texts = []
            if term in entries:
                df, first, tiers = entries[term]
                texts.append(first)
                for number in range(1, tiers):
                    replaced.append(tier_path(term, number))
                    texts.append((site / tier_path(term, number)).read_text("ascii"))
            if all(None not in move for move in moves[term]):  # no posting added or removed
                spliced_texts = _splice(texts, moves[term])  # type: ignore[arg-type]
                if spliced_texts is not None:
                    spliced[term] = (entries[term][0], spliced_texts)
                    continue
            if len(texts) > 1:  # (a term of one tier, or a new one: encoded again below)
                removed = {doc for doc, old, _ in moves[term] if old is not None}
                new = [(doc, impact) for doc, _, impact in moves[term] if impact is not None]
                count = entries[term][0] - len(removed) + len(new)
                if _keeps_its_tiers(len(texts), count):
                    spliced[term] = (count, _update(texts, removed, new))
                    continue
            docs, values = decode_tiers(texts)
            kept = ~np.isin(docs, changed)
            new = added.get(term, [])
            all_docs += [docs[kept], np.array([doc for doc, _ in new], np.int64)]
            all_impacts += [values[kept], np.array([impact for _, impact in new], np.int64)]
            counts.append(int(kept.sum()) + len(new))
            retiered.append(term)
        encoded = encode_tiers(np.concatenate(all_docs or [np.zeros(0, np.int64)]),
                               np.concatenate(all_impacts or [np.zeros(0, np.int64)]),
                               np.array(counts, np.int64)) if retiered else []
        for term, count, tiers in chain(zip(retiered, counts, encoded, strict=True),
                                        ((term, df, texts) for term, (df, texts)
                                         in spliced.items())):
            if not count:
                entries.pop(term, None)
                continue
            entries[term] = [count, tiers[0], len(tiers)]
            for number, text in enumerate(tiers[1:], start=1):
                output.write(tier_path(term, number), text)
        if entries:  # in term order, as a full indexing writes them
            write_shard(output, key, dict(sorted(entries.items())))
    return replaced, output.take_records()


def _splice(texts: list[str], moves: list[tuple[int, int, int]]) -> list[str] | None:
    """A term's tiers with the impacts of some of its postings changed in place ((doc, old
    impact, new impact) each), when every posting stays in its tier: then only those impact
    characters change (the usual case for the long tiers of common words); None when some
    posting would move to another tier."""
    # One character an impact (they are below 32), so the impacts are read without decoding
    # the doc numbers, which are most of the work: a tier has its doc numbers decoded only if
    # it holds a moved posting's old impact, or ties at its boundary with a changed tier.
    gaps = [text.partition(".")[0] for text in texts]
    impacts_of = [small_numbers(text.partition(".")[2]) for text in texts]
    docs_of: list[np.ndarray | None] = [None] * len(texts)

    def docs(tier: int) -> np.ndarray:
        if docs_of[tier] is None:
            docs_of[tier] = unvlq_sorted(gaps[tier])
        return docs_of[tier]  # type: ignore[return-value]

    changed = set()
    for doc, old, impact in moves:
        tier, at = next((number, int(np.searchsorted(docs(number), doc)))
                        for number in range(len(texts))
                        if np.any(impacts_of[number] == old) and np.any(docs(number) == doc))
        impacts_of[tier][at] = impact
        changed.add(tier)
    # Each tier ranks above the next (best impact first, ties to the newer cable, as
    # encode_tiers ranks them): then every posting is in the tier a new encoding puts it in.
    # Two tiers that did not change still do.
    for tier in sorted({boundary for number in changed for boundary in (number - 1, number)
                        if 0 <= boundary < len(texts) - 1}):
        worst, best = int(impacts_of[tier].min()), int(impacts_of[tier + 1].max())
        if worst < best or worst == best and \
                docs(tier)[impacts_of[tier] == worst].min() < \
                docs(tier + 1)[impacts_of[tier + 1] == best].max():
            return None
    return [f"{gaps[tier]}.{vlq(impacts_of[tier])[0]}" if tier in changed else text
            for tier, text in enumerate(texts)]


def _keeps_its_tiers(tiers: int, count: int) -> bool:
    """Whether a term of `tiers` tiers has as many with `count` postings, two or more: those
    above the last stay full, and the last one (of all the rest, or the last of TIER_SIZES)
    holds the rest."""
    return 1 < tiers and sum(TIER_SIZES[:tiers - 1]) < count and (
        tiers > len(TIER_SIZES) or count <= sum(TIER_SIZES[:tiers]))


def _update(texts: list[str], removed: set[int], new: list[tuple[int, int]]) -> list[str]:
    """A term's tiers with the postings of the doc ids `removed` taken out and the postings
    `new` ((doc, impact) each) put in, when its tiers above the last are full before and
    after, and the last one (of all the rest, or the last of TIER_SIZES) holds the rest: the
    tiers above it are encoded again (they are small); the last tier's text is changed where
    postings leave or join it, without decoding and encoding it all again (the last tiers
    hold most of the index: ~250k postings for a common word at 251k cables, up to 16,384
    for the ~5k terms of a few thousand cables)."""
    head_docs, head_impacts = decode_tiers(texts[:-1])
    gap_text, _, impact_text = texts[-1].partition(".")
    gaps, starts = vlq_numbers(gap_text)
    last_docs, last_impacts = np.cumsum(gaps), small_numbers(impact_text)
    gone = np.array(sorted(removed), np.int64)
    kept = ~np.isin(head_docs, gone)
    at = np.searchsorted(last_docs, gone)
    leaving = set(at[(at < len(last_docs)) & (last_docs[np.minimum(at, len(last_docs) - 1)]
                                               == gone)].tolist())
    # The head lost postings: the best of the last tier may move up into it.
    lost = min(len(head_docs) - int(kept.sum()), len(last_docs) - len(leaving))
    up = np.zeros(0, np.int64)
    if lost:
        rank = rank_keys(last_impacts, last_docs)
        rank[list(leaving)] = np.iinfo(np.int64).max
        up = np.argpartition(rank, lost - 1)[:lost]
    docs = np.concatenate((head_docs[kept], np.array([doc for doc, _ in new], np.int64),
                           last_docs[up]))
    values = np.concatenate((head_impacts[kept], np.array([impact for _, impact in new],
                                                          np.int64), last_impacts[up]))
    ranked = np.argsort(rank_keys(values, docs))  # (doc ids are distinct: no ties)
    head, below = ranked[:len(head_docs)], ranked[len(head_docs):]
    (encoded,) = encode_tiers(docs[head], values[head], np.array([len(head)]))
    from_last = len(docs) - len(up)  # pool entries from this index on came from the last tier
    leaving.update(up[head[head >= from_last] - from_last].tolist())
    joining = below[below < from_last]
    order = np.argsort(docs[joining])
    return [*encoded, _splice_last(gap_text, impact_text, last_docs, starts, sorted(leaving),
                                   docs[joining][order], values[joining][order])]


def _splice_last(gap_text: str, impact_text: str, docs: np.ndarray, starts: np.ndarray,
                 leaving: list[int], joining_docs: np.ndarray, joining_impacts: np.ndarray
                 ) -> str:
    """A tier's text (its `docs`, and where each one's gap `starts` in `gap_text`) with the
    postings at the indexes `leaving` taken out and others (doc ids ascending, not in it) put
    in: the text between the changes is copied, only the gaps around them encoded."""
    events: dict[int, tuple[list[tuple[int, int]], bool]] = {}  # index -> (put before, leaves)
    for doc, impact, index in zip(joining_docs.tolist(), joining_impacts.tolist(),
                                  np.searchsorted(docs, joining_docs).tolist(), strict=True):
        events.setdefault(index, ([], False))[0].append((doc, impact))
    for index in leaving:
        events[index] = (events.get(index, ([], False))[0], True)
    bounds = np.append(starts, len(gap_text))
    gap_parts: list[str] = []
    impact_parts: list[str] = []
    copied = 0  # the tier's postings before this one are written, or left out
    previous = 0  # the doc id written last (gaps count from 0)
    moved = False  # whether the posting at `copied` follows another doc id than before

    def copy_to(end: int) -> None:
        nonlocal copied, previous, moved
        if copied < end:
            if moved:  # its gap changed: the rest of the run is copied
                gap_parts.append(encode([int(docs[copied]) - previous]))
                gap_parts.append(gap_text[bounds[copied + 1]:bounds[end]])
            else:
                gap_parts.append(gap_text[bounds[copied]:bounds[end]])
            impact_parts.append(impact_text[copied:end])
            previous, moved = int(docs[end - 1]), False
        copied = max(copied, end)

    for index in sorted(events):
        joining, leaves = events[index]
        copy_to(index)
        if joining:
            gap_parts.append(encode([b - a for a, b in
                                     pairwise([previous, *(doc for doc, _ in joining)])]))
            impact_parts.append("".join(ALPHABET[impact] for _, impact in joining))
            previous, moved = joining[-1][0], True
        if leaves:
            copied, moved = index + 1, True
    copy_to(len(docs))
    return "".join(gap_parts) + "." + "".join(impact_parts)


def _impacts(terms: dict[str, int], length: int, average: float) -> dict[str, int]:
    """term -> impact in a document of this length, as a full indexing computes them."""
    frequencies = np.fromiter(terms.values(), np.int64, len(terms))
    norms = np.full(len(terms), norm(length, average))
    return dict(zip(terms, impacts(frequencies, norms).tolist(), strict=True))


def _shard_files(old_files: Sequence[str], keys: Sequence[str]) -> dict[str, list[str]]:
    """The term files of each shard key: its own and, if it was split, those of its longer
    keys (which all start with it; keys under 3 characters are whole terms, never split)."""
    wanted = set(keys)
    files: defaultdict[str, list[str]] = defaultdict(list)
    for path in old_files:
        if path.startswith("search/t/"):
            stem = path.rsplit("/", 1)[1].removesuffix(".json")
            if stem[:3] in wanted:
                files[stem[:3]].append(path)
    return files
