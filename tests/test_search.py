"""Search (issue #4): tokenising, the index encoding, query parsing, and queries evaluated on the
sample archive through the very index files the browser reads (generator/search/query.py).

The archive is built once into a temporary folder; every answer is checked against the cables'
front matter (content/) and their built pages. When Node.js is installed, the browser client
(themes/default/static/search.js, which exports its engine to CommonJS) is run on the same files
and must give the same answers as the Python engine. Split term shards are checked on a small
hand-written index, and on the sample archive built with a small shard size.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from generator.builder import build_site, html_to_text
from generator.config import load_config
from generator.search import index as search_index
from generator.search.encoding import decode, decode_sorted, encode, encode_sorted
from generator.search.index import filter_slug
from generator.search.query import (
    COMMON_FRACTION,
    MAX_EXPANSIONS,
    PAGE_BUDGET,
    Searcher,
    page_texts,
    parse,
)
from generator.search.tokens import MAX_TOKEN, normalise, reference_term, shard_key, tokens

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEARCH_JS = ROOT / "themes" / "default" / "static" / "search.js"
NODE = shutil.which("node")
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# -- the sample archive, built once --------------------------------------------------------

@dataclass
class Archive:
    site: Path
    cables: dict[str, dict]  # reference ID -> front matter
    _phrase_texts: dict[str, list[list[str]]] = field(default_factory=dict)

    def fetcher(self, counter: dict[str, int] | None = None) -> Callable[[str], str | None]:
        """`fetch(path)` over the built site, as the browser would get the files; counts the
        bytes read in `counter` by kind of file: `d` (result data), `page` (cable pages, read
        to check phrases) or `index` (the rest)."""
        return site_fetcher(self.site, counter)

    def searcher(self) -> Searcher:
        return Searcher(self.fetcher())

    def url_of(self, reference_id: str) -> str:
        (page,) = self.site.glob(f"cable/**/{reference_id}.html")
        return "/" + page.relative_to(self.site).as_posix()

    def phrase_texts(self, url: str) -> list[list[str]]:
        """The tokens of the subject, the tags and the body of a cable page, found by the
        markup of cable.html (independently of query.page_texts)."""
        if url not in self._phrase_texts:
            html = (self.site / url.lstrip("/")).read_text(encoding="utf-8")
            regions = [r"<h1 data-search-text>(.*?)</h1>",
                       r'<ul class="tag-list" data-search-text>(.*?)</ul>',
                       r'<div class="cable-body" data-search-text>(.*?)</div>\s*</section>']
            self._phrase_texts[url] = [tokens(html_to_text(m.group(1))) for region in regions
                                       for m in re.finditer(region, html, re.S)]
        return self._phrase_texts[url]

    def page_tokens(self, url: str) -> set[str]:
        """The words of a cable page's main content, tokenised like the index."""
        html = (self.site / url.lstrip("/")).read_text(encoding="utf-8")
        main = html[html.index("<main"):html.index("</main>")]
        return set(tokens(html_to_text(main)))


def site_fetcher(site: Path, counter: dict[str, int] | None = None,
                 paths: list[str] | None = None) -> Callable[[str], str | None]:
    """`fetch(path)` over a site folder; counts bytes by kind in `counter`, lists paths read
    in `paths`."""
    def fetch(path: str) -> str | None:
        file = site / path
        if not file.is_file():
            return None
        data = file.read_bytes()
        if counter is not None:
            kind = ("d" if path.startswith("search/d/") else
                    "index" if path.startswith("search/") else "page")
            counter[kind] = counter.get(kind, 0) + len(data)
        if paths is not None:
            paths.append(path)
        return data.decode("utf-8")
    return fetch


def build_sample(folder: Path, **patches: object) -> Path:
    """Build the sample archive into `folder`/site, with index module constants patched (in
    one process then: the index's bucket writers are fresh processes, which would not see
    the patches)."""
    project = folder / "project"
    project.mkdir()
    settings = yaml.safe_load((ROOT / "gen.yaml").read_text(encoding="utf-8")) or {}
    settings.update(content_dir=str(CONTENT), output_dir=str(folder / "site"))
    (project / "gen.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        for name, value in patches.items():
            patch.setattr(search_index, name, value)
        build_site(load_config(project), jobs=1 if patches else None)
    return folder / "site"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    folder = tmp_path_factory.mktemp("search")
    build_sample(folder)
    cables = {}
    for path in CONTENT.rglob("*.md"):
        match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
        assert match, path
        front = yaml.load(match.group(1), Loader=Loader)
        cables[front["reference_id"]] = front
    return Archive(folder / "site", cables)


@pytest.fixture(scope="module")
def searcher(archive: Archive) -> Searcher:
    return archive.searcher()


def ids(answer) -> list[str]:
    return [r.reference_id for r in answer.results]


def everything(searcher: Searcher, text: str, **options) -> list:
    """Every result of a query (one page big enough for the whole archive). A phrase query
    checks a limited number of pages per call: ask again until the answer is complete."""
    answer = searcher.search(text, limit=10_000, **options)
    for _ in range(20):
        if answer.complete:
            break
        answer = searcher.search(text, limit=10_000, **options)
    assert answer.complete and len(answer.results) == answer.total
    return answer.results


def is_common(searcher: Searcher, word: str) -> bool:
    return len(everything(searcher, word)) > searcher.meta["docs"] * COMMON_FRACTION


def contains(texts: list[list[str]], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(words[i:i + n] == phrase for words in texts for i in range(len(words) - n + 1))


def year_of(front: dict) -> int | None:
    created = front.get("created")
    return int(str(created)[:4]) if created else None


# -- tokenising ------------------------------------------------------------------------------

def test_tokens_fold_case_accents_and_punctuation() -> None:
    assert tokens("Uzbek UZBEK uzbek") == ["uzbek"] * 3
    assert tokens("Úzbek Ça, São-Paulo; naïve résumé") == [
        "uzbek", "ca", "sao", "paulo", "naive", "resume"]
    assert tokens("Ｆｕｌｌｗｉｄｔｈ ﬁle ²") == ["fullwidth", "file", "2"]  # NFKD compatibility
    assert tokens("U.S.-Uzbek (SBU) ¶4. e-mail: a_b") == ["u", "s", "uzbek", "sbu", "4", "e",
                                                         "mail", "a", "b"]
    assert tokens("Ærø Œuvre ß ø") == ["r", "uvre"]  # letters that do not decompose are gaps
    assert tokens("") == [] and tokens(" \n\t—…") == []
    assert normalise("Ä\u0301") == "a"


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80)
       | st.text(alphabet="aAeE1 .\u00b6\u0301\u0327\u0130\u212a\ufb01\u00c5\u0308", max_size=30))
