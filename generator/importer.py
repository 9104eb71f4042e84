"""The import pipeline: read -> model -> render -> write, with parsing spread over processes.

Reading and writing stay in the main process (so duplicate IDs and edited pages are decided in
one place, in input order); parsing and rendering, the CPU-heavy part, run in worker processes
on bounded batches so memory does not grow with the input.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.content.page import page_path, render_page
from generator.content.writer import KEPT_EDITS, PageWriter
from generator.errors import CableError
from generator.model.cable import RawCable
from generator.parallel import chunks, map_chunks
from generator.parse import parse_cable
from generator.progress import Progress
from generator.sources import iter_raw_cables

BATCH_SIZE = 200


@dataclass
class Rendered:
    reference_id: str
    path: str
    text: str
    source: str
    warnings: list[str]


@dataclass
class Failed:
    source: str
    reason: str


@dataclass
class ImportReport:
    statuses: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    kept_edits: list[str] = field(default_factory=list)
    warnings: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        parts = [f"{self.statuses[name]:,} {name}" for name in
                 ("created", "updated", "overwritten", "unchanged") if self.statuses[name]]
        if self.kept_edits:
            parts.append(f"{len(self.kept_edits):,} edited pages kept (use --force to replace)")
        if self.duplicates:
            parts.append(f"{len(self.duplicates):,} duplicate reference IDs skipped")
        if self.errors:
            parts.append(f"{len(self.errors):,} cables could not be read")
        total = sum(self.statuses.values()) + len(self.kept_edits)
        return f"imported {total:,} cables: " + (", ".join(parts) if parts else "nothing to do")


def render_one(raw: RawCable) -> Rendered | Failed:
    """Parse and render one cable; never raises, so one bad cable cannot stop a run."""
    try:
        cable = parse_cable(raw)
        return Rendered(cable.reference_id, page_path(cable), render_page(cable),
                        raw.source.describe(), cable.warnings)
    except CableError as error:
        return Failed(raw.source.describe(), error.reason)
    except Exception as error:  # noqa: BLE001 - a parser bug must not lose the other cables
        return Failed(raw.source.describe(), f"internal error while parsing: {error!r}")


def _render_batch(batch: list[RawCable]) -> list[Rendered | Failed]:
    return [render_one(raw) for raw in batch]


def _readable(items: Iterable[RawCable | CableError], on_error) -> Iterator[RawCable]:
    """The cables that could be read; the others go to `on_error` as they come."""
    for item in items:
        if isinstance(item, CableError):
            on_error(item.source.describe(), item.reason)
        else:
            yield item


def run_import(paths: list[str], content_dir: Path, *, force: bool = False,
               jobs: int | None = None, progress: Progress | None = None) -> ImportReport:
    report = ImportReport()
    progress = progress or Progress("importing", quiet=True)
    writer = PageWriter(content_dir, force=force)
    first_source: dict[str, str] = {}
    jobs = jobs or os.cpu_count() or 1

    def on_error(source: str, reason: str) -> None:
        report.errors.append(f"{source}: {reason}")
        progress.message(f"error: {source}: {reason}")
        progress.advance()

    batches = chunks(_readable(iter_raw_cables(paths), on_error), BATCH_SIZE)
    for results in map_chunks(_render_batch, batches, jobs):
        for result in results:
            if isinstance(result, Failed):
                on_error(result.source, result.reason)
                continue
            progress.advance()
            earlier = first_source.get(result.reference_id)
            if earlier is not None:
                message = f"{result.source}: duplicate reference ID {result.reference_id} " \
                          f"(first seen in {earlier}); skipped"
                report.duplicates.append(message)
                progress.message(f"warning: {message}")
                continue
            first_source[result.reference_id] = result.source
            report.warnings += len(result.warnings)
            status = writer.write(result.path, result.text)
            if status == KEPT_EDITS:
                path = content_dir / result.path
                report.kept_edits.append(str(path))
                progress.message(f"kept: {path} was edited since it was imported "
                                 f"(use --force to replace it)")
            else:
                report.statuses[status] += 1
    progress.finish()
    return report
