"""Write stage of the build. Files go to a staging folder beside site/, never straight into it:

- a full build stages the whole site, which replaces site/ only when the build has succeeded;
- an incremental build (given the digests of site/'s files) stages only the files whose bytes
  changed; when it has succeeded, a journal naming them and the files to delete is written
  first, then applied. A build that fails or is interrupted before that leaves site/ as it
  was; one interrupted while applying is completed by the next build (`recover`). Files
  already in site/ are overwritten in place (see _put), so a reader of site/ during those
  moments (gen serve's server) may see one half-written, once. Its staged files are
  appended to one pack file per process (see Pack), not made one by one: a file made and
  deleted for each of the 16,000 files that adding 100 cables changes cost more than writing
  them, and made the next build's new files slow to create (see _put).

Every write is recorded as (path, digest), so the build knows which files it produced.
"""

from __future__ import annotations

import contextlib
import copy
import glob
import hashlib
import json
import os
import shutil
import stat
import struct
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO


def file_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


class StagedOutput:
    def __init__(self, target: Path, previous: dict[str, bytes] | None = None) -> None:
        """`previous`: site/'s files and their digests, for an incremental build."""
        self.target = Path(target).resolve()
        self.staging = self.target.parent / f".{self.target.name}.building-{os.getpid()}"
        # Intermediate files of the build (parsed front matter, search postings runs): never
        # part of the site.
        self.scratch = self.target.parent / f".{self.target.name}.scratch-{os.getpid()}"
        self.journal = journal_path(self.target)
        self.previous = previous
        self._pack = Pack(self.staging)  # shared by the copies `under` makes
        self._made_dirs: set[Path] = set()
        self._records: list[tuple[str, bytes]] = []
        self._records_pid = os.getpid()

    def __enter__(self) -> StagedOutput:
        for folder in (self.staging, self.scratch):
            if folder.exists():
                shutil.rmtree(folder)
        remove_abandoned(self.target)
        self.staging.mkdir(parents=True)
        self.scratch.mkdir()
        return self

    def __exit__(self, kind, error, traceback) -> None:
        self._pack.close()
        shutil.rmtree(self.scratch, ignore_errors=True)
        if kind is not None:
            shutil.rmtree(self.staging, ignore_errors=True)

    def under(self, folder: str) -> StagedOutput:
        """The same output for files under `folder` only: it knows only their previous
        digests, so it is small enough to send to fresh worker processes."""
        part = copy.copy(self)
        if self.previous is not None:
            part.previous = {path: file_digest for path, file_digest in self.previous.items()
                             if path.startswith(folder)}
        part._records, part._made_dirs = [], set()
        return part

    @property
    def incremental(self) -> bool:
        return self.previous is not None

    def _own_records(self) -> list[tuple[str, bytes]]:
        # A forked worker starts with a copy of its parent's records: not its own.
        if self._records_pid != os.getpid():
            self._records, self._records_pid = [], os.getpid()
        return self._records

    def write(self, relative: str, data: str | bytes) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        digest = file_digest(data)
        self._own_records().append((relative, digest))
        if self.previous is not None:
            if self.previous.get(relative) != digest:  # else site/ has these very bytes
                self._pack.append(relative, data)
            return
        path = self.staging / relative
        if path.parent not in self._made_dirs:  # one mkdir per folder
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(path.parent)
        path.write_bytes(data)

    def keep(self, relative: str) -> None:
        """The file of the previous site stays as it is (its inputs have not changed)."""
        assert self.previous is not None
        self._own_records().append((relative, self.previous[relative]))

    def keep_all(self, relative: Iterable[str]) -> None:
        """keep() each of these files (in one go: a rebuild keeps most of 251k pages)."""
        assert self.previous is not None
        previous = self.previous
        self._own_records().extend((path, previous[path]) for path in relative)

    def adopt(self, records: list[tuple[str, bytes]]) -> None:
        """Records of files that a worker process wrote (or kept) for this one."""
        self._own_records().extend(records)

    def take_records(self) -> list[tuple[str, bytes]]:
        """(path, digest) of the files this process wrote or kept since the last call."""
        records = self._own_records()
        self._records = []
        return records

    def commit(self, produced: dict[str, bytes]) -> None:
        """Make site/ hold exactly the `produced` files."""
        if self.previous is None:
            if not self.target.exists():
                os.replace(self.staging, self.target)
                return
            with _set_aside(self.target, len(produced) >= DELETE_APART_FROM) as previous:
                os.replace(self.target, previous)
                os.replace(self.staging, self.target)
            return
        deleted = sorted(self.previous.keys() - produced.keys())
        self._pack.close()
        temporary = self.journal.with_suffix(".tmp")
        temporary.write_text(json.dumps({"staging": str(self.staging), "delete": deleted}),
                             encoding="utf-8")
        os.replace(temporary, self.journal)  # from here on, the change is decided
        recover(self.target)


# A site of this many files or more (251k cables: ~370k files, ~40 s to delete) is replaced
# without waiting for the previous one's deletion: a detached process deletes it.
DELETE_APART_FROM = 10_000

