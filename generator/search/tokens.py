"""Tokenising, shared by the index writer, the Python query engine and the JS client (which
implements the same rules: NFKD, drop combining marks, lower-case, runs of [a-z0-9])."""

from __future__ import annotations

import re
import unicodedata

MAX_TOKEN = 40
_TOKEN = re.compile(r"[a-z0-9]+")
# Reference IDs as typed: `07TASHKENT477`, `07 TASHKENT 477`, `07-tashkent-000477`.
_REFERENCE = re.compile(r"^\s*(\d{2})[\s\-]*([A-Za-z][A-Za-z\s\-]*?)[\s\-]*0*(\d{1,7})\s*$")


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(normalise(text)) if len(t) <= MAX_TOKEN]


def reference_term(text: str) -> str | None:
    """The search term of a reference ID typed in any common form, else None."""
    match = _REFERENCE.match(text)
    if not match:
        return None
    year, post, serial = match.groups()
    return f"{year}{re.sub(r'[^a-z]', '', post.lower())}{int(serial)}"


def shard_key(term: str) -> str:
    """Terms are sharded by their first three characters (or the whole term if shorter)."""
    return term[:3]
