"""WikiLeaks cable viewer pages (December 2010 site and the larger 2011 layout).

Both layouts carry the same two things this reader needs:

* `<table class='cable'>`: a header row (Reference ID, Created, Released, Classification, Origin)
  and a row of cells, each holding one link; the classification link's `title` attribute is kept
  too (it often disagrees with the link text: the site shifted them).
* `<code><pre>` blocks with the cable text: newlines written as `&#x000A;`, TAGS as links and the
  paragraph marks as `<a id='parN' href='#parN'>¶</a>` anchors. Usually the first block is the
  routing header and the second the body.

The document is walked with `html.parser`; tags inside a `<pre>` are reduced to their text (a few
pages also have stray `<br>` and `</td></tr></table>` inside the cable text).
"""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

from generator.errors import CableError
from generator.model.cable import RawCable, SourceRef
from generator.sources.files import read_input
from generator.sources.text import looks_like_reference_id

FORMAT = "wikileaks-html"

PARTIAL_MARKER = "This record is a partial extract of the original cable."

# Column headers of the cable table -> metadata keys.
_COLUMNS = {
    "reference id": "reference_id",
    "created": "created",
    "released": "released",
    "classification": "classification",
    "origin": "origin",
}
_DATE_KEYS = ("created", "released")
_BR = "\ue000"  # stands for a <br> inside a <pre> until the block is finished
_SPACES = re.compile(r"\s+")


def wikileaks_date_to_iso(value: str) -> str:
    """`2006-02-16 23:11` -> `2006-02-16T23:11Z`. Raises ValueError if it is not such a date."""
    parsed = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    return parsed.strftime("%Y-%m-%dT%H:%MZ")


