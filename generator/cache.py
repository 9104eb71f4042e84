"""The persistent build cache (`.gen-cache/` in the project): what the last successful build
read and wrote, so that the next one redoes only what changed.

- `files`: content page -> (mtime_ns, size, entry): pages whose modification time and
  size are unchanged are not read again.
- `keys`: page -> a key summing up everything it was rendered from (its content, the archive
  data it shows, its templates, the config, gen's own code): a page whose key is unchanged is
  not rendered again.
- `digests`: every site file -> the digest of its bytes: a file rendered to the same bytes is
  not written again, and files no longer produced are deleted.
- `groups`: files made together from inputs of the whole archive (the search index, the
  feeds, the sitemap, the index pages) -> (the key of those inputs, the files made): when the
  key is unchanged, the files are kept without even computing what they would hold.
- `search`: what the search index in site/ was made from (search/state.py), to patch it.
- `template_keys`: each page template's key (with the config and gen's code): while they are
  the same, a page the content did not touch keeps its key without being looked at.
- `countries`: each post's country as the last build worked it out (Archive.countries), for
  the posts page; kept only for the same gen code (it names the countries).

The cache describes the site/ it was saved with. Its header (state.pickle) is removed before a
build changes site/ and saved after, so a build interrupted in between leaves no cache: the
next build is full. The header names the files holding the tables: the whole tables as some
build saved them, then the changes each later save made to them (see BuildCache.save).
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import pickle
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain, compress
from operator import eq, ne
from pathlib import Path
from typing import Any, BinaryIO

import generator
from generator.heap import long_lived
from generator.parallel import chunks
from generator.structure.archive import Archive

FORMAT = 12  # 11: doc ids from dates; 12: page marks kept with the archive's indexes
BATCH = 10_000  # cache records per pickle
_GENERATOR_DIR = Path(generator.__file__).resolve().parent


def digest(*parts: Any) -> bytes:
    """A short digest of values (their repr; bytes as they are)."""
    hasher = hashlib.blake2b(digest_size=16)
    for part in parts:
        hasher.update(part if isinstance(part, bytes) else repr(part).encode("utf-8"))
        hasher.update(b"\0")
    return hasher.digest()


@functools.cache
def code_digest() -> bytes:
    """gen's own version and code: a new gen re-renders everything. That of the code this
    process loaded: `gen serve` runs on with its code, whatever happens to the files."""
    hasher = hashlib.blake2b(digest_size=16)
    hasher.update(generator.__version__.encode())
    for path in sorted(_GENERATOR_DIR.rglob("*")):
        if path.suffix in (".py", ".txt", ".csv") and path.is_file():
            hasher.update(path.relative_to(_GENERATOR_DIR).as_posix().encode() + b"\0")
            hasher.update(path.read_bytes())
    return hasher.digest()


TABLES = ("files", "keys", "digests")


@dataclass
class BuildCache:
    path: Path  # the cache's header; without it, there is no cache
    files: dict[str, tuple[int, int, Any]] = field(default_factory=dict)
    keys: dict[str, bytes] = field(default_factory=dict)
    digests: dict[str, bytes] = field(default_factory=dict)
    groups: dict[str, tuple[bytes, list[str]]] = field(default_factory=dict)
    site: str | None = None  # the output folder the cache describes
    search: Any = None  # search.state.IndexState (which imports this module)
    template_keys: dict[str, bytes] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)
    # The archive of `files`' entries (structure.archive.Archive): its indexes are saved in a
    # file of their own when the archive is not stored already (Archive.stored), and loaded
    # instead of made again from the entries (1 s at 251k cables).
    archive: Archive | None = None
    # Not saved: the tags, posts and classifications of `files`' entries, one object each, for
    # the entries read next to share (structure.pages.SharedValues); made when first needed.
    shared: Any = None
    # Not saved: the table files the header names (a whole one, then changes to it), and the
    # tables as they hold them, so that the next save writes only what changed since. A build
    # replaces a table, never changes one in place: those are kept as they are (copying them
    # took 0.1 s at 251k cables).
    _parts: list[str] = field(default_factory=list, repr=False)
    _saved: dict[str, dict] | None = field(default=None, repr=False)
    _part_records: int = field(default=0, repr=False)  # records in the parts after the first

    @classmethod
    def empty(cls, folder: Path, site: Path) -> BuildCache:
        return cls(folder / "state.pickle", site=str(site))

    @classmethod
    def load(cls, folder: Path, site: Path) -> BuildCache:
        """The cache of the last build into `site`, or an empty one (none, another format,
        another output folder, or unreadable: a cache is only ever an optimisation)."""
        cache = cls.empty(folder, site)
        try:
            with open(cache.path, "rb") as file:
                header = pickle.load(file)
            if header.get("format") != FORMAT or header.get("site") != str(site):
                return cache
            tables: dict[str, dict] = {name: {} for name in TABLES}
            with long_lived():
                for number, part in enumerate(header["parts"]):
                    records = _read_part(folder / part, tables)
                    if number:
                        cache._part_records += records
            cache.files, cache.keys, cache.digests = (tables[name] for name in TABLES)
            cache.groups, cache.search = header["groups"], header["search"]
            cache.template_keys = header["template_keys"]
            if header["code"] == code_digest():
                cache.countries = header["countries"]
            if header["archive"] is not None:
                with long_lived():
                    cache.archive = _read_archive(folder / header["archive"], cache.files)
            cache._parts = header["parts"]
            cache._saved = tables
            return cache
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, KeyError,
                TypeError, ValueError, ImportError):
            return cls.empty(folder, site)

    def forget(self) -> None:
        """Remove the saved cache (before site/ changes)."""
        self.path.unlink(missing_ok=True)

    def save(self, interrupted: Callable[[], bool] | None = None) -> bool:
        """Save the cache; given up (nothing saved) as soon as `interrupted()` says so
        between batches (gen serve saves while no build is wanted); whether it was saved.

        What changed since the tables were loaded or last saved is written as a part of its
        own, named by the header after the others: writing all of them takes 2-3 s at 251k
        cables. All are written again, as one part, once the changes hold an eighth as many
        records as the whole (the next load would read them all) or make 64 parts (a part
        of an edit's few records loads in well under a millisecond)."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        tables = {name: getattr(self, name) for name in TABLES}
        whole = sum(map(len, tables.values()))
        saved = self._saved
        # A build replaces every table: one still the very one last loaded or saved may have
        # been changed in place, so all are saved whole.
        changes = _changes(saved, tables) if saved is not None and all(
            tables[name] is not saved[name] for name in TABLES) else None
        if changes is not None:
            records = sum(len(changed) + len(removed) for changed, removed in changes.values())
            if self._part_records + records > whole / 8 or len(self._parts) >= 64:
                changes = None
        part = f"tables-{os.getpid()}-{uuid.uuid4().hex[:12]}.pickle"
        parts = [part] if changes is None else [*self._parts, part]
        archive = self.archive
        archive_file = archive.stored if archive is not None else None
        written = [folder / part]  # removed if the save does not finish
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        saved = False
        try:
            with open(written[0], "wb") as file:
                whole_tables = {name: (table, []) for name, table in tables.items()}
                if not _write_part(file, whole_tables if changes is None else changes,
                                   interrupted):
                    return False
            if archive is not None and archive_file is None:
                archive_file = f"archive-{os.getpid()}-{uuid.uuid4().hex[:12]}.pickle"
                written.append(folder / archive_file)
                with open(written[-1], "wb") as file:
                    pickle.dump({"paths": [entry.path for entry in archive.entries],
                                 **archive.indexes()}, file, protocol=pickle.HIGHEST_PROTOCOL)
            with open(temporary, "wb") as file:
                pickle.dump({"format": FORMAT, "site": self.site, "groups": self.groups,
                             "search": self.search, "template_keys": self.template_keys,
                             "code": code_digest(), "countries": self.countries,
                             "parts": parts, "archive": archive_file},
                            file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
            saved = True
        finally:
            temporary.unlink(missing_ok=True)
            if not saved:
                for path in written:
                    path.unlink(missing_ok=True)
        if archive is not None:
            archive.stored = archive_file
        self._part_records = 0 if changes is None else self._part_records + records
        self._parts = parts
        self._saved = tables
        for old in chain(folder.glob("tables-*.pickle"), folder.glob("archive-*.pickle")):
            if old.name not in parts and old.name != archive_file:  # no header names it
                old.unlink(missing_ok=True)
        return True


def changed_records(table: dict, before: dict) -> dict:
    """The records of `table` that `before` does not have, or has with another value."""
    if len(table) == len(before) and all(map(eq, table, before)):
        # The same keys in the same order (a copy with a few records changed): compared
        # pairwise in C, 0.05 s instead of 0.5 s for the 900k records of 251k cables.
        return {key: table[key] for key in
                compress(table, map(ne, table.values(), before.values()))}
    missing = object()
    return {key: value for key, value in table.items() if before.get(key, missing) != value}


def _changes(saved: dict[str, dict], tables: dict[str, dict]
             ) -> dict[str, tuple[dict, list]]:
    """Each table's records new or changed since `saved`, and the keys it no longer has."""
    changes = {}
    for name, table in tables.items():
        before = saved[name]
        changed = changed_records(table, before)
        # Keys were removed only if fewer of the table's are old than `before` holds (looking
        # for them costs 0.2 s at 251k cables, for an edit that removes none).
        old_keys = len(table) - sum(1 for key in changed if key not in before)
        changes[name] = (changed, list(before.keys() - table.keys())
                         if old_keys < len(before) else [])
    return changes


def _write_part(file: BinaryIO, tables: dict[str, tuple[dict, list]],
                interrupted: Callable[[], bool] | None) -> bool:
    """Records in batches, each pickled on its own: one pickle of everything would keep a memo
    entry for each of its millions of objects (~0.6 GB at 251k cables)."""
    pickle.dump({"batches": [(name, math.ceil(len(changed) / BATCH), removed)
                             for name, (changed, removed) in tables.items()]},
                file, protocol=pickle.HIGHEST_PROTOCOL)
    for changed, _removed in tables.values():
        for batch in chunks(changed.items(), BATCH):
            if interrupted is not None and interrupted():
                return False
            pickle.dump(dict(batch), file, protocol=pickle.HIGHEST_PROTOCOL)
    return True


def _read_archive(path: Path, files: dict[str, tuple[int, int, Any]]) -> Archive | None:
    """The archive saved with the tables, or None when it cannot be read or is not of their
    entries: then it is made again from them."""
    try:
        with open(path, "rb") as file:
            indexes = pickle.load(file)
        entries = [files[page][2] for page in indexes.pop("paths")]
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, KeyError, TypeError,
            ValueError, ImportError):
        return None
    if len(entries) != len(files):
        return None
    archive = Archive.from_indexes(entries, indexes)
    archive.stored = path.name
    return archive


def _read_part(path: Path, tables: dict[str, dict]) -> int:
    """Apply a part to the tables; the number of records it holds."""
    records = 0
    with open(path, "rb") as file:
        for name, count, removed in pickle.load(file)["batches"]:
            table = tables[name]
            for key in removed:
                table.pop(key, None)
            records += len(removed)
            for _ in range(count):
                batch = pickle.load(file)
                table.update(batch)
                records += len(batch)
    return records