def test_tokens_are_nfkd_without_marks_lower_cased_runs_of_letters_and_digits(text: str) -> None:
    # The definition, done the slow way on the whole text (tokens() decomposes only the
    # non-ASCII runs and splits bytes).
    folded = "".join(c for c in unicodedata.normalize("NFKD", text)
                     if not unicodedata.combining(c)).lower()
    expected = [t for t in re.findall(r"[a-z0-9]+", folded) if len(t) <= MAX_TOKEN]
    assert tokens(text) == expected


def test_tokens_keep_reference_ids_and_numbers_whole() -> None:
    assert tokens("07TASHKENT477, 08STATE12345") == ["07tashkent477", "08state12345"]
    assert tokens("12958 2007-03-23") == ["12958", "2007", "03", "23"]


def test_overlong_tokens_are_dropped() -> None:
    assert tokens("a" * 40 + " b") == ["a" * 40, "b"]
    assert tokens("a" * 41 + " b") == ["b"]


@pytest.mark.parametrize("typed", [
    "07TASHKENT477", "07tashkent477", "07 TASHKENT 477", "07-TASHKENT-000477",
    " 07 Tashkent 000477 ", "07TASHKENT0477",
])
def test_reference_ids_in_common_forms(typed: str) -> None:
    assert reference_term(typed) == "07tashkent477"


def test_reference_ids_with_a_spaced_post() -> None:
    assert reference_term("09 USUN NEW YORK 12") == "09usunnewyork12"
    assert reference_term("09USUNNEWYORK12") == "09usunnewyork12"


@pytest.mark.parametrize("text", ["TASHKENT 477", "2007 TASHKENT", "07TASHKENT", "uzbek law",
                                  "07 477", ""])
def test_not_reference_ids(text: str) -> None:
    assert reference_term(text) is None


def test_shard_keys_and_filter_slugs() -> None:
    assert shard_key("trafficking") == "tra" and shard_key("uz") == "uz"
    assert filter_slug("SECRET//NOFORN") == "secret-noforn"
    assert filter_slug("UNCLASSIFIED//FOR OFFICIAL USE ONLY") == \
        "unclassified-for-official-use-only"
    assert filter_slug("Embassy Tel Aviv") == "embassy-tel-aviv" and filter_slug("//") == "_"


# -- the encoding ----------------------------------------------------------------------------

@given(st.lists(st.integers(min_value=0, max_value=2**40)))
def test_vlq_round_trip(numbers: list[int]) -> None:
    text = encode(numbers)
    assert re.fullmatch(r"[A-Za-z0-9_-]*", text)
    assert decode(text) == numbers


@given(st.lists(st.integers(min_value=0, max_value=10**7), unique=True))
def test_sorted_round_trip(numbers: list[int]) -> None:
    numbers.sort()
    assert decode_sorted(encode_sorted(numbers)) == numbers


def test_vlq_known_values() -> None:
    assert encode([0, 1, 31, 32, 1023, 1024]) == "ABfgB_fggB"
    assert encode_sorted([3, 5, 5, 40]) == "DCAjB"
    with pytest.raises(ValueError):
        encode([-1])


# -- parsing ---------------------------------------------------------------------------------

def test_parse_words_are_all_required() -> None:
    query = parse("Uzbek LAW enforcement")
    assert query.groups == [["uzbek"], ["law"], ["enforcement"]]
    assert not query.phrases and not query.filters and query.years is None
    assert query.reference is None


def test_parse_prefixes() -> None:
    assert parse("traffick*").groups == [["traffick*"]]
    assert parse("traffick* victims").groups == [["traffick*"], ["victims"]]
    # a word of several tokens: only its last token is the prefix
    assert parse("e-mai*").groups == [["e"], ["mai*"]]


def test_parse_as_you_type() -> None:
    assert parse("uzbek law enfor", prefix_last=True).groups == [
        ["uzbek"], ["law"], ["enfor*"]]
    assert parse("uzbek law enfor ", prefix_last=True).groups == [
        ["uzbek"], ["law"], ["enfor"]]  # a space ends the word
    assert parse("uzbek law enfor").groups[-1] == ["enfor"]
    assert parse('uzbek "law enfor"', prefix_last=True).groups[-1] == ["enfor"]
    assert parse("enfor tag:PHUM", prefix_last=True).groups == [["enfor"]]


def test_parse_phrases() -> None:
    query = parse('"Law Enforcement" victims "unclosed phrase')
    assert query.phrases == [["law", "enforcement"], ["unclosed", "phrase"]]
    assert query.groups == [["law"], ["enforcement"], ["victims"], ["unclosed"], ["phrase"]]
    assert parse('"" ""').groups == []


def test_parse_filters() -> None:
    query = parse("tag:PHUM TAG:ktip origin:Tashkent post:Paris classification:secret "
                  "class:CONFIDENTIAL//NOFORN victims")
    assert query.filters == {"tag": ["PHUM", "ktip"], "origin": ["Tashkent", "Paris"],
                             "classification": ["secret", "CONFIDENTIAL//NOFORN"]}
    assert query.groups == [["victims"]]


@pytest.mark.parametrize("text, years", [
    ("year:2007", (2007, 2007)), ("year:2007..2009", (2007, 2009)),
    ("year:2009..2007", (2007, 2009)), ("year:2007-2009", (2007, 2009)),
    ("year:soon", None), ("year:07", None),
])
def test_parse_years(text: str, years: tuple[int, int] | None) -> None:
    query = parse(text)
    assert query.years == years and not query.groups


