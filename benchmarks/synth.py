#!/usr/bin/env python3
"""Generate realistic synthetic Cablegate cables for benchmarks.

    python benchmarks/synth.py --count 251287 --format csv --out benchmarks/corpus/cables.csv
    python benchmarks/synth.py --count 1000 --format txt --out /tmp/txt --seed 7

Deterministic for a seed (and independent of --workers). The cables are shaped like the 2010-2011
release: dates 1966-2010 (most 2004-2010), ~260 posts with State and a few big embassies
dominating, the real classification mix, 2-8 TAGS, REF lines citing other generated cables,
multi-section cables, paragraph markings, SUMMARY/Comment blocks, dash-boxed subheadings,
signer, E.O. and Classified By lines and a routing header. The text is pseudo-English drawn
from a 6,000-word vocabulary with the word frequencies of real cables (synth_vocab.txt).

Formats:
  csv   one file in the `cables.csv` dump layout (no header row; id, created, reference ID,
        origin, classification, references, header, body; all fields quoted, quotes escaped as
        \\" and a stray backslash before ~30% of the newlines inside fields; LF newlines).
  txt   one raw cable per file, <REFID>.txt, Latin-1, CRLF, paragraph mark as byte 0xB6,
        in YYYY/MM/ folders (at most 10,000 files each).
  html  one 2010 WikiLeaks cable-viewer page per cable, UTF-8, in YYYY/MM/ folders.

Generation runs in worker processes (fork) on chunks of cables and streams to disk; memory stays
flat apart from a few bytes of metadata per cable (dates, posts, serials) that REF lines need.
"""

from __future__ import annotations

import argparse
import array
import bisect
import calendar
import itertools
import math
import multiprocessing
import os
import random
import re
import sys
import time
import zlib
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth_data as D  # noqa: E402

FULL_COUNT = 251_287
# Bump when the output for a given seed changes, so that cached corpora are not reused.
GENERATOR_VERSION = 1
VOCAB_FILE = Path(__file__).resolve().parent / "synth_vocab.txt"
MAX_FILES_PER_DIR = 10_000
CHUNK = 500  # cables per work unit

# Cables per year in the release (rough shape: a thin tail back to 1966, the bulk 2006-2009,
# January-February 2010 only).
YEAR_WEIGHTS: dict[int, float] = {
    **{y: 6.0 for y in range(1966, 1985)},
    **{y: 40.0 for y in range(1985, 1990)},
    **{y: 90.0 for y in range(1990, 2000)},
    2000: 700, 2001: 1100, 2002: 1900, 2003: 3000, 2004: 9000, 2005: 16500,
    2006: 42000, 2007: 50000, 2008: 53000, 2009: 57000, 2010: 9500,
}

# (classification, share) as in the release: 53% unclassified, 40% confidential, 6% secret.
CLASSIFICATIONS: list[tuple[str, float]] = [
    ("UNCLASSIFIED", 30.2),
    ("UNCLASSIFIED//FOR OFFICIAL USE ONLY", 23.1),
    ("CONFIDENTIAL", 38.6),
    ("CONFIDENTIAL//NOFORN", 1.9),
    ("SECRET", 4.5),
    ("SECRET//NOFORN", 1.7),
]

# Paragraph markings per classification: (markings, cumulative weights).
_MARKINGS: dict[str, tuple[list[str], list[float]]] = {
    "UNCLASSIFIED": (["U", "SBU"], [90, 100]),
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY": (["SBU", "U"], [85, 100]),
    "CONFIDENTIAL": (["C", "U", "SBU"], [75, 85, 100]),
    "CONFIDENTIAL//NOFORN": (["C/NF", "C//NF", "C", "U"], [45, 65, 90, 100]),
    "SECRET": (["S", "C", "U", "S/NF"], [55, 88, 98, 100]),
    "SECRET//NOFORN": (["S/NF", "S//NF", "S", "C"], [50, 70, 85, 100]),
}

# WikiLeaks viewer: classification link number and its (mismatched) title attribute.
_HTML_CLASS = {
    "CONFIDENTIAL": (1, "unclassified"),
    "CONFIDENTIAL//NOFORN": (2, "secret"),
    "SECRET": (3, "confidential"),
    "SECRET//NOFORN": (4, "secret//noforn"),
    "UNCLASSIFIED": (5, "unclassified//fouo"),
    "UNCLASSIFIED//FOR OFFICIAL USE ONLY": (6, "confidential//noforn"),
}

ZN_LINES = {"U": "ZNR UUUUU ZZH", "C": "ZNY CCCCC ZZH", "S": "ZNY SSSSS ZZH"}
MONTHS = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
PRECEDENCE = [("R", "RR", ""), ("P", "PP", "PRIORITY "), ("O", "OO", "IMMEDIATE ")]

# Size target of a cable (before wrapping and markup, which add ~19%): 800 bytes + lognormal
# (median 3.9 KB); one cable in 500 is 2-6 times longer. CSV records come out at a median of
# ~5.5 KB and a mean of ~6.8 KB (1.7 GB for 251,287 cables), the longest around 100-200 KB.
SIZE_BASE = 800
SIZE_MEDIAN = 3900
SIZE_SIGMA = 0.68

_WRAP = re.compile(r"(.{1,68})(?: +|$)")
_PARA_MARK = re.compile(r"^\xb6(\d+)\.", re.M)


