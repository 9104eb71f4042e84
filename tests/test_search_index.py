"""The search index writer (generator/search/index.py) on the sample archive: shards split by
one more character when too big, runs merged bucket by bucket, nothing left behind.

The sample is built twice, with the default shard size and with a tiny one that forces
splits (and postings scored a few terms at a time); the two indexes must hold exactly the same
terms and postings.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import generator.search.index as index
import generator.search.tiers as tiers
from generator.builder import build_site
from generator.config import load_config
from generator.search.encoding import decode, decode_sorted, encode, encode_sorted

ROOT = Path(__file__).resolve().parent.parent
SMALL_SHARD = 2_000
SMALL_SLICE = 300


def build(folder: Path, *, jobs: int = 2) -> Path:
    folder.mkdir(parents=True)
    (folder / "gen.yaml").write_text(
        f"title: Sample\ncontent_dir: {json.dumps(str(ROOT / 'content'))}\n", encoding="utf-8")
    build_site(load_config(folder), jobs=jobs)
    return folder / "site"


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("index")
    built = {"default": build(folder / "default")}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index, "SHARD_BYTES", SMALL_SHARD)
        patch.setattr(tiers, "SLICE", SMALL_SLICE)  # postings scored a few terms at a time
        built["split"] = build(folder / "split", jobs=1)  # fresh workers would not see these
    return built


def shard_files(site: Path) -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8"))
            for path in (site / "search" / "t").glob("*/*.json")}


def leaf_terms(shards: dict[str, dict]) -> dict[str, list]:
    """Every term's entry, wherever it is stored."""
    terms: dict[str, list] = {}
    for key, shard in shards.items():
        for term, entry in shard.items():
            if term != "*":
                assert term.startswith(key), (key, term)
                assert term not in terms, f"{term} stored twice"
                terms[term] = entry
    return terms


def test_split_index_holds_the_same_terms_and_postings(sites: dict[str, Path]) -> None:
    default, split = shard_files(sites["default"]), shard_files(sites["split"])
    assert sum("*" in shard for shard in split.values()) > \
        sum("*" in shard for shard in default.values()) + 20
    assert leaf_terms(split) == leaf_terms(default)
    deeper = sorted(p.relative_to(sites["default"]) for p in
                    (sites["default"] / "search" / "p").rglob("*.txt"))
    assert deeper == sorted(p.relative_to(sites["split"]) for p in
                            (sites["split"] / "search" / "p").rglob("*.txt"))


def test_split_shards_are_small_and_found_by_walking_keys(sites: dict[str, Path]) -> None:
    shards = shard_files(sites["split"])
    terms = leaf_terms(shards)
    for key, shard in shards.items():
        text = (sites["split"] / "search" / "t" / key[0] / f"{key}.json").read_text("utf-8")
        longer = [t for t in terms if t.startswith(key) and len(t) > len(key) >= 3]
        if "*" in shard:
            # a split key keeps only its own term and its prefix expansions
            assert set(shard) <= {key, "*"}
            with_prefix = sorted(((t, e) for t, e in terms.items() if t.startswith(key)),
                                 key=lambda item: (-item[1][0], item[0]))
            assert [tuple(pair) for pair in shard["*"]] == \
                [(t, e) for t, e in with_prefix[:index.MAX_EXPANSIONS]]
        else:
            assert len(text) <= SMALL_SHARD or not [t for t in shard if len(t) > len(key)], key
            assert all(t in shard for t in longer), key
    for term in terms:  # the walk a client does: one more character while the file is split
        key = term[:3]
        while "*" in shards[key] and len(term) > len(key):
            key = term[:len(key) + 1]
        assert term in shards[key], term


def test_postings_are_valid_and_ranked_by_impact_across_tiers(sites: dict[str, Path]) -> None:
    site = sites["default"]
    meta = json.loads((site / "search" / "meta.json").read_text(encoding="utf-8"))
    assert meta["docs"] == len(list((ROOT / "content" / "cables").rglob("*.md")))
    assert meta["root"] == "/"
    # every document has its result data, in the shard of its doc id
    documents = set()
    for path in (site / "search" / "d").rglob("*.json"):
        records = json.loads(path.read_text(encoding="utf-8"))
        assert records and all(int(doc) >> meta["shard_bits"] == int(path.stem) for doc in records)
        documents.update(map(int, records))
    assert len(documents) == meta["docs"]
    terms = leaf_terms(shard_files(site))
    deep = {term: entry for term, entry in terms.items() if entry[2] > 1}
    assert deep, "the sample has terms in more than one tier"
    for term, (df, tier0, tier_count) in terms.items():
        texts = [tier0] + [
            (site / "search" / "p" / term[0] / term[:3] / f"{term}.{n}.txt").read_text("utf-8")
            for n in range(1, tier_count)]
        seen: set[int] = set()
        previous_lowest = 256
        for text in texts:
            ids_text, impacts_text = text.split(".")
            ids, impacts = decode_sorted(ids_text), decode(impacts_text)
            assert len(ids) == len(impacts) and ids == sorted(set(ids)), term
            assert set(ids) <= documents and all(1 <= v <= 255 for v in impacts)
            assert max(impacts) <= previous_lowest, term  # tiers hold the best impacts first
            previous_lowest = min(impacts)
            assert not seen & set(ids)
            seen |= set(ids)
        assert len(seen) == df, term


