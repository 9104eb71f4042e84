"""Second pass of the index writer, for one bucket of terms: postings -> BM25 impacts ->
impact tiers -> encoded text (see index.py for the layout).

Vectorised with numpy over all the terms of a bucket: at 251k cables a bucket holds millions
of postings, which one Python operation each would take minutes to score and encode. The
result is the same, to the byte, as the plain per-term definition (tests).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from itertools import chain, pairwise

import numpy as np

from generator.search.encoding import ALPHABET
from generator.search.index import DOC_BITS, FREQUENCY_BITS, K1, MAX_FREQUENCY, TIER_SIZES

_ALPHABET_BYTES = np.frombuffer(ALPHABET.encode(), np.uint8)


SLICE = 1 << 20  # postings scored at once: bounds the arrays' memory (~100 MB)


def term_tiers(postings: dict[str, list[int]], norms: Sequence[float], total_docs: int
               ) -> Iterator[tuple[str, int, list[str]]]:
    """(term, document frequency, tier texts) for every term, in term order. `postings`:
    term -> its postings in doc order, packed as in the runs; `norms`: each document's BM25
    length norm. Empties `postings` as it goes, a slice of terms at a time."""
    norm_array = np.array(norms)
    terms = sorted(postings)
    start = 0
    while start < len(terms):
        stop, size = start, 0
        while stop < len(terms) and (stop == start or size + len(postings[terms[stop]]) <= SLICE):
            size += len(postings[terms[stop]])
            stop += 1
        part = terms[start:stop]
        counts = np.fromiter((len(postings[term]) for term in part), np.int64, len(part))
        packed = np.fromiter(chain.from_iterable(postings.pop(term) for term in part), np.int64,
                             size)
        yield from zip(part, counts.tolist(), _tiers(packed, counts, norm_array, total_docs),
                       strict=True)
        start = stop


def _tiers(packed: np.ndarray, counts: np.ndarray, norms: np.ndarray, total_docs: int
           ) -> list[list[str]]:
    """The postings of consecutive terms (`counts` each), scored and encoded tier by tier."""
    docs = packed >> FREQUENCY_BITS
    frequencies = packed & MAX_FREQUENCY
    term_of = np.repeat(np.arange(len(counts)), counts)
    # math.log, not np.log: the same idf to the last bit as the per-term definition.
    scales = np.array([math.log(1 + (total_docs - df + 0.5) / (df + 0.5)) * (K1 + 1) * 16
                       for df in counts.tolist()])
    # Impacts are BM25 scores in 1/16ths, from 1 to 255 (rint rounds half to even, as round).
    impacts = np.rint(scales[term_of] * frequencies / (frequencies + norms[docs]))
    impacts = np.clip(impacts, 1, 255).astype(np.int64)
    # Rank each term's postings, best first, ties to the newer cable (as the query engine
    # ranks): one sort of (term, 255 - impact, newest doc first) keys.
    newest_first = (1 << DOC_BITS) - 1 - docs
    ranked = np.sort(term_of << (8 + DOC_BITS) | (255 - impacts) << DOC_BITS | newest_first)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    ranked_term = ranked >> (8 + DOC_BITS)
    rank = np.arange(len(ranked)) - starts[ranked_term]
    tier = np.searchsorted(np.cumsum(TIER_SIZES), rank, side="right")
    ranked_impact = 255 - (ranked >> DOC_BITS & 255)
    ranked_doc = (1 << DOC_BITS) - 1 - (ranked & ((1 << DOC_BITS) - 1))
    # Each tier in doc order: sort (term, tier, doc, impact) keys.
    tiered = np.sort((ranked_term << 2 | tier) << (DOC_BITS + 8) | ranked_doc << 8
                     | ranked_impact)
    group = tiered >> (DOC_BITS + 8)
    docs = tiered >> 8 & ((1 << DOC_BITS) - 1)
    first = np.ones(len(tiered), bool)
    first[1:] = group[1:] != group[:-1]
    gaps = docs.copy()
    gaps[1:] -= np.where(first[1:], 0, docs[:-1])
    gap_text, gap_offsets = vlq(gaps)
    impact_text, impact_offsets = vlq(tiered & 255)
    bounds = np.flatnonzero(first).tolist() + [len(tiered)]
    encoded: list[list[str]] = [[] for _ in counts]
    for (start, end), term in zip(pairwise(bounds),
                                  (group[np.flatnonzero(first)] >> 2).tolist(), strict=True):
        encoded[term].append(gap_text[gap_offsets[start]:gap_offsets[end]] + "."
                             + impact_text[impact_offsets[start]:impact_offsets[end]])
    return encoded


def vlq(numbers: np.ndarray) -> tuple[str, list[int]]:
    """encoding.encode of all `numbers` at once: the text, and where each number's
    characters start (one more offset at the end)."""
    sizes = np.ones(len(numbers), np.int64)
    rest = numbers >> 5
    while rest.any():
        sizes += rest > 0
        rest >>= 5
    ends = np.cumsum(sizes)
    out = np.empty(int(ends[-1]) if len(ends) else 0, np.uint8)
    starts = ends - sizes
    for place in range(int(sizes.max()) if len(sizes) else 0):
        chosen = sizes > place
        digits = numbers[chosen] >> (5 * place) & 31
        digits |= (sizes[chosen] > place + 1) << 5  # continuation bit
        out[starts[chosen] + place] = _ALPHABET_BYTES[digits]
    return out.tobytes().decode("ascii"), np.concatenate(([0], ends)).tolist()
