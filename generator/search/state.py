"""What a build that wrote the search index leaves for the next one, so that an edited cable's
postings can be replaced in place (patch.py) instead of indexing all cables again.

- IndexState, saved with the build cache: what the index files in site/ were made from (each
  cable's file digest and path, in doc id order, and its length) and where each cable's terms
  are kept.
- The term store: each indexed cable's terms and their weighted frequencies, sorted and
  zlib-compressed against a dictionary of common terms (generator/data/search-words.txt: the
  most frequent terms of the bundled sample's cables), ~1 KB a cable. Without it the old
  postings of an edited cable could only be found by reading the whole index. Files are
  append-only, one per process, in a folder of their own for each full indexing: a patch
  appends, so a failed build leaves the saved state valid; folders no state refers to are
  removed when the cache is saved.
"""

from __future__ import annotations

import os
import shutil
import time
import zlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.cache import digest

_DICTIONARY = (Path(__file__).resolve().parent.parent / "data" / "search-words.txt").read_bytes()
STORE_FOLDER = "search-terms"  # under the cache folder

Location = tuple[int, int, int]  # term store file (a process id), offset, size


def new_store(cache_dir: Path) -> Path:
    """A fresh term store folder for a full indexing."""
    return cache_dir / STORE_FOLDER / f"{os.getpid()}-{time.time_ns()}"


def store_terms(folder: Path, term_lists: Iterable[dict[str, int]]) -> list[Location]:
    """Append documents' terms (term -> weighted frequency) to this process's file in
    `folder`; where each went."""
    folder.mkdir(parents=True, exist_ok=True)
    pid = os.getpid()
    locations = []
    with open(folder / str(pid), "ab") as file:
        offset = file.tell()
        for terms in term_lists:
            compressor = zlib.compressobj(6, zdict=_DICTIONARY)
            text = "\n".join(f"{term} {frequency}" for term, frequency in sorted(terms.items()))
            blob = compressor.compress(text.encode()) + compressor.flush()
            file.write(blob)
            locations.append((pid, offset, len(blob)))
            offset += len(blob)
    return locations


def stored_terms(folder: Path, location: Location) -> dict[str, int]:
    store, offset, size = location
    with open(folder / str(store), "rb") as file:
        file.seek(offset)
        blob = file.read(size)
    decompressor = zlib.decompressobj(zdict=_DICTIONARY)
    text = (decompressor.decompress(blob) + decompressor.flush()).decode()
    pairs = (line.split(" ") for line in text.split("\n")) if text else ()
    return {term: int(frequency) for term, frequency in pairs}


def prune_stores(cache_dir: Path, keep: str | None) -> None:
    """Remove the term store folders other than `keep` (older indexings, failed builds)."""
    stores = cache_dir / STORE_FOLDER
    if stores.is_dir():
        for folder in stores.iterdir():
            if str(folder) != keep:
                shutil.rmtree(folder, ignore_errors=True)


def paths_digest(paths: Iterable[str]) -> bytes:
    return digest("\n".join(paths))


@dataclass
class IndexState:
    base: bytes  # gen's code, the config and the asset URLs the index was made with
    key: bytes  # the key of the search file group it describes (see builder._FileGroups)
    folder: str  # its term store
    paths: bytes  # paths_digest of the cables, in doc id order
    entries: bytes  # the cables' file digests, in doc id order, concatenated
    lengths: array  # each cable's weighted length
    locations: array  # each cable's terms in the store: Location after Location, flattened

    def entry_digest(self, doc: int) -> bytes:
        size = len(self.entries) // len(self.lengths)
        return self.entries[doc * size:(doc + 1) * size]

    def location(self, doc: int) -> Location:
        store, offset, size = self.locations[3 * doc:3 * doc + 3]
        return store, offset, size

    def terms(self, doc: int) -> dict[str, int]:
        return stored_terms(Path(self.folder), self.location(doc))