def test_parse_reference_id() -> None:
    assert parse("07TASHKENT477").reference == "07tashkent477"
    assert parse("07TASHKENT477").groups == [["07tashkent477"]]
    assert parse("07 TASHKENT 477").groups == [["07"], ["tashkent"], ["477"]]
    assert parse("uzbek 07TASHKENT477").reference is None


# -- evaluation on the sample archive -----------------------------------------------------------

def test_known_item(searcher: Searcher) -> None:
    answer = searcher.search("uzbek law enforcement trafficking")
    assert ids(answer)[0] == "07TASHKENT477"
    first = answer.results[0]
    assert first.url == "/cable/2007/03/07TASHKENT477.html"
    assert first.subject == "CHANGING UZBEK LAW ENFORCEMENT ATTITUDES TOWARDS TRAFFICKING VICTIMS"
    assert first.date == "2007-03-23" and first.origin == "Embassy Tashkent"
    assert first.classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    assert "Uzbek law enforcement" in first.excerpt and len(first.excerpt) <= 330
    assert set(answer.terms) == {"uzbek", "law", "enforcement", "trafficking"}


@pytest.mark.parametrize("text", ["trafficking victims", "nuclear iran", "human rights",
                                  "election fraud", "oil minister", "police"])
def test_every_result_contains_every_word(archive: Archive, searcher: Searcher,
                                          text: str) -> None:
    """Every word, except common ones when the query has a word that is not."""
    results = everything(searcher, text)
    assert results, text
    words = set(tokens(text))
    required = {word for word in words if not is_common(searcher, word)} or words
    for result in results:
        missing = required - archive.page_tokens(result.url)
        assert not missing, f"{result.reference_id} lacks {missing}"


def test_scores_are_sums_and_ranked(searcher: Searcher) -> None:
    results = everything(searcher, "trafficking victims")
    scores = [r.score for r in results]
    assert scores == sorted(scores, reverse=True)
    one = {r.doc_id: r.score for r in everything(searcher, "trafficking")}
    other = {r.doc_id: r.score for r in everything(searcher, "victims")}
    assert all(r.score == one[r.doc_id] + other[r.doc_id] for r in results)


def test_case_and_accents_do_not_matter(searcher: Searcher) -> None:
    expected = ids(searcher.search("uzbek trafficking"))
    assert expected
    for text in ("UZBEK TRAFFICKING", "Úzbek Traffìcking", "uzbek, trafficking!"):
        assert ids(searcher.search(text)) == expected


def test_prefix_includes_the_word(searcher: Searcher) -> None:
    word = {r.doc_id for r in everything(searcher, "trafficking")}
    prefix = everything(searcher, "traffick*")
    assert word < {r.doc_id for r in prefix}
    answer = searcher.search("traffick*")
    assert "trafficking" in answer.terms and "traffickers" in answer.terms
    assert all(term.startswith("traffick") for term in answer.terms)
    assert len(searcher.search("s*").terms) <= MAX_EXPANSIONS


def test_as_you_type(searcher: Searcher) -> None:
    typing = searcher.search("uzbek law enfor", prefix_last=True)
    assert ids(typing)[:1] == ["07TASHKENT477"]
    assert "enforcement" in typing.terms
    assert searcher.search("uzbek law enfor").total == 0  # without prefix_last: a whole word
    assert searcher.search("uzbek law enfor ", prefix_last=True).total == 0


def test_unknown_words_give_nothing(searcher: Searcher) -> None:
    assert searcher.search("qwertzuiopxyz").total == 0
    assert searcher.search("uzbek qwertzuiopxyz").total == 0
    assert searcher.search("qwertz*").total == 0
    assert searcher.search("").total == 0 and searcher.search("  ").results == []


def test_tag_filter(archive: Archive, searcher: Searcher) -> None:
    results = everything(searcher, "tag:PHUM")
    expected = {ref for ref, front in archive.cables.items()
                if "PHUM" in [t["code"] for t in front.get("tags") or []]}
    assert {r.reference_id for r in results} == expected and len(expected) > 10
    with_words = everything(searcher, "tag:phum trafficking")
    assert with_words and {r.reference_id for r in with_words} <= expected


def test_origin_filter_by_part_of_the_name(archive: Archive, searcher: Searcher) -> None:
    for text, part in (("origin:tashkent", "tashkent"), ("post:TEL", "tel"),
                       ("origin:Embassy", "embassy")):
        results = everything(searcher, text)
        expected = {ref for ref, front in archive.cables.items()
                    if part in (front.get("origin") or "").lower()}
        assert {r.reference_id for r in results} == expected and expected, text


@pytest.mark.parametrize("text, value", [
    ("classification:secret", "SECRET"), ("class:SECRET//NOFORN", "SECRET//NOFORN"),
    ("class:unclassified//for-official-use-only", "UNCLASSIFIED//FOR OFFICIAL USE ONLY"),
])
def test_classification_filter(archive: Archive, searcher: Searcher, text: str,
                               value: str) -> None:
    results = everything(searcher, text)
    expected = {ref for ref, front in archive.cables.items()
                if front.get("classification") == value}
    assert {r.reference_id for r in results} == expected and expected
    assert all(r.classification == value for r in results)


@pytest.mark.parametrize("text, low, high", [
    ("year:2007", 2007, 2007), ("year:2007..2009", 2007, 2009), ("year:1990..1970", 1970, 1990),
])
def test_year_filter(archive: Archive, searcher: Searcher, text: str, low: int,
                     high: int) -> None:
    results = everything(searcher, text)
    expected = {ref for ref, front in archive.cables.items()
                if year_of(front) and low <= year_of(front) <= high}
    assert {r.reference_id for r in results} == expected and expected


