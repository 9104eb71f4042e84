"""Raw text cables: one cable per file, the text as received (routing header + body).

Only the bytes are decoded here: UTF-8 if they are valid UTF-8, else Latin-1 (the raw-txt exports
are Latin-1 with the paragraph mark as byte 0xB6), line ends normalised to LF. Splitting the header
from the body and everything else is the parser's job.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.errors import CableError
from generator.model.cable import RawCable
from generator.sources.files import read_input

FORMAT = "text"

_UTF8_BOM = b"\xef\xbb\xbf"
_REFERENCE_ID_RE = re.compile(r"^\d{2}[A-Z][A-Z0-9-]+\d+$")
# Control characters that never occur in text (everything below 0x20 except TAB, LF, VT, FF, CR,
# plus DEL); a few are tolerated, a text made of them is binary.
_BINARY_BYTES = bytes(b for b in range(0x20) if b not in b"\t\n\x0b\x0c\r") + b"\x7f"
_HIGH_BYTES = bytes(range(0x80, 0x100))
_SAMPLE = 64 * 1024
_MAX_CONTROL_RATIO = 0.05
_MAX_HIGH_RATIO_LATIN1 = 0.30


class NotTextError(ValueError):
    """The bytes are not text in UTF-8 or Latin-1 (binary data, NUL bytes ...)."""


def looks_like_reference_id(name: str) -> bool:
    """True if `name` (upper-cased) has the shape of a cable reference ID, e.g. 06LAPAZ417."""
    return bool(_REFERENCE_ID_RE.match(name.upper()))


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_not_binary(data: bytes) -> None:
    if b"\x00" in data:
        raise NotTextError("binary data: contains NUL bytes, not a text file")
    sample = data[:_SAMPLE]
    controls = len(sample) - len(sample.translate(None, _BINARY_BYTES))
    if controls > _MAX_CONTROL_RATIO * len(sample):
        raise NotTextError(
            f"binary data: {controls} of the first {len(sample)} bytes are control characters"
        )


def decode_cable_bytes(data: bytes) -> str:
    """Decode cable bytes: strict UTF-8 first, else Latin-1; newlines normalised to LF.

    A UTF-8 byte order mark is dropped. Raises NotTextError (a ValueError) for data that is not
    text: NUL bytes, mostly control characters, or (when not UTF-8) mostly non-ASCII bytes.
    """
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    _check_not_binary(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        sample = data[:_SAMPLE]
        high = len(sample) - len(sample.translate(None, _HIGH_BYTES))
        if high > _MAX_HIGH_RATIO_LATIN1 * len(sample):
            raise NotTextError(
                f"binary data: not UTF-8, and {high} of the first {len(sample)} bytes are "
                "non-ASCII, which is not Latin-1 text either"
            ) from None
        text = data.decode("latin-1")
    return normalise_newlines(text)


def read_text_file(path: str | Path) -> RawCable:
    """Read one raw text cable. Raises CableError (naming the file) if it cannot be read."""
    source, data = read_input(path, FORMAT)
    try:
        text = decode_cable_bytes(data)
    except NotTextError as exc:
        raise CableError(source, str(exc)) from None
    if not text.strip():
        raise CableError(source, "empty file")
    stem = Path(path).name.rsplit(".", 1)[0]
    hint = stem.upper() if looks_like_reference_id(stem) else None
    return RawCable(source=source, header="", body=text, name_hint=hint)
