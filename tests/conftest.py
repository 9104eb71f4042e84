"""Shared fixtures: the real corpus cables bundled under tests/fixtures/corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.model.cable import Cable
from generator.parse import parse_cable
from generator.sources import iter_raw_cables

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus"


def parse_file(path: Path) -> Cable:
    [raw] = list(iter_raw_cables([path]))
    return parse_cable(raw)


@pytest.fixture(scope="session")
def corpus_cables() -> list[Cable]:
    """Every corpus cable, parsed once per test session."""
    cables = []
    for raw in iter_raw_cables([CORPUS]):
        assert not isinstance(raw, Exception), raw
        cables.append(parse_cable(raw))
    return cables
