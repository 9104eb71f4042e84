"""Reading an input file's bytes, with the error every reader reports the same way."""

from __future__ import annotations

from pathlib import Path

from generator.errors import CableError
from generator.model.cable import SourceRef


def read_input(path: str | Path, file_format: str) -> tuple[SourceRef, bytes]:
    source = SourceRef(path=str(path), format=file_format)
    try:
        return source, Path(path).read_bytes()
    except OSError as exc:
        raise CableError(source, f"cannot read file: {exc.strerror or exc}") from None