def test_combined_filters_and_words(archive: Archive, searcher: Searcher) -> None:
    text = "tag:PHUM class:secret year:2008..2010 post:embassy government"
    results = everything(searcher, text)
    assert results
    for result in results:
        front = archive.cables[result.reference_id]
        assert "PHUM" in [t["code"] for t in front["tags"]]
        assert front["classification"] == "SECRET"
        assert 2008 <= year_of(front) <= 2010
        assert "embassy" in front["origin"].lower()
        assert "government" in archive.page_tokens(result.url)
    # values of one kind are alternatives
    either = {r.reference_id for r in everything(searcher, "class:secret class:confidential")}
    assert either == {r.reference_id for r in everything(searcher, "class:secret")} | {
        r.reference_id for r in everything(searcher, "class:confidential")}


def test_unknown_filter_values_give_nothing(searcher: Searcher) -> None:
    assert searcher.search("tag:NOSUCHTAG").total == 0
    assert searcher.search("origin:atlantis").total == 0
    assert searcher.search("year:1800").total == 0
    assert searcher.search("tag:PHUM year:1800").total == 0


def test_filter_only_queries_are_newest_first(searcher: Searcher) -> None:
    results = everything(searcher, "tag:PHUM")
    assert [r.doc_id for r in results] == sorted((r.doc_id for r in results), reverse=True)
    dates = [r.date for r in results if r.date]
    assert dates == sorted(dates, reverse=True)


def test_sort_by_date(searcher: Searcher) -> None:
    by_date = everything(searcher, "trafficking", sort="date")
    assert {r.doc_id for r in by_date} == {r.doc_id for r in everything(searcher, "trafficking")}
    dates = [r.date for r in by_date]
    assert all(dates) and dates == sorted(dates, reverse=True)


def pages(searcher: Searcher, text: str, size: int = 10, **options) -> list[int]:
    seen: list[int] = []
    while True:
        answer = searcher.search(text, offset=len(seen), limit=size, **options)
        seen += [r.doc_id for r in answer.results]
        if len(answer.results) < size:
            return seen


@pytest.mark.parametrize("text", ["trafficking", "human rights", "iran", "tag:PHUM",
                                  "oil", "police year:2009"])
@pytest.mark.parametrize("sort", ["relevance", "date"])
def test_pagination(searcher: Searcher, text: str, sort: str) -> None:
    seen = pages(searcher, text, sort=sort)
    assert len(seen) == len(set(seen)), "a result came twice"
    assert seen == [r.doc_id for r in everything(searcher, text, sort=sort)]
    assert len(seen) > 10


@pytest.mark.parametrize("text", ["the", "government"])
def test_pagination_across_tiers(searcher: Searcher, text: str) -> None:
    seen = pages(searcher, text)
    assert len(seen) == len(set(seen)), f"{len(seen) - len(set(seen))} results came twice"


@pytest.mark.parametrize("typed", ["07TASHKENT477", "07tashkent477", "07 TASHKENT 477",
                                   "07-tashkent-000477", " 07 Tashkent 0477 "])
def test_reference_id_jumps_to_the_cable(searcher: Searcher, typed: str) -> None:
    assert searcher.search(typed).jump == "/cable/2007/03/07TASHKENT477.html"


def test_reference_id_is_also_searched(searcher: Searcher) -> None:
    assert ids(searcher.search("07TASHKENT477"))[0] == "07TASHKENT477"
    assert searcher.search("07TASHKENT478").jump is None  # not in the archive
    assert searcher.search("99NOWHERE1").jump is None


def test_every_cable_is_found_by_its_reference_id(archive: Archive, searcher: Searcher) -> None:
    for reference_id in sorted(archive.cables):
        jump = searcher.search(reference_id).jump
        assert jump and jump.endswith(f"/{reference_id}.html"), reference_id


def test_phrase_results_hold_the_phrase(archive: Archive, searcher: Searcher) -> None:
    """A phrase's words must be consecutive in the subject, the tags or the body: every cable of
    the archive that has them so is found, and no other."""
    for text in ('"law enforcement"', '"rule of law"', '"human rights"', '"prime minister"'):
        phrase = tokens(text)
        results = everything(searcher, text)
        expected = {ref for ref in archive.cables
                    if contains(archive.phrase_texts(archive.url_of(ref)), phrase)}
        assert {r.reference_id for r in results} == expected and expected, text
        scores = [r.score for r in results]
        assert scores == sorted(scores, reverse=True)


def test_phrase_words_must_be_adjacent(archive: Archive, searcher: Searcher) -> None:
    # The words of this phrase are both in 07TASHKENT477, but never next to each other.
    texts = archive.phrase_texts("/cable/2007/03/07TASHKENT477.html")
    assert "uzbek" in texts[0] and "attitudes" in texts[0]
    assert not contains(texts, ["uzbek", "attitudes"])
    assert "07TASHKENT477" in ids(searcher.search("uzbek attitudes"))
    answer = searcher.search('"uzbek attitudes"', limit=100)
    assert "07TASHKENT477" not in ids(answer)
    assert answer.terms == ["uzbek", "attitudes"]  # still highlighted where they are
    assert "07TASHKENT477" in ids(searcher.search('"law enforcement attitudes"'))


def test_real_phrases_find_their_cable(archive: Archive, searcher: Searcher) -> None:
    """Word sequences taken from cable bodies find the cable; two words of the same cable that
    are never adjacent, quoted together, do not."""
    rng = random.Random(4)
    found = missed = 0
    for reference_id in rng.sample(sorted(archive.cables), 25):
        url = archive.url_of(reference_id)
        body = archive.phrase_texts(url)[-1]
        if len(body) < 10:
            continue
        start = rng.randrange(len(body) - 3)
        phrase = body[start:start + rng.choice((2, 3))]
        results = everything(searcher, '"' + " ".join(phrase) + '"')
        assert reference_id in {r.reference_id for r in results}, (reference_id, phrase)
        found += 1
        words = sorted(set(body))
        pairs = ((a, b) for a in rng.sample(words, min(len(words), 40)) for b in words
                 if a != b and not contains([body], [a, b]) and not contains([body], [b, a]))
        pair = next(pairs, None)
        if pair:
            quoted = everything(searcher, f'"{pair[0]} {pair[1]}"')
            assert reference_id not in {r.reference_id for r in quoted}, (reference_id, pair)
            assert reference_id in {r.reference_id for r in everything(searcher, " ".join(pair))}
            missed += 1
    assert found >= 15 and missed >= 10


