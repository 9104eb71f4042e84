"""Write stage, part 2: put pages under content/ without ever losing a user's edits."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from generator.content.page import is_unedited


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()

CREATED, UNCHANGED, UPDATED, KEPT_EDITS, OVERWRITTEN = (
    "created", "unchanged", "updated", "kept-edits", "overwritten")


class PageWriter:
    """Writes pages atomically; an existing page is replaced only when gen wrote it and nobody
    edited it since (its import digest still matches), or when `force` is set."""

    def __init__(self, content_dir: Path, force: bool = False) -> None:
        self.content_dir = Path(content_dir)
        self.force = force
        self._made_dirs: set[Path] = set()

    def write(self, relative_path: str, text: str) -> str:
        path = self.content_dir / relative_path
        data = text.encode("utf-8")
        try:
            existing = path.read_bytes()
        except FileNotFoundError:
            existing = None
        if existing == data:
            return UNCHANGED
        status = CREATED
        if existing is not None:
            if self.force:
                status = OVERWRITTEN
            elif is_unedited(existing.decode("utf-8", errors="replace")):
                status = UPDATED
            else:
                return KEPT_EDITS
        self._atomic_write(path, data)
        return status

    def _atomic_write(self, path: Path, data: bytes) -> None:
        folder = path.parent
        if folder not in self._made_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(folder)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
        try:
            # mkstemp makes the file private; give it the mode a plain open() would.
            os.fchmod(handle, 0o666 & ~_UMASK)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