def test_one_job_writes_the_same_index_and_no_scratch_is_left(
        sites: dict[str, Path], tmp_path: Path) -> None:
    single = build(tmp_path / "single", jobs=1)
    files = sorted(p.relative_to(single) for p in (single / "search").rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(sites["default"]) for p in
                           (sites["default"] / "search").rglob("*") if p.is_file())
    for name in files:
        assert (single / name).read_bytes() == (sites["default"] / name).read_bytes(), name
    # the build cache stays; no staging or scratch folder does
    assert sorted(p.name for p in (tmp_path / "single").iterdir()) == \
        [".gen-cache", "gen.yaml", "site"]


# -- the vectorised merge, against plain Python ----------------------------------------------

@given(st.lists(st.integers(min_value=0, max_value=(1 << 40) - 1), max_size=60))
def test_vlq_of_many_numbers_is_their_encoding_one_by_one(numbers: list[int]) -> None:
    text, offsets = tiers.vlq(np.array(numbers, dtype=np.int64))
    assert text == encode(numbers)
    assert [text[a:b] for a, b in zip(offsets, offsets[1:], strict=False)] == \
        [encode([n]) for n in numbers]


@given(st.lists(st.integers(min_value=0, max_value=(1 << 40) - 1), max_size=60))
def test_vectorised_vlq_decoding_is_decode(numbers: list[int]) -> None:
    text = encode(numbers)
    decoded, starts = tiers.vlq_numbers(text)
    assert decoded.tolist() == tiers.unvlq(text).tolist() == numbers
    bounds = [*starts.tolist(), len(text)]
    assert [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)] == \
        [encode([n]) for n in numbers]
    assert tiers.unvlq_sorted(text).tolist() == decode_sorted(text)


def test_tiers_hold_bm25_impacts_best_first_ties_to_the_newer_cable() -> None:
    docs = 5000
    lengths = [100 + (doc * 37) % 400 for doc in range(docs)]
    average = index.average_length(sum(lengths), docs)
    norms = [index.norm(length, average) for length in lengths]
    doc_ids = [position * 7 + position % 3 for position in range(docs)]  # sparse, ascending
    norm_of = dict(zip(doc_ids, norms, strict=True))
    # A frequent term (three tiers, many equal impacts) and a rare one (one tier).
    frequent = {doc_ids[p]: 1 + p % 7 for p in range(0, docs, 2)}
    rare = {doc_ids[17]: 3, doc_ids[4000]: 1}
    packed = {"frequent": [doc << index.FREQUENCY_BITS | f for doc, f in frequent.items()],
              "rare": [doc << index.FREQUENCY_BITS | f for doc, f in rare.items()]}
    encoded = {term: (df, term_tiers)
               for term, df, term_tiers in tiers.term_tiers(packed, norms, doc_ids)}
    for term, postings in (("frequent", frequent), ("rare", rare)):
        df = len(postings)
        # BM25's saturated, length-normalised frequency in steps (idf: at query time)
        scale = tiers.IMPACT_SCALE
        impacts = {doc: min(scale, max(1, round(scale * f / (f + norm_of[doc]))))
                   for doc, f in postings.items()}
        best_first = sorted(impacts, key=lambda doc: (impacts[doc], doc), reverse=True)
        expected, start = [], 0
        for size in (*index.TIER_SIZES, df):
            if start < df:
                tier = sorted(best_first[start:start + size])
                expected.append(encode_sorted(tier) + "." + encode([impacts[d] for d in tier]))
            start += size
        assert encoded[term] == (df, expected)
        docs_read, impacts_read = tiers.decode_tiers(expected)
        assert dict(zip(docs_read.tolist(), impacts_read.tolist(), strict=True)) == impacts
    assert len(encoded["frequent"][1]) == 3 and len(encoded["rare"][1]) == 1


@given(st.data())
def test_impacts_changed_in_place_are_the_tiers_encoded_again(data: st.DataObject) -> None:
    """patch._splice changes some postings' impacts in their tiers; where it says it can, the
    result is what encoding all the postings again gives, and it declines only when some
    posting would move to another tier."""
    from generator.search.patch import _splice

    count = data.draw(st.integers(1, 3000))
    docs = np.array(sorted(data.draw(st.sets(st.integers(0, 50_000), min_size=count,
                                             max_size=count))), np.int64)
    values = np.array(data.draw(st.lists(st.integers(1, tiers.IMPACT_SCALE), min_size=count,
                                         max_size=count)), np.int64)
    changed = sorted(data.draw(st.sets(st.integers(0, count - 1), min_size=1, max_size=20)))
    new = data.draw(st.lists(st.integers(1, tiers.IMPACT_SCALE), min_size=len(changed),
                             max_size=len(changed)))
    (before,) = tiers.encode_tiers(docs, values, np.array([count]))
    moves = [(int(docs[at]), int(values[at]), impact)
             for at, impact in zip(changed, new, strict=True)]
    values[changed] = new
    (after,) = tiers.encode_tiers(docs, values, np.array([count]))
    spliced = _splice(before, moves)

    def tier_of_each(texts: list[str]) -> dict[int, int]:
        return {doc: number for number, text in enumerate(texts)
                for doc in tiers.decode_tiers([text])[0].tolist()}

    if spliced is not None:
        assert spliced == after
    else:
        assert tier_of_each(before) != tier_of_each(after)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans(), st.booleans(),
       st.integers(2, len(index.TIER_SIZES) + 1))
