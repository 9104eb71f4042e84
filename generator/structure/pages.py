"""Read stage of the build: content pages -> compact entries (front matter only, no body).

The body is read again when its page is rendered, so memory holds only what lists, links and
feeds need, whatever the size of the archive. The whole front matter, parsed here, is handed
to the render stage through a file (see builder.py): YAML is parsed once per page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields
from operator import attrgetter
from pathlib import Path
from typing import Any

import yaml

from generator.content.front_matter import load as load_front_matter
from generator.content.page import split_page
from generator.output import file_digest

SUMMARY_CHARS = 300


class PageError(Exception):
    """A content page that cannot be used; the message names the file (and line)."""


@dataclass(slots=True)
class CableEntry:
    reference_id: str
    created: str | None
    subject: str | None
    classification: str | None
    origin: str | None
    tags: tuple[str, ...]
    tag_details: tuple[tuple[str, str, str | None], ...]  # (code, kind, name)
    cites: tuple[str, ...]  # reference IDs this cable's REF entries name
    summary: str | None  # shortened, for feeds
    path: str  # the content file, relative to the content folder
    digest: bytes = b""  # of the file's bytes: the build cache's key of its content

    @property
    def date(self) -> str | None:
        return self.created[:10] if self.created else None

    def __reduce__(self) -> tuple[type, tuple]:
        # Unpickled by one call with its fields: half the time of the default (a setattr per
        # field), which was 0.4 s of loading the build cache at 251k cables.
        return CableEntry, _ENTRY_FIELDS(self)


_ENTRY_FIELDS = attrgetter(*(field.name for field in fields(CableEntry)))
# An entry's reference ID and digest, for work over every entry at C speed (map, sorted ...).
entry_reference_id = attrgetter("reference_id")
entry_digest = attrgetter("digest")


def _front_matter_text(text: str, path: Path) -> str:
    if not text.startswith("---\n"):
        raise PageError(f"{path}, line 1: a page must start with a '---' front matter line")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise PageError(f"{path}: the front matter is not closed by a '---' line")
    return text[4:end]


def load_entry(path: Path, content_dir: Path) -> tuple[CableEntry, dict]:
    """The page's entry and its whole front matter."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise PageError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    try:
        matter = load_front_matter(_front_matter_text(text, path))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        # +2: the '---' line, and YAML counts from 0.
        where = f", line {mark.line + 2}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise PageError(f"{path}{where}: broken front matter: {problem}") from None
    if not isinstance(matter, dict):
        raise PageError(f"{path}, line 2: the front matter must be a mapping of fields")
    reference_id = matter.get("reference_id")
    if not isinstance(reference_id, str) or not re.fullmatch(r"[A-Za-z0-9_-]+", reference_id):
        raise PageError(f"{path}: front matter needs a 'reference_id' of letters and digits")
    created = matter.get("created")
    if created is not None and not (isinstance(created, str)
                                    and re.match(r"^\d{4}-\d{2}-\d{2}", created)):
        raise PageError(f"{path}: 'created' must be an ISO date such as 2007-03-23T10:08Z")
    tags = matter.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, dict) and t.get("code") for t in tags):
        raise PageError(f"{path}: 'tags' must be a list of mappings with a 'code'")
    references = matter.get("references") or []
    if not isinstance(references, list):
        raise PageError(f"{path}: 'references' must be a list")
    summary = matter.get("summary")
    if isinstance(summary, str) and len(summary) > SUMMARY_CHARS:
        summary = summary[:SUMMARY_CHARS].rsplit(" ", 1)[0] + " …"
    entry = CableEntry(
        reference_id=reference_id,
        created=created,
        subject=_text(matter.get("subject")),
        classification=_text(matter.get("classification")),
        origin=_text(matter.get("origin")),
        tags=tuple(str(t["code"]) for t in tags),
        tag_details=tuple((str(t["code"]), str(t.get("kind") or "unknown"),
                           _text(t.get("name"))) for t in tags),
        cites=tuple(r["reference_id"] for r in references
                    if isinstance(r, dict) and isinstance(r.get("reference_id"), str)),
        summary=_text(summary),
        path=str(path.relative_to(content_dir)),
        digest=file_digest(data),
    )
    return entry, matter


class SharedValues:
    """One object for each distinct tag, post and classification of the entries. The build's
    main process holds every entry (251k), and each cable's own copies of the same few
    thousand tags took about 1 KB of its 2.2 KB."""

    def __init__(self, entries: Iterable[CableEntry] = ()) -> None:
        """With `entries` (whose values are shared already): the values to share are theirs."""
        self._values: dict = {}
        for entry in entries:
            self._values.update((value, value) for value in (
                *entry.tag_details, entry.tags, entry.origin, entry.classification))

    def _one(self, value: Any) -> Any:
        return self._values.setdefault(value, value)

    def share(self, entry: CableEntry) -> None:
        """Replace the entry's values by the shared ones."""
        entry.tag_details = self._one(tuple(map(self._one, entry.tag_details)))
        entry.tags = self._one(tuple(code for code, _kind, _name in entry.tag_details))
        entry.origin = self._one(entry.origin)
        entry.classification = self._one(entry.classification)


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def load_body(path: Path) -> str:
    """The Markdown body of a page whose front matter was read already."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PageError(f"{path}: {error}") from None
    return text[len(_front_matter_text(text, path)) + 9:]  # the '---' lines and newlines


def load_page(path: Path) -> tuple[dict, str]:
    """The whole page, for rendering: (front matter, Markdown body)."""
    try:
        return split_page(path.read_text(encoding="utf-8"))
    except (ValueError, yaml.YAMLError) as error:
        raise PageError(f"{path}: {error}") from None


def find_pages(content_dir: Path) -> list[str]:
    """The paths of the cable pages under content/cables, in a stable order. Hidden files and
    editor lock files (`.#07TASHKENT477.md`) are not pages."""
    # os.walk and strings, not Path.rglob and Path objects: at 251k pages those cost seconds
    # of every rebuild. Neither follows symbolic links to folders.
    found = []
    for folder, folders, files in os.walk(content_dir / "cables"):
        folders.sort()
        found.extend(os.path.join(folder, name) for name in sorted(files)
                     if name.endswith(".md") and not name.startswith((".", "#")))
    return found


PageStat = tuple[str, int, int]  # path relative to the content folder, mtime_ns, size


def stat_pages(content_dir: Path) -> list[PageStat]:
    """Each page of find_pages (in its order) with its modification time and size: what
    tells a build which pages changed. A page deleted meanwhile is not one."""
    prefix = len(os.path.join(content_dir, ""))  # find_pages' paths all start with it
    stats = []
    for found in find_pages(content_dir):
        try:
            status = os.stat(found)
        except FileNotFoundError:
            continue
        stats.append((found[prefix:], status.st_mtime_ns, status.st_size))
    return stats
