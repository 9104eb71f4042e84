"""Postings -> impacts -> impact tiers -> encoded text, and back (see index.py for the layout).

Impacts are document-local: the saturated, length-normalised term frequency of BM25,
f / (f + norm), in 31sts. The term's idf is applied by the query engines (from its df and the
number of documents), so an edited cable changes the postings of its own terms only, and a
term's tiers are its postings ranked exactly as by the full BM25 score.

Vectorised with numpy over all the terms of a bucket: at 251k cables a bucket holds millions
of postings, which one Python operation each would take minutes to score and encode. The
result is the same, to the byte, as the plain per-term definition (tests).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import chain, pairwise

import numpy as np

from generator.search.doc_ids import DOC_BITS
from generator.search.encoding import ALPHABET
from generator.search.index import FREQUENCY_BITS, MAX_FREQUENCY, TIER_SIZES

_ALPHABET_BYTES = np.frombuffer(ALPHABET.encode(), np.uint8)
_DIGIT_BYTES = np.zeros(256, np.uint8)
_DIGIT_BYTES[_ALPHABET_BYTES] = np.arange(len(ALPHABET))
# f / (f + norm) is below 1: in 31 steps, one VLQ character an impact. Ranking lost nothing
# measurable (known-item MRR at 10k cables: 0.974; 0.978 with 255 steps, whose index is 30%
# bigger; 0.969 with the idf in the impacts), and the index is smaller than with 255.
IMPACT_SCALE = 31

SLICE = 1 << 20  # postings scored at once: bounds the arrays' memory (~100 MB)


def impacts(frequencies: np.ndarray, norms: np.ndarray) -> np.ndarray:
    """Impacts of postings with these weighted frequencies in documents of these norms."""
    # rint rounds half to even, as round; a posting is worth at least 1.
    return np.clip(np.rint(IMPACT_SCALE * frequencies / (frequencies + norms)), 1, IMPACT_SCALE
                   ).astype(np.int64)


def term_tiers(postings: dict[str, list[int]], norms: Sequence[float], doc_ids: Sequence[int]
               ) -> Iterator[tuple[str, int, list[str]]]:
    """(term, document frequency, tier texts) for every term, in term order. `postings`:
    term -> its postings in doc order, packed as in the runs; `norms`: each document's BM25
    length norm, in the order of `doc_ids` (ascending). Empties `postings` as it goes, a
    slice of terms at a time."""
    norm_array = np.array(norms)
    id_array = np.array(doc_ids, np.int64)
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
        docs = packed >> FREQUENCY_BITS
        doc_norms = norm_array[np.searchsorted(id_array, docs)]
        encoded = encode_tiers(docs, impacts(packed & MAX_FREQUENCY, doc_norms), counts)
        yield from zip(part, counts.tolist(), encoded, strict=True)
        start = stop


def rank_keys(impact: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """Keys that sort postings as the tiers rank them: best impact first, ties to the newer
    cable (255 - impact, then the doc id counted down)."""
    return (255 - impact) << DOC_BITS | ((1 << DOC_BITS) - 1 - docs)


def encode_tiers(docs: np.ndarray, impact: np.ndarray, counts: np.ndarray) -> list[list[str]]:
    """The postings of consecutive terms (`counts` each; any order within a term) as tiers of
    encoded text: each term's best impacts first, ties to the newer cable (as the query
    engines rank), each tier in doc order."""
    term_of = np.repeat(np.arange(len(counts)), counts)
    # One sort of (term, rank key) keys ranks every term's postings.
    ranked = np.sort(term_of << (8 + DOC_BITS) | rank_keys(impact, docs))
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
    bounds = np.append(np.flatnonzero(first), len(tiered))
    encoded: list[list[str]] = [[] for _ in counts]
    for (gap_start, gap_end), (impact_start, impact_end), term in zip(
            pairwise(gap_offsets[bounds].tolist()), pairwise(impact_offsets[bounds].tolist()),
            (group[np.flatnonzero(first)] >> 2).tolist(), strict=True):
        encoded[term].append(gap_text[gap_start:gap_end] + "."
                             + impact_text[impact_start:impact_end])
    return encoded


def decode_tiers(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """The (docs, impacts) of a term's encoded tiers, all of them together."""
    docs, values = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for text in texts:
        ids_text, _, impacts_text = text.partition(".")
        docs.append(unvlq_sorted(ids_text))
        values.append(unvlq(impacts_text))
    return np.concatenate(docs), np.concatenate(values)


def unvlq(text: str) -> np.ndarray:
    """encoding.decode, vectorised."""
    return vlq_numbers(text)[0]


def unvlq_sorted(text: str) -> np.ndarray:
    """encoding.decode_sorted, vectorised: the running sums of the numbers."""
    values, ends = _placed_digits(text)
    return np.cumsum(values).compress(ends)


def vlq_numbers(text: str) -> tuple[np.ndarray, np.ndarray]:
    """The numbers of a VLQ text and where each starts in it."""
    values, ends = _placed_digits(text)
    if ends.all():  # all below 32, as most doc gaps in the long tiers of common words
        return values, np.arange(len(values))
    last = np.flatnonzero(ends)  # each number's last character
    numbers = np.diff(np.cumsum(values).take(last), prepend=0)
    return numbers, np.concatenate(([0], last[:-1] + 1))


def _placed_digits(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Each character's digit shifted to its place in its number (a number is then the sum
    of its characters'), and whether a number ends at the character. Most numbers have one
    or two characters: the characters to shift are found one place at a time, among those
    shifted at the place before (placing every character by where its number starts, with
    more passes over the whole text, took up to twice as long: most of the time of patching
    a common word's postings)."""
    digits = np.take(_DIGIT_BYTES, np.frombuffer(text.encode("ascii"), np.uint8))
    ends = digits < 32  # a number's last character has no continuation bit
    values = (digits & 31).astype(np.int64)
    after = np.flatnonzero(~ends) + 1  # characters after one of their number ...
    place = 1
    while len(after):
        values[after] <<= 5
        place += 1
        after = after[after >= place]
        after = after[~ends[after - place]]  # ... after `place` of their number
    return values, ends


def small_numbers(text: str) -> np.ndarray:
    """unvlq of numbers all below 32, such as impacts: one character each, no continuations."""
    digits = np.take(_DIGIT_BYTES, np.frombuffer(text.encode("ascii"), np.uint8))
    return digits.astype(np.int64)


def vlq(numbers: np.ndarray) -> tuple[str, np.ndarray]:
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
    return out.tobytes().decode("ascii"), np.concatenate(([0], ends))