def test_postings_changed_in_a_term_with_full_upper_tiers_are_the_tiers_encoded_again(
        seed: int, sparse: bool, ties: bool, tier_count: int) -> None:
    """patch._update takes postings out of a term whose tiers above the last are full, puts
    others in and changes impacts: the tiers above the last encoded again, the last one's
    text changed in place (a last tier of all the rest, or the last of TIER_SIZES); the same
    as encoding all the postings again (new ones before the first and after the last, best
    ones removed: the last tier's best move up)."""
    from generator.search.patch import _update

    rng = np.random.default_rng(seed)
    head = sum(index.TIER_SIZES[:tier_count - 1])
    most = sum(index.TIER_SIZES[:tier_count]) if tier_count <= len(index.TIER_SIZES) else 0
    # It keeps its tiers: at most 70 postings leave, 61 come.
    count = int(rng.integers(head + 100, min(most - 100, head + 3000) if most else head + 3000))
    universe = rng.choice(2**27 if sparse else 3 * count, count + 60, replace=False)
    docs = np.sort(universe[:count]).astype(np.int64)
    values = rng.integers(1, 3 if ties else tiers.IMPACT_SCALE + 1, count).astype(np.int64)
    (before,) = tiers.encode_tiers(docs, values, np.array([count]))
    assert len(before) == tier_count
    postings = dict(zip(docs.tolist(), values.tolist(), strict=True))
    best = sorted(postings, key=lambda doc: (postings[doc], doc), reverse=True)
    removed = {*rng.choice(docs, int(rng.integers(0, 40)), replace=False).tolist(),
               *best[:int(rng.integers(0, 30))]}
    changed = sorted(removed)[:10]  # taken out and put in again with a new impact
    # (dict.fromkeys: the doc after the last may be one of the universe's new ones too)
    new = [(doc, int(rng.integers(1, tiers.IMPACT_SCALE + 1)))
           for doc in dict.fromkeys([*changed,
                                     *universe[count:count + int(rng.integers(0, 50))].tolist(),
                                     *([int(docs[-1]) + 1] if rng.random() < 0.5 else [])])]
    after = {doc: impact for doc, impact in postings.items() if doc not in removed}
    after.update(new)
    after_docs = np.array(sorted(after), np.int64)
    (expected,) = tiers.encode_tiers(after_docs, np.array([after[doc] for doc in after_docs]),
                                     np.array([len(after)]))
    assert _update(before, removed, new) == expected


def test_a_term_keeps_its_tiers_when_a_new_encoding_gives_it_as_many() -> None:
    """patch._update is used for a term whose count of postings changes when the new count
    gives it as many tiers; encode_tiers decides."""
    from generator.search.patch import _keeps_its_tiers

    bounds = np.cumsum(index.TIER_SIZES)
    for count in sorted({1, 2, *bounds.tolist(), *(bounds + 1).tolist(), *(bounds - 1).tolist(),
                         int(bounds[-1]) * 3}):
        docs = np.arange(count, dtype=np.int64)
        (encoded,) = tiers.encode_tiers(docs, np.ones(count, np.int64), np.array([count]))
        for tier_count in range(1, len(index.TIER_SIZES) + 2):
            assert _keeps_its_tiers(tier_count, count) == (len(encoded) == tier_count > 1), \
                (tier_count, count)


def test_an_impact_that_moves_its_posting_to_another_tier_is_not_changed_in_place() -> None:
    from generator.search.patch import _splice

    docs = np.arange(300, dtype=np.int64)
    (before,) = tiers.encode_tiers(docs, np.ones(300, np.int64), np.array([300]))
    assert len(before) == 2  # the oldest cables are past the first tier's 256
    assert _splice(before, [(0, 1, tiers.IMPACT_SCALE)]) is None  # the best: first tier
    (after,) = tiers.encode_tiers(docs, np.where(docs == 299, 2, 1), np.array([300]))
    assert _splice(before, [(299, 1, 2)]) == after  # the newest, best already: it stays
    # Two of the first tier's cables swap their ranks: both stay in it.
    (after,) = tiers.encode_tiers(docs, np.where(docs == 298, 3, np.where(docs == 299, 2, 1)),
                                  np.array([300]))
    assert _splice(before, [(299, 1, 2), (298, 1, 3)]) == after
