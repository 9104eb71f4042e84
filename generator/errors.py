"""Errors that name the input they came from."""

from __future__ import annotations

from generator.model.cable import SourceRef


class CableError(Exception):
    """A cable (or a whole input file) that cannot be read; says which and why."""

    def __init__(self, source: SourceRef, reason: str) -> None:
        super().__init__(f"{source.describe()}: {reason}")
        self.source = source
        self.reason = reason