# The deleting process, detached (its parent exits at once, so no build waits for it or
# leaves a zombie): it says its number, owns the folder named by it (so the next build's
# remove_abandoned leaves the folder alone while it runs, and takes it over if it dies) and
# deletes it once the build has moved the old site there (its standard input closes).
_DELETE_WHEN_MOVED = """\
import os, shutil, sys
if os.fork():
    os._exit(0)
os.setsid()  # a Ctrl-C at the terminal does not stop it
os.nice(19)
print(os.getpid(), flush=True)
sys.stdin.read()
shutil.rmtree(sys.argv[1] + str(os.getpid()), ignore_errors=True)
"""


@contextlib.contextmanager
def _set_aside(target: Path, in_background: bool) -> Iterator[Path]:
    """The folder to move the old site to in the block; it is deleted after the block, by a
    detached low-priority process if `in_background`."""
    prefix = target.parent / f".{target.name}.previous-"
    if not in_background:
        folder = Path(f"{prefix}{os.getpid()}")
        yield folder
        shutil.rmtree(folder)
        return
    starter = subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", _DELETE_WHEN_MOVED, str(prefix)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert starter.stdin is not None and starter.stdout is not None
    with starter.stdin:  # closed after the block, moved or not: the deleter goes on
        pid = int(starter.stdout.readline())
        starter.stdout.close()
        starter.wait()
        yield Path(f"{prefix}{pid}")


def remove_abandoned(target: Path) -> None:
    """Delete the staging and scratch folders of builds killed before they could (SIGKILL,
    out of memory): at 251k cables each holds gigabytes. A folder is a dead build's when no
    process has its number; a decided commit's staging folder is applied by `recover`
    first, so none is deleted while a journal waits."""
    if journal_path(target).exists():
        return
    kinds = {f".{target.name}.{kind}" for kind in ("building", "scratch", "previous")}
    for folder in target.parent.glob(f".{glob.escape(target.name)}.*-*"):
        kind, _, number = folder.name.rpartition("-")
        if kind in kinds and number.isdigit() and not _running(int(number)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True


class Pack:
    """The files an incremental build stages, appended to a file in the staging folder: one
    file for each process that writes some (forked or spawned workers too; each write goes
    straight to the file, as a worker may end without flushing). A record is the path's and
    the data's lengths, the path (UTF-8), the data."""

    RECORD = struct.Struct("<IQ")

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._file: int | None = None
        self._pid = os.getpid()

    def __getstate__(self) -> dict:
        return {"folder": self.folder, "_file": None, "_pid": None}

    def append(self, relative: str, data: bytes) -> None:
        if self._pid != os.getpid():  # a copy in a worker: not its parent's file
            self._file, self._pid = None, os.getpid()
        if self._file is None:
            self._file = os.open(self.folder / f"pack-{self._pid}",
                                 os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
        path = relative.encode("utf-8")
        record = memoryview(self.RECORD.pack(len(path), len(data)) + path + data)
        while record:
            record = record[os.write(self._file, record):]

    def close(self) -> None:
        if self._file is not None and self._pid == os.getpid():
            os.close(self._file)
        self._file = None

    @classmethod
    def records(cls, path: Path) -> Iterator[tuple[str, bytes]]:
        """(path, data) of each file in a pack, in order."""
        with open(path, "rb") as file:
            while header := file.read(cls.RECORD.size):
                path_size, data_size = cls.RECORD.unpack(header)
                yield _read(file, path_size).decode("utf-8"), _read(file, data_size)


def _read(file: BinaryIO, size: int) -> bytes:
    data = file.read(size)
    if len(data) != size:
        raise OSError(f"{file.name}: cut short")
    return data


def _put(data: bytes, destination: Path) -> None:
    """Write a staged file to its place. A file already there is overwritten in place, not
    replaced: replacing frees its blocks, and freeing blocks is slow on some file systems (on
    ext4 mounted with `discard` and no journal, as our VM's, each free is a synchronous TRIM:
    replacing 16,000 files took 2.1 s, overwriting them 0.7 s; and for minutes after a file
    is deleted, each new file is slower to make, by a scan past its free slot). Not a file
    with other names (hard links: `cp -al` backups must keep their bytes), nor a symbolic
    link or anything but a file: that one is removed, and a file made in its place."""
    try:
        # O_NONBLOCK: a FIFO put there would otherwise block the open.
        handle = os.open(destination, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        destination.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # a symbolic link, a folder (which cannot be removed: that is the error)
        destination.unlink()
    else:
        with open(handle, "wb") as file:
            status = os.fstat(file.fileno())
            if stat.S_ISREG(status.st_mode) and status.st_nlink == 1:
                file.write(data)
                file.truncate()
                return
        destination.unlink()
    destination.write_bytes(data)


def journal_path(target: Path) -> Path:
    return target.parent / f".{target.name}.commit"


def recover(target: Path) -> None:
    """Apply the journal of an incremental build that was decided but not (fully) applied.
    Applying twice is harmless: the staged files are written again, the same bytes, and
    deleting a missing file is a no-op."""
    journal = journal_path(target)
    if not journal.exists():
        return
    plan = json.loads(journal.read_text(encoding="utf-8"))
    staging = Path(plan["staging"])
    if staging.is_dir():
        for pack in sorted(staging.glob("pack-*")):
            for relative, data in Pack.records(pack):
                _put(data, target / relative)
        shutil.rmtree(staging)
    for relative in plan["delete"]:
        path = target / relative
        path.unlink(missing_ok=True)
        parent = path.parent
        while parent != target and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()  # a clean build would not have made an empty folder
            parent = parent.parent
    journal.unlink()
