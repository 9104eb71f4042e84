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

The cache describes the site/ it was saved with. It is removed before a build changes site/
and saved after, so a build interrupted in between leaves no cache: the next build is full.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import generator
from generator.heap import long_lived
from generator.parallel import chunks

FORMAT = 6
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


@dataclass
class BuildCache:
    path: Path
    files: dict[str, tuple[int, int, Any]] = field(default_factory=dict)
    keys: dict[str, bytes] = field(default_factory=dict)
    digests: dict[str, bytes] = field(default_factory=dict)
    groups: dict[str, tuple[bytes, list[str]]] = field(default_factory=dict)
    site: str | None = None  # the output folder the cache describes
    search: Any = None  # search.state.IndexState (which imports this module)
    template_keys: dict[str, bytes] = field(default_factory=dict)
    # Not saved: the tags, posts and classifications of `files`' entries, one object each, for
    # the entries read next to share (structure.pages.SharedValues); made when first needed.
    shared: Any = None

    @classmethod
    def empty(cls, folder: Path, site: Path) -> BuildCache:
        return cls(folder / "state.pickle", site=str(site))

    @classmethod
    def load(cls, folder: Path, site: Path) -> BuildCache:
        """The cache of the last build into `site`, or an empty one (none, another format,
        another output folder, or unreadable: a cache is only ever an optimisation)."""
        path = cls.empty(folder, site).path
        try:
            with open(path, "rb") as file, long_lived():
                header = pickle.load(file)
                if header.get("format") != FORMAT or header.get("site") != str(site):
                    return cls.empty(folder, site)
                tables: dict[str, dict] = {"files": {}, "keys": {}, "digests": {}}
                for name, count in header["batches"]:
                    for _ in range(count):
                        tables[name].update(pickle.load(file))
            return cls(path, tables["files"], tables["keys"], tables["digests"],
                       header["groups"], str(site), header["search"], header["template_keys"])
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, KeyError,
                TypeError, ValueError, ImportError):
            return cls.empty(folder, site)

    def forget(self) -> None:
        """Remove the saved cache (before site/ changes)."""
        self.path.unlink(missing_ok=True)

    def save(self, interrupted: Callable[[], bool] | None = None) -> bool:
        """Written in batches, each pickled on its own: one pickle of everything would keep a
        memo entry for each of its millions of objects (~0.6 GB at 251k cables). Given up
        (nothing saved) as soon as `interrupted()` says so between batches (gen serve saves
        while no build is wanted: ~3 s at 251k); whether it was saved."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
        tables = (("files", self.files), ("keys", self.keys), ("digests", self.digests))
        try:
            with open(temporary, "wb") as file:
                pickle.dump({"format": FORMAT, "site": self.site, "groups": self.groups,
                             "search": self.search, "template_keys": self.template_keys,
                             "batches": [(name, math.ceil(len(table) / BATCH))
                                         for name, table in tables]},
                            file, protocol=pickle.HIGHEST_PROTOCOL)
                for _name, table in tables:
                    for batch in chunks(table.items(), BATCH):
                        if interrupted is not None and interrupted():
                            return False
                        pickle.dump(dict(batch), file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
            return True
        finally:
            temporary.unlink(missing_ok=True)