def wrap(text: str) -> str:
    """Greedy wrap at 68 columns; every line keeps a trailing blank, as in the real cables."""
    return " \n".join(_WRAP.findall(text)) + " "


# --------------------------------------------------------------------------------------------
# The world: vocabulary, sentence pool and the plan of all cables (built once, before fork).


@dataclass
class World:
    count: int
    seed: int
    posts: list[D.Post]
    post_cum: list[float]
    words: list[str]
    word_cum: list[float]
    content: list[str]  # vocabulary without the most frequent (function) words
    content_cum: list[float]
    sentences: list[str]
    ts: array.array  # creation time (epoch seconds), sorted
    post_of: array.array  # post index per cable
    serial: array.array  # serial per cable
    by_post: list[array.array] = field(default_factory=list)  # cable indices per post
    state_index: int = 0
    subject_cum: list[float] = field(default_factory=list)
    country_codes: list[str] = field(default_factory=list)
    country_cum: list[float] = field(default_factory=list)
    cities_by_country: dict[str, list[str]] = field(default_factory=dict)
    mask: list[str] = field(default_factory=list)
    month_first: dict[tuple[int, int], int] = field(default_factory=dict)
    by_region: dict[str, list[D.Post]] = field(default_factory=dict)

    def reference_id(self, i: int) -> str:
        year = time.gmtime(self.ts[i]).tm_year
        return f"{year % 100:02d}{self.posts[self.post_of[i]].code}{self.serial[i]}"


def _load_vocab() -> tuple[list[str], list[int]]:
    words: list[str] = []
    counts: list[int] = []
    with VOCAB_FILE.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or "\t" not in line:
                continue
            word, count = line.rstrip("\n").split("\t")
            words.append(word)
            counts.append(int(count))
    return words, counts


