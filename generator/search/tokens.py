"""Tokenising, shared by the index writer, the Python query engine and the JS client (which
implements the same rules: NFKD, drop combining marks, lower-case, runs of [a-z0-9])."""

from __future__ import annotations

import re
import unicodedata

MAX_TOKEN = 40
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")
# Byte -> itself lower-cased if [A-Za-z0-9], else a space: tokens are then what split() gives.
_WORD_BYTES = bytes(c | 0x20 if chr(c).isalpha() else c if chr(c).isdigit() else 0x20
                    for c in range(128)) + b" " * 128
# Reference IDs as typed: `07TASHKENT477`, `07 TASHKENT 477`, `07-tashkent-000477`.
_REFERENCE = re.compile(r"^\s*(\d{2})[\s\-]*([A-Za-z][A-Za-z\s\-]*?)[\s\-]*0*(\d{1,7})\s*$")


def normalise(text: str) -> str:
    return _fold(text).lower()


def _fold(text: str) -> str:
    """NFKD without combining marks. Only the non-ASCII runs are decomposed: NFKD acts on each
    character, and ASCII characters end any reordering of marks, so the result is the same as
    for the whole text, at a fraction of the cost (cable bodies are ASCII but for a few `¶`)."""
    if text.isascii():
        return text
    return _NON_ASCII.sub(_fold_run, text)


def _fold_run(match: re.Match) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", match.group())
                   if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Runs of [a-z0-9] of the normalised text; runs over MAX_TOKEN characters are dropped."""
    # Anything still non-ASCII after folding separates tokens, like any other non-[a-z0-9].
    ascii_text = _fold(text).encode("ascii", "replace")
    found = ascii_text.translate(_WORD_BYTES).decode("ascii").split()
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
