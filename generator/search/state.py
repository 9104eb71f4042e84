"""What a build that wrote the search index leaves for the next one, so that an edited cable's
postings can be replaced in place (patch.py) instead of indexing all cables again.

- IndexState, saved with the build cache: what the index files in site/ were made from (each
  cable's file digest, path, doc id and length, in doc id order) and where each cable's terms
  are kept.
- The term store: each indexed cable's terms and their weighted frequencies, and its result
  data (what a search result shows of it), a zlib-compressed record for each chunk of cables
  (~2.1 KB a cable; sorting the terms would save 10% of the bytes for 60% more time, and the
  store is written by every full indexing). Without it the old postings of an edited cable
  could only be found by reading the whole index; and indexing again after cables were added
  would read the result data of the others back from site/ (63k files at 251k cables, 7 s
  when they are no longer in the page cache). Files are
  append-only, one per process, in a folder of their own for each full indexing: a patch
  appends, so a failed build leaves the saved state valid; folders no state refers to are
  removed when the cache is saved.
"""

from __future__ import annotations

import os
import pickle
import shutil
import time
import zlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.cache import digest

STORE_FOLDER = "search-terms"  # under the cache folder

Location = tuple[int, int, int, int]  # store file (a process id), offset, size, position


def new_store(cache_dir: Path) -> Path:
    """A fresh term store folder for a full indexing."""
    return cache_dir / STORE_FOLDER / f"{os.getpid()}-{time.time_ns()}"


def store_terms(folder: Path, documents: Sequence[tuple[dict[str, int], list]]
                ) -> list[Location]:
    """Append the terms (term -> weighted frequency) and result data of some documents to this
    process's file in `folder`, as one record; where each document's went."""
    if not documents:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    # Frequencies fit: the index caps them at 65535 (index.MAX_FREQUENCY).
    records = [("\n".join(terms), array("H", terms.values()), result)
               for terms, result in documents]
    blob = zlib.compress(pickle.dumps(records, protocol=pickle.HIGHEST_PROTOCOL), 1)
    pid = os.getpid()
    with open(folder / str(pid), "ab") as file:
        offset = file.tell()
        file.write(blob)
    return [(pid, offset, len(blob), position) for position in range(len(documents))]


class StoredTerms:
    """Documents' terms and result data read back from a term store. The record last read is
    kept: the documents of a chunk are stored, and read, together."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._record: tuple[tuple[int, int], list] = ((-1, -1), [])

    def _stored(self, location: Location) -> tuple[str, array, list]:
        store, offset, size, position = location
        if self._record[0] != (store, offset):
            with open(self.folder / str(store), "rb") as file:
                file.seek(offset)
                self._record = ((store, offset), pickle.loads(zlib.decompress(file.read(size))))
        return self._record[1][position]

    def terms(self, location: Location) -> dict[str, int]:
        terms, frequencies, _result = self._stored(location)
        return dict(zip(terms.split("\n"), frequencies, strict=True)) if terms else {}

    def result(self, location: Location) -> list:
        return self._stored(location)[2]


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
    lengths: array  # each cable's weighted length, in doc id order
    locations: array  # each cable's terms in the store: Location after Location, flattened
    doc_ids: array  # each cable's doc id, ascending

    # A cable's place in these tables is its position in the archive (when it was indexed).

    def location(self, position: int) -> Location:
        store, offset, size, place = self.locations[4 * position:4 * position + 4]
        return store, offset, size, place

    def terms(self, position: int) -> dict[str, int]:
        return StoredTerms(self.folder).terms(self.location(position))

    @property
    def digest_size(self) -> int:
        """The size of a cable's file digest in `entries`."""
        return len(self.entries) // max(len(self.lengths), 1)

    def positions_by_digest(self) -> dict[bytes, int]:
        """Each cable's position, by its file digest (cables have one each: a file names its
        cable's reference ID, and no two cables share one)."""
        size = self.digest_size
        return {self.entries[position * size:(position + 1) * size]: position
                for position in range(len(self.lengths))}