def _number(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3:
        return str(rng.randint(2, 60))
    if r < 0.5:
        return str(rng.randint(1995, 2010))
    if r < 0.65:
        return f"{rng.randint(5, 95)} percent"
    if r < 0.8:
        return f"USD {rng.randint(1, 900)} million"
    return f"{rng.randint(1, 99)},{rng.randint(0, 999):03d}"


def _build_sentences(rng: random.Random, words: list[str], cum: list[float], n: int) -> list[str]:
    """A pool of pseudo-English sentences; paragraphs are drawn from it at random.

    `#A`/`#B` (people), `#L` (place), `#C` (country) are filled in per cable.
    """
    joiners = [", ", ", ", " and ", "; ", " but ", ", while ", " because ", " that "]
    markers = ["#A", "#A", "#B", "#L", "#C", "#C"]
    out: list[str] = []
    for _ in range(n):
        clauses = []
        for _ in range(1 + (rng.random() < 0.55) + (rng.random() < 0.2)):
            clause = rng.choices(words, cum_weights=cum, k=rng.randint(4, 13))
            r = rng.random()
            if r < 0.22:
                clause.insert(rng.randrange(len(clause) + 1), rng.choice(markers))
            elif r < 0.3:
                clause.insert(rng.randrange(len(clause) + 1), _number(rng))
            text = " ".join(clause)
            if rng.random() < 0.05:
                text = f'"{text}"'
            elif rng.random() < 0.02:
                text = f"({text})"
            clauses.append(text)
        text = clauses[0]
        for clause in clauses[1:]:
            text += rng.choice(joiners) + clause
        k = 1 if text[0] in "\"(" else 0
        text = text[:k] + text[k].upper() + text[k + 1 :]
        out.append(text + ("?" if rng.random() < 0.01 else "."))
    return out


def _year_bounds(year: int) -> tuple[int, int]:
    start = calendar.timegm((year, 1, 1, 0, 0, 0))
    end = calendar.timegm((2010, 3, 1, 0, 0, 0) if year == 2010 else (year + 1, 1, 1, 0, 0, 0))
    return start, end


def build_world(count: int, seed: int) -> World:
    rng = random.Random(seed)
    posts = D.POSTS
    post_cum = list(itertools.accumulate(p.weight**1.25 for p in posts))
    words, counts = _load_vocab()
    # Flatten the head a little: real Zipf, but the pool is short sentences, not whole texts.
    word_cum = list(itertools.accumulate(c**0.95 for c in counts))
    skip = 120
    content = words[skip:]
    content_cum = list(itertools.accumulate(c**0.8 for c in counts[skip:]))
    countries = sorted({p.country for p in posts if p.country})
    weight_by_country = Counter({c: 0.0 for c in countries})
    for p in posts:
        if p.country:
            weight_by_country[p.country] += p.weight
    country_cum = list(itertools.accumulate(weight_by_country[c] for c in countries))
    cities: dict[str, list[str]] = {}
    for p in posts:
        if p.country and p.station.startswith(("AMEMBASSY", "AMCONSUL")):
            city = p.station.split(" ", 1)[1].title()
            cities.setdefault(p.country, []).append(city)

    pool_size = min(250_000, 40_000 + count * 2)
    sentences = _build_sentences(rng, words, word_cum, pool_size)

    years = sorted(YEAR_WEIGHTS)
    year_cum = list(itertools.accumulate(YEAR_WEIGHTS[y] for y in years))
    bounds = {y: _year_bounds(y) for y in years}
    stamps = []
    for year in rng.choices(years, cum_weights=year_cum, k=count):
        lo, hi = bounds[year]
        stamps.append(rng.randrange(lo, hi))
    stamps.sort()
    ts = array.array("q", stamps)
    del stamps
    post_of = array.array("H", rng.choices(range(len(posts)), cum_weights=post_cum, k=count))

    # Serial numbers: increasing per post and year, sparse (most cables were not released).
    total_w = post_cum[-1]
    total_y = year_cum[-1]
    serial = array.array("I", bytes(4 * count))
    counters: Counter[tuple[int, int]] = Counter()
    by_post = [array.array("I") for _ in posts]
    month_first: dict[tuple[int, int], int] = {}
    state_index = next(k for k, p in enumerate(posts) if p.code == "STATE")
    for i in range(count):
        tm = time.gmtime(ts[i])
        month_first.setdefault((tm.tm_year, tm.tm_mon), i)
        p = post_of[i]
        post = posts[p]
        volume = 130_000 if p == state_index else 600 + post.weight
        expected = count * (post.weight**1.25 / total_w) * (YEAR_WEIGHTS[tm.tm_year] / total_y)
        step = max(1, int(volume / max(1.0, expected)))
        key = (p, tm.tm_year)
        k = counters[key]
        counters[key] = k + 1
        serial[i] = k * step + 1 + rng.randrange(step)
        by_post[p].append(i)

    mask_rng = random.Random(seed ^ 0x5EED)
    mask = ["\\" if mask_rng.random() < 0.3 else "" for _ in range(1 << 16)]
    subject_cum = list(itertools.accumulate(1.0 / (r + 1.5) for r in range(len(D.SUBJECT_TAGS))))
    return World(
        count=count,
        seed=seed,
        posts=posts,
        post_cum=post_cum,
        words=words,
        word_cum=word_cum,
        content=content,
        content_cum=content_cum,
        sentences=sentences,
        ts=ts,
        post_of=post_of,
        serial=serial,
        by_post=by_post,
        state_index=state_index,
        subject_cum=subject_cum,
        country_codes=countries,
        country_cum=country_cum,
        cities_by_country=cities,
        mask=mask,
        month_first=month_first,
        by_region={r: [p for p in posts if p.region == r] for r in {p.region for p in posts}},
    )


# --------------------------------------------------------------------------------------------
# One cable.


@dataclass
class Cable:
    index: int
    reference_id: str
    created: time.struct_time
    origin: str
    classification: str
    references: list[str]
    header: str
    body: str
    tags_line: str
    post_index: int


def _signer(post: D.Post, year: int) -> str:
    if post.code == "STATE":
        for until, name in ((1989, "SHULTZ"), (1993, "BAKER"), (1997, "CHRISTOPHER"),
                            (2001, "ALBRIGHT"), (2005, "POWELL"), (2009, "RICE")):
            if year < until:
                return name
        return "CLINTON"
    h = zlib.crc32(f"{post.code}{year // 3}".encode())
    return D.SURNAMES[h % len(D.SURNAMES)].upper()


def _person(rng: random.Random) -> str:
    return f"{rng.choice(D.GIVEN_NAMES)} {rng.choice(D.SURNAMES)}"


def _zipf_pick(rng: random.Random, items: list[str], cum: list[float]) -> str:
    return items[bisect.bisect(cum, rng.random() * cum[-1])]


def _tags(w: World, rng: random.Random, post: D.Post) -> list[str]:
    tags: list[str] = []
    n_subject = rng.choices((1, 2, 3, 4, 5), cum_weights=(22, 58, 83, 95, 100))[0]
    while len(tags) < n_subject:
        tag = _zipf_pick(rng, D.SUBJECT_TAGS, w.subject_cum)
        if tag not in tags:
            tags.append(tag)
    if rng.random() < 0.06:
        tags.append(rng.choice(D.ORG_TAGS))
    countries: list[str] = []
    if post.country and rng.random() < 0.93:
        countries.append(post.country)
    while rng.random() < (0.35 if countries else 1.0):
        if rng.random() < 0.5:
            extra = rng.choice(D.HOT_COUNTRIES)
        else:
            extra = _zipf_pick(rng, w.country_codes, w.country_cum)
        if extra not in countries:
            countries.append(extra)
        if len(countries) >= 3:
            break
    if rng.random() < 0.15:
        tags = countries + tags
    else:
        tags += countries
    if rng.random() < 0.03:
        tags.append(
            f"{rng.choice(D.PERSON_MARKERS)} {rng.choice(D.SURNAMES).upper()} "
            f"{rng.choice(D.GIVEN_NAMES).upper()}"
        )
    return tags[:8]


def _ref_entries(w: World, rng: random.Random, i: int, year: int) -> list[tuple[str, str]]:
    """(text as written in the REF line, canonical reference ID) for the cables cited."""
    n = rng.choices((1, 2, 3, 4, 5, 6), cum_weights=(55, 80, 90, 95, 98, 100))[0]
    p = w.post_of[i]
    out: list[tuple[str, str]] = []
    for _ in range(n):
        r = rng.random()
        j = -1
        if r < 0.85:
            src = p if r < 0.45 else (w.state_index if r < 0.7 else -1)
            if src >= 0:
                indices = w.by_post[src]
                pos = bisect.bisect_left(indices, i)
                if pos > 0:
                    back = min(pos - 1, int(rng.expovariate(1 / 25)))
                    j = indices[pos - 1 - back]
            else:
                j = i - 1 - int(rng.expovariate(1 / 3000))
        if j >= 0:
            cited_post = w.posts[w.post_of[j]]
            cited_year = time.gmtime(w.ts[j]).tm_year
            cited_serial = w.serial[j]
        else:  # a cable outside the generated set
            cited_post = w.posts[p] if rng.random() < 0.5 else rng.choice(w.posts)
            cited_year = year - (rng.random() < 0.3)
            cited_serial = rng.randint(1, 9000)
        name = cited_post.ref_name
        if name == "STATE" and rng.random() < 0.1:
            name = "SECSTATE"
        number = f"{cited_serial:04d}" if rng.random() < 0.1 else str(cited_serial)
        if cited_year != year or rng.random() < 0.4:
            text = f"{cited_year % 100:02d} {name} {number}"
        else:
            text = f"{name} {number}"
        rid = f"{cited_year % 100:02d}{cited_post.code}{cited_serial}"
        if all(rid != seen for _, seen in out):
            out.append((text, rid))
    return out


def _ref_lines(rng: random.Random, entries: list[tuple[str, str]]) -> list[str]:
    texts = [t for t, _ in entries]
    if len(texts) == 1:
        return [f"REF: {texts[0]} "]
    letters = "ABCDEFGH"
    style = rng.random()
    if style < 0.45:
        lines = [f"REF: A. {texts[0]} "]
        lines += [f"     {letters[k]}. {t} " for k, t in enumerate(texts[1:], 1)]
        return lines
    sep = ") " if style > 0.93 else ". "
    text = "REF: " + " ".join(f"{letters[k]}{sep}{t}" for k, t in enumerate(texts))
    return wrap(text).split("\n")


def _subject_words(w: World, rng: random.Random, n: int) -> str:
    return " ".join(rng.choices(w.content, cum_weights=w.content_cum, k=n))


def _paragraphs(w: World, rng: random.Random, target: int) -> list[str]:
    """Raw (unwrapped) paragraph texts adding up to about `target` characters."""
    sentences = w.sentences
    n_sent = len(sentences)
    out: list[str] = []
    total = 0
    while total < target:
        k = 1 + min(12, int(rng.expovariate(1 / 3.5)))
        text = "  ".join([sentences[int(rng.random() * n_sent)] for _ in range(k)])
        out.append(text)
        total += len(text) + 24
    return out


def _heading(w: World, rng: random.Random) -> str:
    text = _subject_words(w, rng, rng.randint(2, 6))
    text = text.upper() if rng.random() < 0.4 else text.title()
    dashes = "-" * len(text)
    if rng.random() < 0.5:
        return f"{dashes} \n{text} \n{dashes} "
    return f"{text} \n{dashes} "


def render(w: World, i: int) -> Cable:
    rng = random.Random(w.seed * 0x9E3779B1 + i)
    post = w.posts[w.post_of[i]]
    tm = time.gmtime(w.ts[i])
    year = tm.tm_year
    serial = w.serial[i]
    refid = f"{year % 100:02d}{post.code}{serial}"
    classification = rng.choices(
        [c for c, _ in CLASSIFICATIONS],
        cum_weights=list(itertools.accumulate(s for _, s in CLASSIFICATIONS)),
    )[0]
    level = classification[0]  # U, C or S
    noforn = classification.endswith("NOFORN")
    fouo = classification.endswith("ONLY")

    # --- size target and per-cable names
    total = SIZE_BASE + rng.lognormvariate(math.log(SIZE_MEDIAN), SIZE_SIGMA)
    if rng.random() < 0.002:
        total *= rng.uniform(2, 6)
    country = D.COUNTRY_NAMES.get(post.country) or D.COUNTRY_NAMES[rng.choice(D.HOT_COUNTRIES)]
    cities = w.cities_by_country.get(post.country) or ["Washington"]
    redacted = rng.random() < 0.04
    person_a = "XXXXXXXXXXXX" if redacted else _person(rng)
    person_b = _person(rng)
    place = rng.choice(cities)

    # --- routing header
    prec, prec2, prec_word = PRECEDENCE[rng.choices((0, 1, 2), cum_weights=(35, 82, 100))[0]]
    dtg = (f"{tm.tm_mday:02d}{tm.tm_hour:02d}{tm.tm_min:02d}Z "
           f"{MONTHS[tm.tm_mon - 1]} {year % 100:02d}")
    same_region = w.by_region[post.region]
    r = rng.random()
    n_info = 0 if r < 0.25 else rng.randint(1, 5) if r < 0.7 else rng.randint(6, 20)
    if r > 0.96:
        n_info = rng.randint(20, 45)
    n_posts = min(len(same_region), sum(rng.random() < 0.7 for _ in range(n_info)))
    info: list[str] = []
    relays: list[str] = []
    for q in rng.sample(same_region, n_posts):
        if q is not post:
            info.append(f"{q.ri}/{q.station} {rng.randint(1, 9999):04d}")
            if rng.random() < 0.4 and q.ri not in relays:
                relays.append(q.ri)
    info += rng.sample(D.AGENCIES, min(len(D.AGENCIES), n_info - n_posts))
    rng.shuffle(info)
    old = year < 1990
    header_lines: list[str] = []
    if not old:
        header_lines.append(
            f"VZCZCXRO{rng.randint(0, 9999):04d}" if rng.random() < 0.75 else "VZCZCXYZ0000"
        )
        relay_text = " ".join(relays) if relays else "RUEHWEB"
        header_lines += [f"{prec2} {line}" if k == 0 else line
                         for k, line in enumerate(wrap(relay_text).replace(" \n", "\n")
                                                  .strip().split("\n"))]
        if not relays:
            header_lines.append("")
        header_lines.append("%DE%")  # filled in when the number of sections is known
        header_lines.append(ZN_LINES[level])
        header_lines.append(f"{prec} {dtg}")
    else:
        header_lines.append(f"{prec} R {dtg}")
    header_lines.append(f"FM {post.station}")
    if post.code == "STATE":
        targets = rng.sample(w.posts, rng.randint(1, 6))
        for k, q in enumerate(targets):
            line = f"{q.ri}/{q.station} {prec_word}{rng.randint(1, 9999):04d}"
            header_lines.append(("TO " if k == 0 else "") + line)
    elif old:
        header_lines.append(f"TO SECSTATE WASHDC {prec_word}{rng.randint(1, 9999):04d}")
    else:
        header_lines.append(f"TO RUEHC/SECSTATE WASHDC {prec_word}{rng.randint(1, 9999):04d}")
    for k, line in enumerate(info):
        if old:
            line = line.split("/", 1)[-1]
        header_lines.append(("INFO " if k == 0 else "") + line)

    # --- top matter of the body
    top: list[str] = [" "]
    if year >= 2005 or rng.random() < 0.2:
        top += ["SIPDIS ", " "]
    if fouo:
        top.append("SENSITIVE ")
    if noforn and rng.random() < 0.7:
        top.append("NOFORN ")
    if year >= 2005 and rng.random() < 0.4:
        top.append("SIPDIS ")
    if top[-1] != " ":
        top.append(" ")
    if rng.random() < 0.35:
        who = "DEPARTMENT" if post.code != "STATE" else rng.choice(["FOR", "PASS TO"])
        offices = ", ".join(rng.sample(D.OFFICE_SYMBOLS, rng.randint(1, 4)))
        top += [f"{who} FOR {offices} " if who == "DEPARTMENT" else f"{who} {offices} ", " "]
    if year >= 2010:
        eo = "E.O. 13526"
    elif year >= 1995:
        eo = "E.O. 12958"
    elif year >= 1982:
        eo = "E.O. 12356"
    else:
        eo = "E.O. 12065"
    if level == "U":
        top.append(f"{eo}: N/A ")
    else:
        decl_year = year + (25 if rng.random() < 0.15 else 10)
        top.append(f"{eo}: DECL: {tm.tm_mon:02d}/{tm.tm_mday:02d}/{decl_year} ")
    tags = _tags(w, rng, post)
    tag_sep = ", " if rng.random() < 0.12 else " "
    tags_line = "TAGS: " + tag_sep.join(tags)
    if len(tags_line) > 66 and rng.random() < 0.5:
        cut = tags_line.rfind(" ", 0, 60)
        top += [tags_line[:cut], tags_line[cut + 1 :]]
    else:
        top.append(tags_line)
    subject = _subject_words(w, rng, rng.randint(3, 11)).upper()
    if rng.random() < 0.45:
        subject = f"{country.upper()}: {subject}"
    if level != "U" and rng.random() < 0.5:
        subject = f"({rng.choices(*_MARKINGS[classification])[0]}) {subject}"
    subject_lines = wrap("SUBJECT: " + subject).split("\n")
    top += subject_lines
    top.append(" ")
    references: list[str] = []
    if rng.random() < 0.4:
        entries = _ref_entries(w, rng, i, year)
        references = [rid for _, rid in entries]
        top += _ref_lines(rng, entries)
        top.append(" ")
    if level != "U":
        reasons = rng.choice(["1.4 (b) and (d)", "1.4 (b, d)", "1.4(d)", "1.4 (b), (c) and (d)",
                              "1.4 (c)", "1.4 (B, D)", "1.4 (a), (b) and (d)"])
        if year < 2003:
            reasons = reasons.replace("1.4", "1.5")
        officer = f"{rng.choice(D.OFFICER_TITLES)} {_person(rng)}"
        top += wrap(f"Classified By: {officer}, for reasons {reasons}.").split("\n")
        top.append(" ")
    elif fouo and rng.random() < 0.5:
        top += ["Sensitive but unclassified.  Please handle accordingly. ", " "]

    # --- paragraphs
    header_text = "\n".join(header_lines)
    used = len(header_text) + sum(len(x) + 1 for x in top) + 200
    raw = _paragraphs(w, rng, max(300, int(total) - used))
    markings, mark_cum = _MARKINGS[classification]
    unmarked = level == "U" and rng.random() < 0.4
    pilcrow = "\xb6" if rng.random() < 0.88 else ""
    n = len(raw)
    n_pool = len(w.sentences)
    summary = n >= 3 and rng.random() < 0.6
    comment_at = n - 1 if n >= 4 and rng.random() < 0.35 else -1
    headings = n >= 5 and rng.random() < 0.45
    # Paragraphs, subheadings and "--" bullets; the texts are completed (names filled in)
    # before wrapping so that lines keep their width.
    # (kind, text): P paragraph, U upper-case paragraph, H heading, B bullet
    items: list[tuple[str, str]] = []
    number = 0
    for k, para in enumerate(raw):
        if headings and k > 0 and rng.random() < 0.25:
            items.append(("H", ""))
        kind = "P"
        if k == 0 and summary:
            para = f"Summary:  {para}  End summary."
            kind = "U" if rng.random() < 0.3 else "P"
        elif k == comment_at:
            para = f"Comment:  {para}  End comment."
        elif rng.random() < 0.04:
            para += f"  (Comment:  {w.sentences[int(rng.random() * n_pool)]}  End comment.)"
        number += 1
        mark = "" if unmarked else f"({rng.choices(markings, cum_weights=mark_cum)[0]}) "
        items.append((kind, f"{pilcrow}{number}.  {mark}{para}"))
        if rng.random() < 0.07:
            for _ in range(rng.randint(2, 5)):
                items.append(("B", "--  " + w.sentences[int(rng.random() * n_pool)]))
    text = "\x00".join(t for _, t in items)
    if "#" in text:
        text = (text.replace("#A", person_a).replace("#B", person_b)
                .replace("#L", place).replace("#C", country))
    blocks = [
        _heading(w, rng) if kind == "H" else wrap(t.upper() if kind == "U" else t)
        for (kind, _), t in zip(items, text.split("\x00"), strict=True)
    ]
    blocks.append(_signer(post, year) if rng.random() < 0.9 else _signer(post, year).title())
    lines = top + "\n \n".join(blocks).split("\n")

    # --- sections
    per_section = rng.randint(58, 72) if rng.random() < 0.8 else 1 << 30
    sections = max(1, math.ceil(len(lines) / per_section))
    if sections > 1:
        split: list[str] = []
        for s in range(sections):
            if s:
                split += [" ", f"{post.ref_name} {serial:08d}  {s + 1:03d} OF {sections:03d} ",
                          " ", " "]
            split += lines[s * per_section : (s + 1) * per_section]
        lines = split
    if level == "U":
        label = "UNCLAS"
    elif level == "C":
        label = "C O N F I D E N T I A L" if rng.random() < 0.5 else "CONFIDENTIAL"
    else:
        label = "S E C R E T" if rng.random() < 0.5 else "SECRET"
    section = f" SECTION {1:02d} OF {sections:02d}" if sections > 1 else ""
    first = f"{label}{section} {post.ref_name} {serial:06d} "
    if noforn and rng.random() < 0.3:
        first += "NOFORN "
    body = first + "\n" + "\n".join(lines)
    if year < 2000 or (year < 2004 and rng.random() < 0.5):
        body = body.upper()
    de = f"DE {post.ri} #{serial % 10000:04d}{'/01' if sections > 1 else ''} "
    de += f"{tm.tm_yday:03d}{tm.tm_hour:02d}{tm.tm_min:02d}"
    header = header_text.replace("%DE%", de)
    return Cable(
        index=i,
        reference_id=refid,
        created=tm,
        origin=post.origin,
        classification=classification,
        references=references,
        header=header,
        body=body,
        tags_line=tags_line if tags_line in body else "",
        post_index=w.post_of[i],
    )


# --------------------------------------------------------------------------------------------
# Output formats.


def to_csv(w: World, c: Cable, rng: random.Random) -> bytes:
    mask = w.mask
    fields = [
        str(c.index + 1),
        time.strftime("%m/%d/%Y %H:%M", c.created),
        c.reference_id,
        c.origin,
        c.classification,
        ",".join(c.references),
    ]
    for text in (c.header, c.body):
        text = text.replace('"', '\\"')
        lines = text.split("\n")
        n = len(lines) - 1  # the last line is followed by the closing quote, not a newline
        off = rng.randrange(len(mask) - n) if n < len(mask) else 0
        lines[:n] = map(str.__add__, lines[:n], mask[off : off + n])
        fields.append("\n".join(lines))
    return ('"' + '","'.join(fields) + '"\n').encode("utf-8")


def to_txt(c: Cable) -> bytes:
    text = "\n" + c.header + "\n" + c.body + "\n"
    return text.replace("\n", "\r\n").encode("latin-1")


_HTML_HEAD = """<?xml version='1.0' encoding='utf-8' ?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" \
"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html lang='en' xml:lang='en' xmlns='http://www.w3.org/1999/xhtml'>
<head>
<title>Cable Viewer</title>
<link href='/static/gfx/favicon.ico' rel='shortcut icon' />
<link href='/static/css/reset-fonts-grids.css' rel='stylesheet' type='text/css' />
<link href='/static/css/cables.css' rel='stylesheet' type='text/css' />
</head>
<body>
<div class='main'>
<div class='pane small'>
<a href='/index.html'>
<img alt='WikiLeaks logo' src='/static/gfx/WL_Hour_Glass_small.png' />
<p>Currently released so far... 1295 / 251,287</p>
</a>
<div id='browse'>
<h3>Browse latest releases</h3>
<div class='sort'>
""" + "".join(
    f"<a href='/reldate/2010-12-{d:02d}_0.html'>2010/12/{d:02d}</a>\n" for d in range(10, 0, -1)
) + """</div>
<h3>Browse by creation <a href='#year_1966' onclick='return sha(0);'>date</a></h3>
<div class='pick'>
""" + "".join(
    f"<a class='sort' href='#year_{y}' onclick=\"return swap('year_{y}');\">{y % 100:02d}</a>\n"
    for y in (1966, 1972, 1975, 1979, 1986, 1988, 1989, 1990, *range(2000, 2011))
) + """</div>
<h3>Browse by <a href='#by_A' onclick='return sha(1);'>origin</a></h3>
<h3>Browse by <a href='#tag_A' onclick='return sha(2);'>tag</a></h3>
<h3>Browse by <a href='#class_0' onclick='return sha(3);'>classification</a></h3>
</div>
</div>
<div class='pane big'>
"""

_HTML_HELP = """<div>
If you are new to these pages, please read an introduction on the <a href="#help_1" \
onclick="return sh(1);">structure of a cable</a> as well as how to <a href="#help_2" \
onclick="return sh(2);">discuss them</a> with others. See also the \
<a href="/static/html/faq.html">FAQs</a>
<br />
</div>
<div id='help_1'>
<br />
<b>Understanding cables</b>
<br />
Every cable message consists of three parts:
<ul>
<li>The top box shows each cables unique reference number, when and by whom it originally was \
sent, and what its initial classification was.</li>
<li>The middle box contains the header information that is associated with the cable. It \
includes information about the receiver(s) as well as a general subject.</li>
<li>The bottom box presents the body of the cable.</li>
</ul>
</div>
"""


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_html(c: Cable, rng: random.Random) -> bytes:
    tm = c.created
    ym = f"{tm.tm_year}/{tm.tm_mon:02d}"
    number, title = _HTML_CLASS[c.classification]
    released = f"2010-{11 if rng.random() < 0.2 else 12}-{rng.randint(1, 10):02d}"
    if released.startswith("2010-11"):
        released = f"2010-11-{rng.randint(28, 30)}"
    rel_time = f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"
    body = c.body
    if rng.random() < 0.2:
        body = body.replace("'", "\u2019")
    body = _html_escape(body)
    if c.tags_line:
        linked = re.sub(
            r"[A-Z][A-Z'\-]+",
            lambda m: f"<a href='/tag/{m.group(0)}_0.html'>{m.group(0)}</a>",
            c.tags_line[6:],
        )
        body = body.replace(c.tags_line, "TAGS: " + linked, 1)
    body = _PARA_MARK.sub("<a id='par\\1' href='#par\\1'>\xb6</a>\\1.", body)
    subject = ""
    m = re.search(r"SUBJECT: (.*)", c.body)
    if m:
        subject = _html_escape(m.group(1).strip())
    page = (
        _HTML_HEAD
        + f"<h3>Viewing cable {c.reference_id}, {subject}</h3>\n"
        + _HTML_HELP
        + "<table class='cable'>\n<tr>\n<th>Reference ID</th>\n<th>Created</th>\n"
        + "<th>Released</th>\n<th>Classification</th>\n<th>Origin</th>\n</tr>\n<tr>\n"
        + f"<td>\n<a href='/cable/{ym}/{c.reference_id}.html'>{c.reference_id}</a>\n</td>\n"
        + f"<td>\n<a href='/date/{tm.tm_year}-{tm.tm_mon:02d}_0.html'>"
        + f"{time.strftime('%Y-%m-%d %H:%M', tm)}</a>\n</td>\n"
        + f"<td>\n<a href='/reldate/{released}_0.html'>{released} {rel_time}</a>\n</td>\n"
        + f"<td>\n<a href='/classification/{number}_0.html' title='{title}'>"
        + f"{c.classification}</a>\n</td>\n"
        + f"<td>\n<a href='/origin/{c.post_index + 1}_0.html'>{c.origin}</a>\n</td>\n"
        + "</tr>\n</table>\n"
        + "<code><pre>" + _html_escape(c.header).replace("\n", "&#x000A;") + "</pre></code>\n"
        + "<code><pre>" + body.replace("\n", "&#x000A;") + "</pre></code>\n"
        + "</div>\n</div>\n"
        + "<script src='/static/js/js.js' type='text/javascript'></script>\n</body>\n</html>\n"
    )
    return page.encode("utf-8")


# --------------------------------------------------------------------------------------------
# Workers and the driver.

_WORLD: World | None = None


@dataclass
class ChunkResult:
    start: int
    data: bytes  # csv rows (empty for file formats)
    sizes: array.array
    stats: Counter[str]


def cable_dir(w: World, i: int) -> str:
    tm = time.gmtime(w.ts[i])
    folder = f"{tm.tm_year}/{tm.tm_mon:02d}"
    part = (i - w.month_first[(tm.tm_year, tm.tm_mon)]) // MAX_FILES_PER_DIR
    return folder if part == 0 else f"{folder}-{part + 1}"


def _work(args: tuple[int, int, str, str]) -> ChunkResult:
    start, end, fmt, out = args
    w = _WORLD
    assert w is not None
    sizes = array.array("I")
    stats: Counter[str] = Counter()
    parts: list[bytes] = []
    made: set[str] = set()
    for i in range(start, end):
        cable = render(w, i)
        rng = random.Random(w.seed * 0x51ED + i)
        stats[cable.classification] += 1
        stats["with REF"] += bool(cable.references)
        stats["multi-section"] += " SECTION 01 OF " in cable.body[:120]
        if fmt == "csv":
            data = to_csv(w, cable, rng)
            parts.append(data)
        else:
            data = to_txt(cable) if fmt == "txt" else to_html(cable, rng)
            folder = cable_dir(w, i)
            if folder not in made:
                os.makedirs(os.path.join(out, folder), exist_ok=True)
                made.add(folder)
            path = os.path.join(out, folder, f"{cable.reference_id}.{fmt}")
            with open(path, "wb") as fh:
                fh.write(data)
        sizes.append(len(data))
    return ChunkResult(start, b"".join(parts), sizes, stats)


def _chunks(count: int, fmt: str, out: str) -> Iterator[tuple[int, int, str, str]]:
    for start in range(0, count, CHUNK):
        yield (start, min(count, start + CHUNK), fmt, out)


def _run_chunks(
    count: int, fmt: str, out: str, workers: int
) -> Iterator[ChunkResult]:
    """Results in order; at most 2 x workers chunks in flight (bounded memory)."""
    if workers <= 1:
        for args in _chunks(count, fmt, out):
            yield _work(args)
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers) as pool:
        pending: deque = deque()
        for args in _chunks(count, fmt, out):
            pending.append(pool.apply_async(_work, (args,)))
            if len(pending) >= 2 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def _percentile(sorted_values: list[int], q: float) -> int:
    if not sorted_values:
        return 0
    k = min(len(sorted_values) - 1, max(0, round(q * (len(sorted_values) - 1))))
    return sorted_values[k]


