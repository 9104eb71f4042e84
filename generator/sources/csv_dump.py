"""The `cables.csv` dump: every cable in one file (1.7 GB, 251,287 records for real).

Format, as found: no header row; eight columns `id, created, reference ID, origin, classification,
references, header, body`; every field in double quotes; fields span many lines; quotes inside
fields are escaped with a backslash (`\\"`, also `\\'`) rather than doubled; many lines inside
fields end in a backslash right before the newline (an escaped newline: the backslash is dropped).
Dates are `M/D/YYYY H:MM` (month, day and hour are not always zero-padded).

How it is read: the file is consumed in blocks and cut into records at lines that start a new
record (`"<digits>","`), so memory holds one record at a time, never the file, and a broken record
(wrong column count, missing closing quote, bad date) costs only itself: the reader reports it and
goes on at the next record start. Each record is decoded on its own (UTF-8, else Latin-1) and split
at its `","` separators; a separator whose quote is backslash-escaped is text, unless taking it as
a separator is the only way to get eight columns (a stray backslash right before a closing quote,
which is also accepted at the very end of the record). Bare quotes inside a field are kept as text.

Why not the `csv` module (`escapechar='\\', doublequote=False`)? It does turn backslash-newline
into a newline, and it is faster (about 155 MB/s against about 110 MB/s here), but a stray backslash
before a closing quote makes it run on into the next record, an unterminated quote makes it swallow
the rest of the file as one field (in memory), it cannot say on which line a record starts, and it
needs `field_size_limit` raised for long cables.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, NamedTuple

from generator.errors import CableError
from generator.model.cable import RawCable, SourceRef

FORMAT = "csv"
COLUMNS = (
    "id",
    "created",
    "reference_id",
    "origin",
    "classification",
    "references",
    "header",
    "body",
)

BLOCK_SIZE = 1 << 20
MAX_RECORD_BYTES = 64 << 20  # a record this large is not a cable: report and skip it

_RECORD_START = re.compile(rb'\n"\d+","')  # a newline followed by a line that starts a record
_SEPARATOR = re.compile(r'","')
_ESCAPE = re.compile(r"\\(.)|\\\Z", re.DOTALL)
_UNESCAPED = {'"': '"', "'": "'", "\\": "\\", "\n": "\n"}
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})")


class _RecordError(Exception):
    pass


def csv_date_to_iso(value: str) -> str:
    """`12/28/1966 18:48` or `2/25/1972 9:30` -> `1966-12-28T18:48Z`; ValueError if invalid."""
    match = _DATE.fullmatch(value.strip())
    if not match:
        raise ValueError(f"not a M/D/YYYY H:MM date: {value!r}")
    month, day, year, hour, minute = (int(g) for g in match.groups())
    parsed = datetime(year, month, day, hour, minute)  # ValueError for 2/30, 25:00 ...
    return parsed.strftime("%Y-%m-%dT%H:%MZ")


def _unescape_match(match: re.Match[str]) -> str:
    char = match.group(1)
    if char is None:  # a lone backslash right before the closing quote: the artefact
        return ""
    return _UNESCAPED.get(char, match.group(0))


def unescape_field(raw: str) -> str:
    """Undo the dump's backslash escapes in one field (given without its quotes).

    `\\"` -> `"`, `\\'` -> `'`, `\\\\` -> `\\`, backslash-newline -> newline, and a lone
    backslash at the very end (right before the closing quote) is dropped as the same artefact.
    Any other backslash is kept as it is.
    """
    if "\\" not in raw:
        return raw
    if "\\\\" in raw:
        return _ESCAPE.sub(_unescape_match, raw)
    if raw.endswith("\\"):
        raw = raw[:-1]
    return raw.replace("\\\n", "\n").replace('\\"', '"').replace("\\'", "'")


def _escaped(text: str, quote_at: int) -> bool:
    """True if the character at `quote_at` is preceded by an odd number of backslashes."""
    count = 0
    i = quote_at - 1
    while i >= 0 and text[i] == "\\":
        count += 1
        i -= 1
    return count % 2 == 1


def split_record(text: str) -> list[str]:
    """Split one record (without its line end) into its unescaped fields.

    Raises _RecordError with a reason if it does not have the dump's shape.
    """
    if not text.startswith('"'):
        raise _RecordError("record does not start with a quoted field")
    if len(text) < 2 or not text.endswith('"'):
        raise _RecordError("unterminated quoted field: the record ends without a closing quote")
    inner = text[1:-1]
    wanted = len(COLUMNS)
    pieces = inner.split('","')
    if len(pieces) != wanted or any(piece.endswith("\\") for piece in pieces[:-1]):
        # Some `","` is escaped, or there are too few or too many: look closer. A separator
        # whose quote is escaped (odd number of backslashes before it) is text, unless counting
        # it as a separator is the only way to get eight columns (a stray backslash before a
        # closing quote).
        every = [m.start() for m in _SEPARATOR.finditer(inner)]
        strict = [pos for pos in every if not _escaped(inner, pos)]
        if len(strict) == wanted - 1:
            cuts = strict
        elif len(every) == wanted - 1:
            cuts = every
        else:
            raise _RecordError(
                f"wrong number of columns: found {len(strict) + 1}, expected {wanted}"
            )
        bounds = zip([-3, *cuts], [*cuts, len(inner)], strict=True)
        pieces = [inner[start + 3 : end] for start, end in bounds]
    return [unescape_field(piece) for piece in pieces]


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


class _Chunk(NamedTuple):
    line: int  # line number where the chunk starts
    data: bytes | None  # None: too large, skipped
    is_record: bool  # False for text before the first record start
    last: bool  # the chunk runs to the end of the file


def _record_chunks(stream: BinaryIO) -> Iterator[_Chunk]:
    """Cut the stream into records.

    A chunk starts at a line that starts a record (or at line 1 for leading junk) and runs up to
    the next such line. A chunk larger than MAX_RECORD_BYTES is reported with data=None and its
    bytes are dropped until the next record start.
    """
    pending = b"\n"  # a virtual newline, so a record start on line 1 is found like the others
    line = 0
    scan_from = 0
    skipping = False
    first = True
    while True:
        block = stream.read(BLOCK_SIZE)
        if first:
            first = False
            if block.startswith(b"\xef\xbb\xbf"):
                block = block[3:]
        eof = not block
        data = pending + block if block else pending
        end = len(data) if eof else data.rfind(b"\n")
        start = 0
        if end > scan_from:
            for match in _RECORD_START.finditer(data, scan_from, end):
                cut = match.start() + 1
                chunk = data[start:cut]
                if line == 0:
                    if len(chunk) > 1:  # text before the first record start
                        yield _Chunk(1, chunk[1:], False, False)
                elif not skipping:
                    yield _Chunk(line, chunk, True, False)
                skipping = False
                line += chunk.count(b"\n")
                start = cut
        pending = data[start:]
        if eof:
            if line == 0:
                if len(pending) > 1:
                    yield _Chunk(1, pending[1:], False, True)
            elif pending and not skipping:
                yield _Chunk(line, pending, True, True)
            return
        scan_from = max(end - start, 0)
        if len(pending) > MAX_RECORD_BYTES and not skipping:
            yield _Chunk(max(line, 1), None, line > 0, False)
            skipping = True
        if skipping and scan_from > 0:
            # Keep only the unfinished last line; count the dropped lines.
            dropped = pending[:scan_from]
            line += dropped.count(b"\n")
            pending = pending[scan_from:]
            scan_from = 0


def _open(path: Path) -> BinaryIO:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")  # noqa: SIM115


def _to_raw_cable(fields: list[str], source: SourceRef) -> RawCable:
    record_id, created, reference_id, origin, classification, references, header, body = fields
    try:
        created_iso = csv_date_to_iso(created)
    except ValueError:
        raise CableError(source, f"unparseable date in column 2 (created): {created!r}") from None
    metadata = {
        "id": record_id,
        "reference_id": reference_id,
        "created": created_iso,
        "origin": origin,
        "classification": classification,
        "references": references,
    }
    return RawCable(source=source, header=header, body=body, metadata=metadata)


def iter_csv_dump(path: str | Path) -> Iterator[RawCable | CableError]:
    """Stream the cables of a `cables.csv` dump (or `.csv.gz`), one RawCable per record.

    Bad records and unreadable input come out as CableErrors naming file, row and line; the
    reader then goes on with the next record. Never raises for bad input.
    """
    path = Path(path)
    name = str(path)
    row = 0
    line: int | None = None
    try:
        with _open(path) as stream:
            empty = True
            for chunk in _record_chunks(stream):
                empty = False
                line = chunk.line
                if not chunk.is_record:
                    yield CableError(
                        SourceRef(name, FORMAT, None, chunk.line),
                        'not a record: a record starts with a line like "<number>","<date>",... '
                        "(skipped up to the next such line)",
                    )
                    continue
                row += 1
                source = SourceRef(name, FORMAT, row, chunk.line)
                if chunk.data is None:
                    yield CableError(
                        source,
                        f"record larger than {MAX_RECORD_BYTES >> 20} MB without a line starting "
                        "a new record: skipped",
                    )
                    continue
                yield _read_record(chunk.data, source, chunk.last)
            if empty:
                yield CableError(SourceRef(name, FORMAT), "empty file")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        yield CableError(SourceRef(name, FORMAT, None, line), f"cannot read file: {reason}")


def _read_record(chunk: bytes, source: SourceRef, last: bool) -> RawCable | CableError:
    if b"\x00" in chunk:
        # As for text files: NUL is never cable text, and Markdown would not keep it.
        return CableError(source, "binary data: the record contains NUL bytes")
    text = _decode(chunk).rstrip(" \t\n")
    try:
        fields = split_record(text)
        return _to_raw_cable(fields, source)
    except _RecordError as exc:
        reason = str(exc)
        if last and reason.startswith("unterminated"):
            reason += " (unterminated quote at end of file)"
        return CableError(source, reason)
    except CableError as exc:
        return exc
