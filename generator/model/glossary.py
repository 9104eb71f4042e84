"""Reference tables shipped with gen: routing indicators, post names and the TAGS glossary.

Loaded once per process from `generator/data/` (copied from public sources, see the README).
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources

from generator.model.cable import Tag

_DATA = resources.files("generator") / "data"

# How a routing-book station name begins -> how WikiLeaks names the post.
_STATION_PREFIXES = (
    ("AMEMBASSY ", "Embassy "),
    ("AMCONSUL ", "Consulate "),
    ("AMCONSULATE ", "Consulate "),
    ("AMCONGEN ", "Consulate "),
    ("USMISSION ", "Mission "),
    ("USOFFICE ", "Office "),
    ("AMEMB ", "Embassy "),
)
_STATE_NAMES = {"SECSTATE WASHDC", "DEPT OF STATE WASHINGTON DC", "SECSTATE WASHINGTON DC"}

# Tag codes that are neither in the glossary nor countries but are common enough to classify.
_PERSON_MARKERS = {"OVIP", "OREP", "CODEL"}
_NAME_WORD = re.compile(r"[A-Z][A-Z'\-]{2,}")


def _read_lines(name: str) -> list[str]:
    return (_DATA / name).read_text(encoding="utf-8").splitlines()


@cache
def routing_table() -> dict[str, str]:
    """Routing indicator -> station name, e.g. RUEHNT -> AMEMBASSY TASHKENT."""
    rows = csv.reader(_read_lines("route2name.csv"))
    return {row[0].strip(): row[1].strip() for row in rows if len(row) >= 2}


@cache
def _station_to_routing() -> dict[str, str]:
    table: dict[str, str] = {}
    for indicator, name in routing_table().items():
        # Prefer State Department (RUEH...) indicators when a name has several.
        if name not in table or indicator.startswith("RUEH"):
            table[name] = indicator
    return table


def routing_for_station(name: str) -> str | None:
    return _station_to_routing().get(" ".join(name.upper().split()))


def post_name(station: str) -> str:
    """A station name as written in a routing header -> the post name WikiLeaks uses."""
    station = " ".join(station.upper().split())
    if station in _STATE_NAMES or station.startswith("SECSTATE"):
        return "Secretary of State"
    for prefix, label in _STATION_PREFIXES:
        if station.startswith(prefix):
            return label + _title(station[len(prefix) :])
    if station.startswith("USMISSION"):
        return "Mission " + _title(station[len("USMISSION") :].strip())
    return _title(station) if not re.fullmatch(r"US[A-Z]+(?: .*)?", station) else station


def _title(words: str) -> str:
    return " ".join(w.capitalize() if w.isalpha() else w for w in words.split())


@cache
def post_codes() -> frozenset[str]:
    """Post names as they appear in reference IDs (TASHKENT, LAPAZ, USUNNEWYORK, STATE ...)."""
    codes = {line.strip() for line in _read_lines("post-codes.txt")
             if line.strip() and not line.startswith("#")}
    for name in routing_table().values():
        for prefix, _ in _STATION_PREFIXES:
            if name.startswith(prefix):
                codes.add(name[len(prefix) :].replace(" ", ""))
        if name.startswith("US") and " " not in name:
            codes.add(name)
    return frozenset(codes)


@cache
def _tag_table() -> dict[str, tuple[str, str | None]]:
    table: dict[str, tuple[str, str | None]] = {}
    for code in _read_lines("subject-tags.txt"):
        if code.strip():
            table[code.strip()] = ("subject", None)
    for code in _read_lines("organization-tags.txt"):
        if code.strip():
            table.setdefault(code.strip(), ("organization", None))
    for row in csv.DictReader(_read_lines("fips10-4-countries.csv")):
        table.setdefault(row["fips10_4"].strip(), ("country", row["name"].strip()))
    for row in csv.DictReader(_read_lines("tag-names.csv")):
        table[row["tag"].strip()] = (row["kind"].strip(), row["name"].strip() or None)
    return table


def country_name(code: str) -> str | None:
    known = _tag_table().get(code)
    return known[1] if known and known[0] == "country" else None


def classify_tags(tokens: list[str]) -> list[Tag]:
    """Turn the words of a TAGS line into tags, each with its kind and glossary name.

    Known codes come from the glossary; K-codes are programs; runs of unknown words (person
    names written as tags, e.g. `OVIP STEINBERG JAMES`) become one person tag.
    """
    table = _tag_table()
    tags: list[Tag] = []
    pending_person: list[str] = []

    def flush() -> None:
        if pending_person:
            tags.append(Tag(" ".join(pending_person), "person"))
            pending_person.clear()

    after_marker = False
    for raw in tokens:
        code = raw.strip("()[].;:").upper()
        if not code:
            continue
        known = table.get(code)
        if known is None and (after_marker or pending_person) and _NAME_WORD.fullmatch(code):
            pending_person.append(code)
            continue
        flush()
        after_marker = code in _PERSON_MARKERS
        if known:
            tags.append(Tag(code, known[0], known[1]))
        elif re.fullmatch(r"[A-Z]{2}", code):
            tags.append(Tag(code, "country"))  # region and old country codes (XA, YI, RU ...)
        elif re.fullmatch(r"K[A-Z]{3}", code):
            tags.append(Tag(code, "program"))
        elif re.fullmatch(r"[A-Z]{4}", code):
            tags.append(Tag(code, "subject"))
        elif re.fullmatch(r"[A-Z]{3}", code):
            tags.append(Tag(code, "organization"))
        elif _NAME_WORD.fullmatch(code) and len(code) >= 5:
            pending_person.append(code)  # a person written as a tag: `STEINBERG JAMES`
        else:
            tags.append(Tag(code, "unknown"))
    flush()
    seen: set[str] = set()
    unique = []
    for tag in tags:
        if tag.code not in seen:
            seen.add(tag.code)
            unique.append(tag)
    return unique
