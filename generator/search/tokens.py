"""Tokenising, shared by the index writer, the Python query engine and the JS client (which
implements the same rules: NFKD, drop combining marks, lower-case, runs of [a-z0-9])."""

from __future__ import annotations

import re
import unicodedata

MAX_TOKEN = 40
_TOKEN = re.compile(r"[a-z0-9]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Reference IDs as typed: `07TASHKENT477`, `07 TASHKENT 477`, `07-tashkent-000477`.
_REFERENCE = re.compile(r"^\s*(\d{2})[\s\-]*([A-Za-z][A-Za-z\s\-]*?)[\s\-]*0*(\d{1,7})\s*$")


def normalise(text: str) -> str:
    if text.isascii():  # nearly every cable: NFKD would change nothing
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return _NON_ASCII.sub(_drop_marks, decomposed).lower()


def _drop_marks(match: re.Match) -> str:
    return "".join(c for c in match.group() if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Runs of [a-z0-9] of the normalised text; runs over MAX_TOKEN characters are dropped."""
    found = _TOKEN.findall(normalise(text))
    if found and len(max(found, key=len)) > MAX_TOKEN:  # rare: filter only then
        return [t for t in found if len(t) <= MAX_TOKEN]
    return found


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
