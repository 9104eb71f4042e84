"""Canonical cable reference IDs: two-digit year, post code, serial without leading zeros."""

from __future__ import annotations

import re

from generator.model.glossary import post_codes

_CANONICAL = re.compile(r"^(\d{2})([A-Z][A-Z0-9]*?[A-Z])0*(\d+)$")


def canonical_reference_id(text: str) -> str | None:
    """`07 TASHKENT 000477` or `07tashkent477` -> `07TASHKENT477`; None if it is not an ID."""
    compact = re.sub(r"[\s\-.']", "", text.strip().upper())
    match = _CANONICAL.match(compact)
    if not match:
        return None
    year, post, serial = match.groups()
    return f"{year}{post}{int(serial)}"


def cited_reference_id(text: str, citing_year: str | None) -> str | None:
    """The reference ID of the first cable cited in a REF entry, if it names one.

    `07 TASHKENT 123` -> `07TASHKENT123`; `(D) 2008 STATE 029412 AND PREVIOUS` ->
    `08STATE29412`; `LA PAZ 0406` in a 2006 cable -> `06LAPAZ406` (an entry without a year
    cites a cable of the citing cable's year, the usual practice).
    """
    words = re.sub(r"[^A-Z0-9 ]", " ", text.upper()).split()
    codes = post_codes()
    for position, word in enumerate(words):
        if not word.isdigit() or position == 0 or len(word) > 7:
            continue
        # The longest run of up to four words before the serial that spells a known post.
        for length in range(min(4, position), 0, -1):
            post = "".join(words[position - length : position])
            if post == "SECSTATE":
                post = "STATE"
            if post in codes:
                before = words[position - length - 1] if position - length >= 1 else ""
                year = before[-2:] if before.isdigit() and len(before) in (2, 4) else citing_year
                if year:
                    return f"{year}{post}{int(word)}"
                break
    return None
