"""Write stage of the build: pages go to a staging folder beside site/, which replaces site/
only when the whole build has succeeded, so a failed or interrupted build leaves the previous
site as it was."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


class StagedOutput:
    def __init__(self, target: Path) -> None:
        self.target = Path(target).resolve()
        self.staging = self.target.parent / f".{self.target.name}.building-{os.getpid()}"
        # Intermediate files of the build (search postings runs): never part of the site.
        self.scratch = self.target.parent / f".{self.target.name}.scratch-{os.getpid()}"
        self._made_dirs: set[Path] = set()

    def __enter__(self) -> StagedOutput:
        for folder in (self.staging, self.scratch):
            if folder.exists():
                shutil.rmtree(folder)
        self.staging.mkdir(parents=True)
        self.scratch.mkdir()
        return self

    def __exit__(self, kind, error, traceback) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)
        if kind is not None:
            shutil.rmtree(self.staging, ignore_errors=True)

    def write(self, relative: str, data: str | bytes) -> None:
        path = self.staging / relative
        if path.parent not in self._made_dirs:  # one mkdir per folder, not one per page
            path.parent.mkdir(parents=True, exist_ok=True)
            self._made_dirs.add(path.parent)
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data)

    def commit(self) -> None:
        """Swap the finished staging folder in for site/ (two renames, then clean up)."""
        previous = self.target.parent / f".{self.target.name}.previous-{os.getpid()}"
        if self.target.exists():
            os.replace(self.target, previous)
        os.replace(self.staging, self.target)
        if previous.exists():
            shutil.rmtree(previous)