def test_phrases_are_checked_lazily(archive: Archive) -> None:
    """Only as many pages as the results need, at most PAGE_BUDGET a call; the answer says
    when the total is a lower bound, and "more results" goes on from the pages checked."""
    counter: dict[str, int] = {}
    paths: list[str] = []
    searcher = Searcher(site_fetcher(archive.site, counter, paths))
    answer = searcher.search('"law enforcement"', limit=3)
    pages = [path for path in paths if path.startswith("cable/")]
    assert len(ids(answer)) == 3 and not answer.complete and answer.total >= 3
    assert 3 <= len(pages) <= 10  # one batch
    everything_else = everything(Searcher(archive.fetcher()), '"law enforcement"')
    assert ids(answer) == [r.reference_id for r in everything_else[:3]]
    paths.clear()
    answer = searcher.search('"law enforcement"', limit=10_000)
    assert 0 < len([p for p in paths if p.startswith("cable/")]) <= PAGE_BUDGET
    assert not any(path in pages for path in paths)  # the pages checked before are not read
    total = len(everything_else)
    assert total > PAGE_BUDGET // 5
    while not answer.complete:
        before = answer.total
        answer = searcher.search('"law enforcement"', limit=10_000)
        assert answer.total >= before
    assert answer.total == total and len(answer.results) == total
    paths.clear()
    assert searcher.search('"law enforcement"', limit=10_000) == answer  # no page read again
    assert not [p for p in paths if p.startswith("cable/")]


def test_a_phrase_of_one_word_or_of_a_reference_id(searcher: Searcher) -> None:
    assert ids(searcher.search('"uzbek"')) == ids(searcher.search("uzbek"))
    assert ids(searcher.search('"07TASHKENT477"'))[:1] == ["07TASHKENT477"]


def test_page_texts() -> None:
    html = """<!DOCTYPE html><html><head><title>t</title><script>var a = "<main>";</script>
    </head><body><header data-search-text><h1>The <b>Rule</b>of Law</h1></header>
    <main><p>not marked</p><div data-search-text="">one<br>two<!-- x -->three<img src=x>
    &amp; caf&eacute; &#39;q&#x27; <div data-search-text>nested</div></div></main></body></html>"""
    assert [tokens(t) for t in page_texts(html)] == [
        ["the", "rule", "of", "law"], ["one", "two", "three", "cafe", "q", "nested"]]
    assert "café" in page_texts(html)[1]
    unmarked = "<body><nav>menu</nav><main>the <em>main</em>text<div/>x</main>after</body>"
    assert [tokens(t) for t in page_texts(unmarked)] == [["the", "main", "text", "x"]]
    assert page_texts("<p>nothing</p>") == []
    assert tokens(page_texts("<main><span data-search-text>left open")[0]) == ["left", "open"]


# -- words in many cables, and typing ------------------------------------------------------------

def test_common_words_do_not_select(archive: Archive, searcher: Searcher) -> None:
    assert is_common(searcher, "of") and is_common(searcher, "the")
    assert not is_common(searcher, "interior") and not is_common(searcher, "ministry")
    plain = searcher.search("ministry interior", limit=1000)
    answer = searcher.search("ministry of interior", limit=1000)
    assert ids(answer) == ids(plain) and [r.score for r in answer.results] == [
        r.score for r in plain.results]
    assert answer.terms == ["ministry", "of", "interior"]
    paths: list[str] = []
    Searcher(site_fetcher(archive.site, paths=paths)).search("of interior", offset=300)
    assert not [path for path in paths if path.startswith("search/p/")]  # no deep tiers of "of"
    # all common: every word selects, as for any query
    for result in everything(searcher, "the of"):
        assert {"the", "of"} <= archive.page_tokens(result.url)
    # a phrase with a common word is still checked against the page
    for result in everything(searcher, '"ministry of interior"'):
        url = result.url
        assert contains(archive.phrase_texts(url), ["ministry", "of", "interior"]), url


def test_typing_reads_deep_tiers_of_the_typed_word_only(archive: Archive) -> None:
    searcher = Searcher(archive.fetcher())
    government = everything(searcher, "government")
    assert len(government) > search_index.TIER_SIZES[0]  # it has more than tier 0
    paths: list[str] = []
    searcher = Searcher(site_fetcher(archive.site, paths=paths))
    answer = searcher.search("gov", prefix_last=True, offset=300)
    assert "government" in answer.terms and answer.complete
    assert not [path for path in paths if path.startswith("search/p/")]
    assert answer.total <= search_index.TIER_SIZES[0] * len(answer.terms)
    answer = searcher.search("government", prefix_last=True, limit=10_000)
    tiers = 1 + sum(len(government) > bound for bound in itertools.accumulate(
        search_index.TIER_SIZES))
    assert {p for p in paths if p.startswith("search/p/")} == {
        f"search/p/g/gov/government.{n}.txt" for n in range(1, tiers)}
    assert {r.doc_id for r in government} <= {r.doc_id for r in answer.results}


def test_quoted_origin_filter(archive: Archive, searcher: Searcher) -> None:
    results = everything(searcher, 'origin:"tel aviv"')
    expected = {ref for ref, front in archive.cables.items() if front.get("origin") ==
                "Embassy Tel Aviv"}
    assert expected and {r.reference_id for r in results} == expected


# -- split term shards, on a small hand-written index ------------------------------------------

SMALL_TEXTS = [  # one cable each; "07tashkent477" is cable 3's reference ID
    "con concern consul", "consulate concerns constitution con", "concord contact cab",
    "07tashkent477 consul consulate", "consular consult concern consul",
    "conf1 conf2 conf3 conf4 conf5 conf6 conf7 conf8 conf9 cons consul",
    "consulate consular conf1 conf2 conf3 concern", "co cab consulate",
]
SMALL_SPLITS = {"con", "cons", "07t"}  # keys whose shard is split by one more character


