"""The cable model: what the reader knows about one cable, independent of its source format."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SourceRef:
    """Where a cable came from, so errors and pages can name it."""

    path: str
    format: str  # "text", "wikileaks-html" or "csv"
    row: int | None = None  # CSV record number (1-based)
    line: int | None = None  # line in the file where the record starts

    def describe(self) -> str:
        where = self.path
        if self.row is not None:
            where += f", row {self.row}"
        if self.line is not None:
            where += f", line {self.line}"
        return where


@dataclass
class RawCable:
    """One cable as a reader found it: the text as received plus any metadata the wrapper carried.

    `header` and `body` are the cable text with newlines normalised to LF; for raw text files the
    header is empty and everything is in `body` (the parser finds the split itself).
    """

    source: SourceRef
    header: str
    body: str
    metadata: dict[str, str] = field(default_factory=dict)
    name_hint: str | None = None  # reference ID suggested by the file name

    @property
    def original(self) -> str:
        """Header and body as received, joined the way the page stores them."""
        if self.header and self.body:
            return self.header + "\n\n" + self.body
        return self.header or self.body


@dataclass
class Station:
    """A sender or recipient: name as written, routing indicator, precedence and serial."""

    name: str
    routing: str | None = None
    precedence: str | None = None
    serial: str | None = None

    def to_dict(self) -> dict:
        data: dict = {"name": self.name}
        for key in ("routing", "precedence", "serial"):
            value = getattr(self, key)
            if value:
                data[key] = value
        return data


@dataclass
class Tag:
    code: str
    kind: str  # subject, program, country, organization, person, unknown
    name: str | None = None

    def to_dict(self) -> dict:
        data: dict = {"code": self.code, "kind": self.kind}
        if self.name:
            data["name"] = self.name
        return data


@dataclass
class Reference:
    letter: str | None
    text: str
    reference_id: str | None = None

    def to_dict(self) -> dict:
        data: dict = {}
        if self.letter:
            data["letter"] = self.letter
        if self.reference_id:
            data["reference_id"] = self.reference_id
        data["text"] = self.text
        return data


@dataclass
class Paragraph:
    """A block of the cable body: a numbered paragraph, plain text or a sub-heading."""

    lines: list[str]
    number: str | None = None  # "4", "4.A" ...
    marking: str | None = None  # "SBU", "C", "S/NF" ...
    kind: str = "text"  # text, heading
    roles: tuple[str, ...] = ()  # "summary", "comment"


@dataclass
class Cable:
    reference_id: str
    source: SourceRef
    original: str
    created: str | None = None
    released: str | None = None
    origin: str | None = None
    classification: str | None = None
    captions: list[str] = field(default_factory=list)
    handling: list[str] = field(default_factory=list)
    precedence: str | None = None
    transmission_id: str | None = None
    sender: Station | None = None
    to: list[Station] = field(default_factory=list)
    info: list[Station] = field(default_factory=list)
    eo12958: dict | None = None
    classified_by: dict | None = None
    tags: list[Tag] = field(default_factory=list)
    subject: str | None = None
    references: list[Reference] = field(default_factory=list)
    signer: str | None = None
    summary: str | None = None
    partial: bool = False
    sections: int | None = None
    paragraphs: list[Paragraph] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
