"""Read stage: turn input files (raw text, WikiLeaks pages, the cables.csv dump) into RawCables.

`iter_raw_cables(paths)` walks files and folders and yields, in a stable order, a RawCable for each
cable it can read and a CableError for each it cannot; it never raises for bad input.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from generator.errors import CableError
from generator.model.cable import RawCable, SourceRef
from generator.sources.csv_dump import iter_csv_dump
from generator.sources.text import read_text_file
from generator.sources.wikileaks_html import read_wikileaks_page

__all__ = ["iter_raw_cables", "reader_for", "SUFFIXES"]

_SINGLE: dict[str, Callable[[Path], RawCable]] = {
    ".txt": read_text_file,
    ".text": read_text_file,
    ".html": read_wikileaks_page,
    ".htm": read_wikileaks_page,
}
_MANY: dict[str, Callable[[Path], Iterator[RawCable | CableError]]] = {
    ".csv": iter_csv_dump,
    ".csv.gz": iter_csv_dump,
}
SUFFIXES: tuple[str, ...] = (*_SINGLE, *_MANY)


def _suffix(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".csv.gz"):
        return ".csv.gz"
    return os.path.splitext(name)[1]


def reader_for(path: str | Path) -> str | None:
    """The kind of reader a file name calls for ("text", "wikileaks-html", "csv"), or None."""
    suffix = _suffix(Path(path))
    if suffix in (".txt", ".text"):
        return "text"
    if suffix in (".html", ".htm"):
        return "wikileaks-html"
    if suffix in _MANY:
        return "csv"
    return None


def _read_file(path: Path) -> Iterator[RawCable | CableError]:
    suffix = _suffix(path)
    try:
        if suffix in _SINGLE:
            yield _SINGLE[suffix](path)
        elif suffix in _MANY:
            yield from _MANY[suffix](path)
        else:
            yield CableError(
                SourceRef(str(path), "unknown"),
                f"unknown file type {suffix or '(no extension)'!r}: expected one of "
                + ", ".join(SUFFIXES),
            )
    except CableError as exc:
        yield exc
    except Exception as exc:  # a reader bug must not stop the whole run; say so plainly
        yield CableError(
            SourceRef(str(path), reader_for(path) or "unknown"),
            f"unexpected error while reading ({type(exc).__name__}: {exc})",
        )


def _walk(folder: Path) -> Iterator[Path]:
    """Files under `folder` with a known extension, recursively, in sorted name order.

    Hidden entries (names starting with '.') are skipped, and so are symlinked folders.
    """
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(path)
            elif entry.is_file() and _suffix(path) in SUFFIXES:
                yield path
        except OSError:
            continue


def iter_raw_cables(paths: Iterable[str | Path]) -> Iterator[RawCable | CableError]:
    """Yield a RawCable or a CableError for every cable in `paths` (files and folders, mixed).

    Files are read by extension: .txt/.text raw text, .html/.htm WikiLeaks pages, .csv (and
    .csv.gz) the cables.csv dump. Folders are walked recursively in sorted order and files with
    other extensions in them are skipped; a file named explicitly with an unknown extension, or a
    path that does not exist, gives a CableError. Never raises for bad input.
    """
    for item in paths:
        path = Path(item)
        if path.is_dir():
            for file in _walk(path):
                yield from _read_file(file)
        elif path.exists():
            yield from _read_file(path)
        else:
            kind = reader_for(path) or "unknown"
            yield CableError(SourceRef(str(path), kind), "no such file or directory")