def write_small_index(site: Path) -> dict[str, set[int]]:
    """A site under the root /sub/ whose term shards are split at SMALL_SPLITS; "consulate"
    has a second tier. Returns each term's cables."""
    def write(path: str, text: str) -> None:
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text, encoding="utf-8")

    docs: dict[str, set[int]] = {}
    for doc, text in enumerate(SMALL_TEXTS):
        for term in tokens(text):
            docs.setdefault(term, set()).add(doc)
        write(f"cable/{doc}.html", "<main><h1>Cable</h1><p>"
              f"<span data-search-text>{text}</span></p></main>")
    entries = {}
    for term, members in docs.items():
        ranked = sorted(members)
        tiers = [ranked[:1], ranked[1:]] if term == "consulate" else [ranked]
        encoded = [encode_sorted(tier) + "." + encode(10 + doc for doc in tier) for tier in tiers]
        entries[term] = [len(members), encoded[0], len(tiers)]
        for number, text in enumerate(encoded[1:], start=1):
            write(f"search/p/{term[0]}/{shard_key(term)}/{term}.{number}.txt", text)

    def write_shard(key: str, terms: dict[str, list]) -> None:
        if key not in SMALL_SPLITS:
            write(f"search/t/{key[0]}/{key}.json", json.dumps(terms))
            return
        top = sorted(terms.items(), key=lambda item: (-item[1][0], item[0]))[:MAX_EXPANSIONS]
        own = {term: entry for term, entry in terms.items() if term == key}
        write(f"search/t/{key[0]}/{key}.json", json.dumps({**own, "*": top}))
        children: dict[str, dict[str, list]] = {}
        for term, entry in terms.items():
            if len(term) > len(key):
                children.setdefault(term[:len(key) + 1], {})[term] = entry
        for child, members in children.items():
            write_shard(child, members)

    shards: dict[str, dict[str, list]] = {}
    for term, entry in entries.items():
        shards.setdefault(shard_key(term), {})[term] = entry
    for key, terms in shards.items():
        write_shard(key, terms)
    records = [["07TASHKENT477" if doc == 3 else f"99TEST{doc}", f"/sub/cable/{doc}.html",
                f"Cable {doc}", None, None, None, ""] for doc in range(len(SMALL_TEXTS))]
    for shard in range(0, len(records), 4):
        write(f"search/d/0/{shard // 4}.json",
              json.dumps({doc: records[doc] for doc in range(shard, shard + 4)
                          if doc < len(records)}))
    write("search/meta.json", json.dumps({
        "version": 4, "docs": len(SMALL_TEXTS), "tiers": [256, 2048, 16384],
        "shard_bits": 2, "shards_per_folder": 1000, "root": "/sub/", "years": []}))
    return docs


SMALL_QUERIES = [
    "con", "cons", "consul", "consulate", "consular", "concern", "concerns", "conf9", "contact",
    "co", "cab", "07tashkent477", "conx", "consx", "con*", "cons*", "consu*", "consul*",
    "conc*", "conco*", "conx*", "conf*", "c*", "co*", "07t*", "07TASHKENT477",
    '"concern consul"', '"consul concern"', '"consulate concerns"', "consulate concern",
    '"conf1 conf2" cons',
]


def test_split_term_shards(tmp_path: Path) -> None:
    docs = write_small_index(tmp_path)
    searcher = Searcher(site_fetcher(tmp_path))
    for term, members in docs.items():
        answer = searcher.search(term, limit=100)
        assert {r.doc_id for r in answer.results} == members and answer.complete, term
    assert searcher.search("conx").total == searcher.search("consx*").total == 0

    def top(prefix: str) -> list[str]:
        terms = sorted((t for t in docs if t.startswith(prefix)),
                       key=lambda t: (-len(docs[t]), t))
        return terms[:MAX_EXPANSIONS]

    def reached(term: str, prefix: str) -> set[int]:  # only the prefix itself reads tier 1
        return {min(docs[term])} if term == "consulate" != prefix else docs[term]

    for prefix in ("con", "cons", "consu", "consul", "conc", "conco", "conf", "07t"):
        answer = searcher.search(prefix + "*", limit=100)
        assert answer.terms == top(prefix), prefix
        assert {r.doc_id for r in answer.results} == set().union(
            *(reached(t, prefix) for t in top(prefix))), prefix
    assert len(top("con")) == MAX_EXPANSIONS < len([t for t in docs if t.startswith("con")])

    paths: list[str] = []
    Searcher(site_fetcher(tmp_path, paths=paths)).search("consulate", limit=100)
    assert [p for p in paths if "/t/" in p or "/p/" in p] == [
        "search/t/c/con.json", "search/t/c/cons.json", "search/t/c/consu.json",
        "search/p/c/con/consulate.1.txt"]
    assert searcher.search("07TASHKENT477").jump == "/sub/cable/3.html"
    assert set(ids(searcher.search('"concern consul"'))) == {"99TEST0", "99TEST4"}
    assert searcher.search('"consul concern"').total == 0
    assert {r.doc_id for r in searcher.search('"consulate concerns"').results} == {1}