def _fmt_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return f"{n:.1f} GB"


def size_report(sizes: list[int]) -> list[str]:
    """Percentiles and a histogram of record sizes (sorted in place)."""
    sizes.sort()
    n = len(sizes)
    lines = [
        "size per cable: "
        + ", ".join(
            f"{name} {_fmt_bytes(_percentile(sizes, q))}"
            for name, q in (("min", 0), ("p10", 0.1), ("median", 0.5), ("p90", 0.9),
                            ("p99", 0.99), ("max", 1.0))
        )
        + f", mean {_fmt_bytes(sum(sizes) / max(1, n))}"
    ]
    edges = [0, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 1 << 40]
    labels = ["< 2 KB", "2-4 KB", "4-8 KB", "8-16 KB", "16-32 KB", "32-64 KB", "64-128 KB",
              ">= 128 KB"]
    for lo, hi, label in zip(edges, edges[1:], labels, strict=False):
        k = bisect.bisect_left(sizes, hi) - bisect.bisect_left(sizes, lo)
        bar = "#" * round(60 * k / max(1, n))
        lines.append(f"  {label:>10} {k:>8} {100 * k / max(1, n):5.1f}% {bar}")
    return lines


def generate(count: int, fmt: str, out: Path, seed: int, workers: int, quiet: bool) -> int:
    """Write the corpus; returns the number of bytes written."""
    global _WORLD
    t0 = time.monotonic()
    _WORLD = build_world(count, seed)
    if not quiet:
        print(f"planned {count} cables in {time.monotonic() - t0:.1f} s "
              f"({len(_WORLD.sentences)} pooled sentences, {len(_WORLD.words)} words)",
              file=sys.stderr)
    out = out.resolve()
    tmp: Path | None = None
    if fmt == "csv":
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".partial")
        sink = tmp.open("wb")
    else:
        out.mkdir(parents=True, exist_ok=True)
        sink = None
    sizes: list[int] = []
    stats: Counter[str] = Counter()
    total = 0
    last = t0
    try:
        for result in _run_chunks(count, fmt, str(out), workers):
            if sink is not None:
                sink.write(result.data)
            sizes.extend(result.sizes)
            stats.update(result.stats)
            total += sum(result.sizes)
            now = time.monotonic()
            if not quiet and (now - last > 2 or len(sizes) == count):
                last = now
                rate = len(sizes) / max(1e-9, now - t0)
                print(f"  {len(sizes):>7}/{count} cables  {total / 1e6:8.1f} MB  "
                      f"{now - t0:6.1f} s  ({rate:,.0f} cables/s)", file=sys.stderr)
    finally:
        if sink is not None:
            sink.close()
    if tmp is not None:
        os.replace(tmp, out)
    elapsed = time.monotonic() - t0
    print(f"wrote {count} cables ({fmt}) to {out}", file=sys.stderr)
    print(f"total {total:,} bytes ({total / 1e9:.3f} GB) in {elapsed:.1f} s "
          f"({total / 1e6 / max(elapsed, 1e-9):.1f} MB/s, "
          f"{count / max(elapsed, 1e-9):,.0f} cables/s, {workers} worker(s))", file=sys.stderr)
    for line in size_report(sizes):
        print(line, file=sys.stderr)
    mix = ", ".join(f"{c} {100 * stats[c] / max(1, count):.1f}%" for c, _ in CLASSIFICATIONS)
    print(f"classification: {mix}", file=sys.stderr)
    print(f"with REF: {100 * stats['with REF'] / max(1, count):.1f}%, multi-section: "
          f"{100 * stats['multi-section'] / max(1, count):.1f}%", file=sys.stderr)
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate synthetic Cablegate cables (deterministic for a seed).",
    )
    parser.add_argument("--count", type=int, default=FULL_COUNT,
                        help=f"number of cables (default {FULL_COUNT}, the full release)")
    parser.add_argument("--format", choices=("csv", "txt", "html"), default="csv")
    parser.add_argument("--out", type=Path, required=True,
                        help="output file (csv) or folder (txt, html)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="worker processes (default: all CPUs); output does not depend on it")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    generate(args.count, args.format, args.out, args.seed, max(1, args.workers), args.quiet)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