class _CablePageParser(HTMLParser):
    """Collects the cable table cells and the text of the `<pre>` blocks of one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pre_blocks: list[str] = []
        self.table_found = False
        self.table_closed = False
        self.html_closed = False
        self.headers: list[str] = []
        self.cells: list[str] = []
        self.classification_title: str | None = None
        self._pre_depth = 0
        self._pre_parts: list[str] = []
        self._in_table = False
        self._table_depth = 0
        self._cell: list[str] | None = None
        self._cell_kind = ""
        self._row_cells = 0
        self.extra_rows = 0

    # -- tags -------------------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._pre_depth:
            if tag == "pre":
                self._pre_depth += 1
            elif tag == "br":
                self._pre_parts.append(_BR)
            return  # any other tag inside the cable text: keep only its text
        if tag == "pre":
            self._pre_depth = 1
            self._pre_parts = []
        elif tag == "table":
            if self._in_table:
                self._table_depth += 1
            elif not self.table_found and _has_class(attrs, "cable"):
                self.table_found = True
                self._in_table = True
                self._table_depth = 1
        elif self._in_table and tag == "tr":
            self._row_cells = 0
        elif self._in_table and tag in ("th", "td"):
            if tag == "td" and self.cells and self._row_cells == 0:
                self.extra_rows += 1  # a later row ("Appears in these articles: ...")
            self._cell = []
            self._cell_kind = tag
        elif self._in_table and tag == "a" and self._cell is not None and self._cell_kind == "td":
            # The classification is the fourth cell; remember the title of its link.
            if not self.extra_rows and len(self.cells) == self._classification_index():
                title = dict(attrs).get("title")
                if title is not None:
                    self.classification_title = title

    def handle_endtag(self, tag: str) -> None:
        if self._pre_depth:
            if tag == "pre":
                self._pre_depth -= 1
                if not self._pre_depth:
                    self.pre_blocks.append(_finish_pre("".join(self._pre_parts)))
                    self._pre_parts = []
            return  # stray end tags inside the cable text are ignored
        if tag == "html":
            self.html_closed = True
        if not self._in_table:
            return
        if tag in ("th", "td") and self._cell is not None and self._cell_kind == tag:
            text = _SPACES.sub(" ", "".join(self._cell)).strip()
            if tag == "th":
                self.headers.append(text)
            elif not self.extra_rows:
                self.cells.append(text)
                self._row_cells += 1
            self._cell = None
        elif tag == "table":
            self._table_depth -= 1
            if not self._table_depth:
                self._in_table = False
                self.table_closed = True

    def handle_data(self, data: str) -> None:
        if self._pre_depth:
            self._pre_parts.append(data)
        elif self._cell is not None:
            self._cell.append(data)

    # -- helpers ----------------------------------------------------------------------------
    def _classification_index(self) -> int:
        labels = [h.lower() for h in self.headers]
        return labels.index("classification") if "classification" in labels else 3

    @property
    def in_pre(self) -> bool:
        return self._pre_depth > 0

    @property
    def in_table(self) -> bool:
        return self._in_table


def _has_class(attrs: list[tuple[str, str | None]], name: str) -> bool:
    for key, value in attrs:
        if key == "class" and value and name in value.split():
            return True
    return False


def _finish_pre(text: str) -> str:
    # Every <br> seen in the pages is followed by a newline already; a lone one becomes one.
    text = text.replace(_BR + "\r\n", "\n").replace(_BR + "\n", "\n").replace(_BR, "\n")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _cable_part_start(page: str) -> int:
    """Where parsing may start: at the cable table when nothing that matters comes before it.

    The pages spend ~90% of their markup on navigation (about 850 links) before the table; parsing
    from the table on makes reading about ten times faster. If the table is not found this way,
    or a <pre> comes before it, the whole page is parsed.
    """
    for marker in ("<table class='cable'>", '<table class="cable">'):
        start = page.find(marker)
        if start >= 0:
            return 0 if "<pre" in page[:start] else start
    return 0


def parse_wikileaks_page(page: str, source: SourceRef) -> RawCable:
    """Turn the text of one page into a RawCable; raises CableError naming `source`."""
    parser = _CablePageParser()
    try:
        parser.feed(page[_cable_part_start(page) :])
        parser.close()
    except (AssertionError, ValueError) as exc:  # html.parser on badly broken markup
        raise CableError(source, f"cannot parse HTML: {exc}") from None

    if not parser.table_found and not parser.pre_blocks:
        reason = "not a WikiLeaks cable page: no <table class='cable'> and no <pre> cable text"
        if not parser.html_closed:
            reason += " (the page also ends before </html>: it may be truncated)"
        raise CableError(source, reason)
    if parser.in_pre:
        raise CableError(
            source,
            f"truncated page: it ends inside cable text block {len(parser.pre_blocks) + 1} "
            "(no closing </pre>)",
        )
    if parser.in_table:
        raise CableError(source, "truncated page: it ends inside the cable metadata table")
    if not parser.table_found:
        raise CableError(source, "not a WikiLeaks cable page: no <table class='cable'> metadata")
    if not parser.pre_blocks:
        raise CableError(source, "no cable text: the page has a cable table but no <pre> block")
    if not parser.html_closed:
        raise CableError(
            source, "truncated page: it ends before </html>, so cable text may be missing"
        )

    metadata: dict[str, str] = {}
    if len(parser.headers) != len(parser.cells):
        raise CableError(
            source,
            f"malformed cable table: {len(parser.headers)} column headers but "
            f"{len(parser.cells)} cells",
        )
    for label, value in zip(parser.headers, parser.cells, strict=True):
        key = _COLUMNS.get(label.lower())
        if key is None:
            continue
        if key in _DATE_KEYS and value:
            try:
                value = wikileaks_date_to_iso(value)
            except ValueError:
                raise CableError(
                    source, f"unparseable {label} date in the cable table: {value!r}"
                ) from None
        metadata[key] = value
    if parser.classification_title is not None:
        metadata["classification_title"] = parser.classification_title

    blocks = parser.pre_blocks
    if any(block.lstrip().startswith(PARTIAL_MARKER) for block in blocks):
        metadata["partial"] = "true"
    if len(blocks) >= 2:
        header, body = blocks[0], "\n\n".join(blocks[1:])
    else:
        header, body = "", blocks[0]
    if not (header.strip() or body.strip()):
        raise CableError(source, "no cable text: the <pre> blocks are empty")

    stem = Path(source.path).name.rsplit(".", 1)[0]
    hint = stem.upper() if looks_like_reference_id(stem) else None
    return RawCable(source=source, header=header, body=body, metadata=metadata, name_hint=hint)


def read_wikileaks_page(path: str | Path) -> RawCable:
    """Read one WikiLeaks cable page (UTF-8). Raises CableError naming the file."""
    source, data = read_input(path, FORMAT)
    if not data.strip():
        raise CableError(source, "empty file")
    if b"\x00" in data:
        raise CableError(source, "binary data: contains NUL bytes, not an HTML page")
    try:
        page = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CableError(
            source, f"not valid UTF-8 (byte 0x{data[exc.start]:02X} at offset {exc.start})"
        ) from None
    return parse_wikileaks_page(page, source)