def test_js_reads_split_term_shards_like_python(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_small_index(site)
    searcher = Searcher(site_fetcher(site))
    options = [{}, {"prefixLast": True}, {"limit": 2, "offset": 1}]
    calls = [{"op": "search", "text": text, "options": option}
             for text in SMALL_QUERIES for option in options]
    for call, got in zip(calls, run_node(tmp_path, site, calls), strict=True):
        assert got == python_answer(searcher, call["text"], call["options"]), call


def test_split_shards_give_the_same_answers(tmp_path: Path, archive: Archive) -> None:
    """The sample archive built with a small shard size answers every query as before."""
    site = build_sample(tmp_path, SHARD_BYTES=2_000)
    split = [json.loads(file.read_text(encoding="utf-8"))
             for file in (site / "search" / "t").rglob("*.json")]
    assert sum("*" in shard for shard in split) > 20
    queries = [(text, options) for text, options in PARITY] + [
        (word + "*", {}) for word in ("con", "cons", "pro", "gov", "tra", "sta", "int")] + [
        (word, {"prefixLast": True}) for word in ("consu", "gover", "secur", "presiden")]
    before, after = archive.searcher(), Searcher(site_fetcher(site))
    for text, options in queries:
        assert python_answer(after, text, options) == python_answer(before, text, options), text


# -- what a query costs ----------------------------------------------------------------------

TYPICAL = ["trafficking", "uzbek law", "human rights", "nuclear iran", "oil", "election fraud",
           "police corruption", "07TASHKENT477", "tag:PHUM", "iran year:2009"]


def test_bytes_fetched_per_query(archive: Archive) -> None:
    """The files a fresh page fetches for one query typed in the box (the last word a
    prefix), plus search.js."""
    script = SEARCH_JS.stat().st_size
    report = []
    for text in TYPICAL:
        counter: dict[str, int] = {}
        Searcher(archive.fetcher(counter)).search(text, prefix_last=True)
        report.append((text, counter.get("index", 0), counter.get("d", 0)))
    print(f"\nsearch.js: {script:,} bytes")
    for text, index, results in report:
        print(f"  {text!r}: {index + results:,} bytes = {index:,} index + {results:,} result "
              f"data (+ search.js: {index + results + script:,})")
    assert all(index + results + script < 200_000 for _, index, results in report), report


def test_a_second_query_reuses_the_files(archive: Archive) -> None:
    counter: dict[str, int] = {}
    searcher = Searcher(archive.fetcher(counter))
    searcher.search("trafficking victims")
    first = dict(counter)
    searcher.search("trafficking victims", sort="date")
    searcher.search("victims trafficking")
    assert counter == first


# -- the browser client gives the same answers (Node.js) ------------------------------------

NODE_DRIVER = r"""
const fs = require("fs");
const path = require("path");
const search = require(process.argv[2]);
const input = JSON.parse(fs.readFileSync(0, "utf8"));
const fetchText = async (p) => {
  const file = path.join(input.site, "search", p);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null;
};
(async () => {
  const engine = search.createEngine(fetchText);
  const out = [];
  for (const call of input.calls) {
    if (call.op === "tokens") out.push(search.tokens(call.text));
    else if (call.op === "spans") out.push(search.tokenSpans(call.text).map(
      ([start, end, token]) => [call.text.slice(start, end), token]));
    else if (call.op === "reference") out.push(search.referenceTerm(call.text));
    else if (call.op === "pagetexts") {
      const html = call.file ? fs.readFileSync(call.file, "utf8") : call.text;
      out.push(search.scanTexts(html).map(search.tokens));
    }
    else if (call.op === "slug") out.push(search.filterSlug(call.text));
    else if (call.op === "parse") {
      const q = search.parse(call.text, call.prefixLast);
      out.push({groups: q.groups, phrases: q.phrases, filters: Object.fromEntries(q.filters),
                years: q.years, reference: q.reference});
    } else {
      const a = await engine.search(call.text, call.options);
      out.push({total: a.total, complete: a.complete, ids: a.results.map((r) => [r.doc, r.score,
        r.referenceId, r.url, r.subject, r.date, r.origin, r.classification, r.excerpt]),
        terms: a.terms, jump: a.jump});
    }
  }
  process.stdout.write(JSON.stringify(out));
})().catch((error) => { console.error(error); process.exit(1); });
"""


def run_node(tmp_path: Path, site: Path, calls: list[dict]) -> list:
    if NODE is None:
        pytest.skip("Node.js is not installed: the browser client is checked in a browser only")
    driver = tmp_path / "driver.js"
    driver.write_text(NODE_DRIVER, encoding="utf-8")
    done = subprocess.run([NODE, str(driver), str(SEARCH_JS)], capture_output=True, text=True,
                          input=json.dumps({"site": str(site), "calls": calls}), timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


TRICKY = [
    "Úzbek ÇA naïve", "Ｆｕｌｌｗｉｄｔｈ ﬁle ²³ ½", "İstanbul ǅemal ẞtraße", "e\u0301te\u0301",
    "a" * 40 + " " + "b" * 41, "07TASHKENT477 07 TASHKENT 000477", "U.S.-Uzbek (SBU) ¶4.",
    "ΑΘΗΝΑ Москва 東京 عربي", "K\u212a Å\u212b", "tab\there\nnewline", "", "   ", "***", "a*b*",
    '"unclosed phrase', 'tag:"la paz"', "TAG:phum Year:2009..2007 CLASS:Secret//NoForn",
    "post:tel aviv", "year:07", "year:", "tag:", ":word", "word:", "traffick* ", "x\u0300\u0301y",
    "\U0001d400\U0001d401 math bold", "ﬀ ﬃ ㎏ ℡", "a\u200bb", "09 usun new york 12", "07-a-1",
]


def random_texts(count: int) -> list[str]:
    alphabet = ("abcxyzABCXYZ0123456789 \t\"*:-.,'/ÉéüÜñßøæﬁ½²\u0301\u0308\u200b"
                "tagoriginyearclass")
    rng = random.Random(20240601)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
            for _ in range(count)]


def test_js_tokenises_and_parses_like_python(tmp_path: Path, archive: Archive) -> None:
    texts = TRICKY + random_texts(400)
    calls = []
    for text in texts:
        calls += [{"op": "tokens", "text": text}, {"op": "reference", "text": text},
                  {"op": "slug", "text": text}, {"op": "parse", "text": text,
                                                 "prefixLast": False},
                  {"op": "parse", "text": text, "prefixLast": True}]
    answers = iter(run_node(tmp_path, archive.site, calls))
    for text in texts:
        assert next(answers) == tokens(text), text
        assert next(answers) == reference_term(text), text
        assert next(answers) == filter_slug(text), text
        for prefix_last in (False, True):
            query = parse(text, prefix_last=prefix_last)
            assert next(answers) == {
                "groups": [group[0] for group in query.groups], "phrases": query.phrases,
                "filters": query.filters, "reference": query.reference,
                "years": list(query.years) if query.years else None}, (text, prefix_last)


def test_js_highlight_spans_are_the_tokens(tmp_path: Path, archive: Archive) -> None:
    texts = TRICKY + random_texts(200)
    answers = run_node(tmp_path, archive.site, [{"op": "spans", "text": t} for t in texts])
    for text, spans in zip(texts, answers, strict=True):
        assert [token for _, token in spans] == tokens(text), text
        for original, token in spans:  # (a character like ½ holds two tokens)
            assert token in tokens(original), (text, original)


PARITY = [
    ("uzbek law enforcement trafficking", {}), ("uzbek law enfor", {"prefixLast": True}),
    ("traffick*", {}), ("s*", {}), ("pre*", {"limit": 30}), ("the", {}),
    ("the", {"offset": 250, "limit": 20}), ("government", {"offset": 250, "limit": 10}),
    ("minister said", {"offset": 40, "limit": 10}), ("and the of", {"limit": 300}),
    ("trafficking", {"sort": "date"}), ("UZBEK", {}), ("Úzbek", {}), ("qwertzuiop", {}),
    ("tag:PHUM", {"limit": 50}), ("tag:phum tag:ktip", {}), ("origin:tashkent", {}),
    ("post:embassy class:secret year:2008..2009 government", {"limit": 40}),
    ("classification:SECRET//NOFORN iran", {}), ("year:2007", {"sort": "date"}),
    ("07TASHKENT477", {}), ("07 TASHKENT 477", {}), ("07-tashkent-000477", {}),
    ('"law enforcement" victims', {}), ('origin:"la paz"', {}), ("oil", {"offset": 10}),
    ("e", {"prefixLast": True}), ("ab", {"prefixLast": True}), ("tag:NOSUCH", {}), ("", {}),
    ("human rights", {"sort": "date", "offset": 5, "limit": 7}), ("year:1800 oil", {}),
    # phrases (pages checked in batches, a budget a call: the same calls in the same order),
    # common words, typing
    ('"law enforcement"', {"limit": 3}), ('"law enforcement"', {"limit": 100}),
    ('"law enforcement"', {"limit": 100}), ('"rule of law"', {"sort": "date"}),
    ('"uzbek attitudes"', {}), ('"law enforcement attitudes"', {}), ('"uzbek"', {}),
    ('"prime minister" tag:PREL', {"limit": 20}), ('"human rights" "rule of law"', {}),
    ('"of the"', {"offset": 20}), ('"ministry of interior"', {"limit": 30}),
    ("ministry of interior", {}), ("of interior", {"offset": 300}),
    ("gov", {"prefixLast": True, "offset": 300}), ("government", {"prefixLast": True}),
    ('"human rig', {"prefixLast": True}),
]


def python_answer(searcher: Searcher, text: str, options: dict) -> dict:
    """An answer of the Python engine as the Node driver prints the client's."""
    answer = searcher.search(text, prefix_last=options.get("prefixLast", False),
                             sort=options.get("sort", "relevance"),
                             offset=options.get("offset", 0), limit=options.get("limit", 10))
    return {"total": answer.total, "complete": answer.complete, "terms": answer.terms,
            "jump": answer.jump,
            "ids": [[r.doc_id, r.score, r.reference_id, r.url, r.subject, r.date, r.origin,
                     r.classification, r.excerpt] for r in answer.results]}


def test_js_answers_like_python(tmp_path: Path, archive: Archive) -> None:
    searcher = archive.searcher()  # fresh: which pages are known decides what a call checks
    calls = [{"op": "search", "text": text, "options": options} for text, options in PARITY]
    for (text, options), got in zip(PARITY, run_node(tmp_path, archive.site, calls),
                                    strict=True):
        assert got == python_answer(searcher, text, options), (text, options)


def test_js_reads_page_texts_like_python(tmp_path: Path, archive: Archive) -> None:
    """The client's markup scan (used where there is no DOMParser) on every cable page, and
    on tricky markup; the browser's DOMParser is compared in test_search_browser.py."""
    files = sorted(archive.site.glob("cable/**/*.html"))
    calls = [{"op": "pagetexts", "file": str(file)} for file in files]
    calls += [{"op": "pagetexts", "text": html} for html in TRICKY_PAGES]
    got = run_node(tmp_path, archive.site, calls)
    htmls = [file.read_text(encoding="utf-8") for file in files] + TRICKY_PAGES
    for html, texts in zip(htmls, got, strict=True):
        assert texts == [tokens(text) for text in page_texts(html)], html[:200]
    assert all(texts for texts in got[:len(files)])


TRICKY_PAGES = [
    """<!DOCTYPE html><html><head><title>t</title><script>var a = "<main>";</script>
    </head><body><header data-search-text><h1>The <b>Rule</b>of Law</h1></header>
    <main><p>not marked</p><div data-search-text="">one<br>two<!-- x -->three<img src=x>
    &amp; &lt;&gt; &#39;q&#x27; &#233;t&#xE9; &quot;x&quot;<div data-search-text>nested</div>
    </div></main></body></html>""",
    "<body><nav>menu</nav><main>the <em>main</em>text<div/>x</main>after</body>",
    "<p>nothing</p>", "<main><span data-search-text>left open", "",
    '<DIV title="a > b" DATA-SEARCH-TEXT>Upper<BR/>case</DIV><p data-search-texts>no</p>',
    "<div data-search-text><i>a</i>b</div>c<div data-search-text>d<style>e f</style>g</div>",
    "<div title='data-search-text'>no</div><main>m<!-- <div data-search-text> -->n</main>",
    "<div data-search-text>x<?pi?>y<!x>z</p>w</div>",
    "<ul data-search-text><li>PHUM <span>Human Rights</span></li><li>UZ</li></ul>",
]
