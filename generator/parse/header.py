"""The cable's own header: classification line, captions, E.O. 12958, TAGS, SUBJECT, REF,
Classified By. These are free text between the routing header and the first paragraph, in an
order and layout that varies from cable to cable, so the parser works line by line and lets a
field run on until a blank line or the next field keyword.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.model.classification import caption_of, level_from_line
from generator.parse.patterns import CLASSIFICATION_LINE, SECTION_BREAK

PARTIAL_NOTICE = "partial extract of the original cable"

_KEYWORDS = {
    "eo": r"E\.?\s?O\.?\s?(?:12958|13526|12356|12065|11652)(?:\s*,?\s*AS AMENDED)?",
    "tags": r"TAGS?|TAGES",
    "subject": r"SUBJECT|SUBJ",
    "ref": r"REFS?|REFTEL|REFERENCES?",
    "classified_by": r"CLASSI?FI?ED\s+BY",
}
# A field keyword at the start of a line; TAGS and E.O. may go without a colon.
_FIELD_AT_START = re.compile(
    r"^(?:(?P<eo>%(eo)s)\s*:?|(?P<tags>%(tags)s)\s*:|(?P<tags2>TAGS)\s+(?=[A-Z\[])|"
    r"(?P<subject>%(subject)s)\s*:|(?P<ref>%(ref)s)\s*:|(?P<classified_by>%(classified_by)s)\s*:)"
    % _KEYWORDS,
    re.I,
)
# The same keywords in the middle of a line (always with a colon), where two fields share one.
_FIELD_INSIDE = re.compile(
    r"\s(?=(?:%(eo)s\s*:|(?:TAGS|TAGES)\s*:|SUBJECT\s*:|REF\s*:|%(classified_by)s\s*:))"
    % _KEYWORDS,
    re.I,
)
_DATE_LINE = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),\s+\d{1,2}\s+\w+\s+\d{4}",
    re.I,
)
_INLINE_SECTION_BREAK = re.compile(
    r"[A-Z][A-Z .'\-]*\s+\d{5,8}\s+\d{3}(?:\.\d+)?\s+OF\s+\d{3}", re.I
)


# Classified By ends with its reasons: `... reasons 1.4 (b) and (d).`
_REASONS_COMPLETE = re.compile(r"\b1\.\d.*[).]\s*$")


@dataclass
class HeaderFields:
    level: str | None = None
    section: int | None = None
    sections: int | None = None
    serial_post: str | None = None
    serial_number: str | None = None
    captions: list[str] = field(default_factory=list)
    handling: list[str] = field(default_factory=list)
    eo: str | None = None
    tags: str | None = None
    subject: str | None = None
    ref: str | None = None
    classified_by: str | None = None
    partial: bool = False
    body_start: int = 0  # index of the first body line in the lines given


def _field_name(match: re.Match[str]) -> str:
    name = match.lastgroup or ""
    return "tags" if name == "tags2" else name


def _field_follows(lines: list[str], start: int, window: int = 15) -> bool:
    """Whether a header field keyword starts within the next few non-blank lines."""
    seen = 0
    for line in lines[start:]:
        line = line.strip()
        if not line:
            continue
        if _FIELD_AT_START.match(line) or _FIELD_INSIDE.search(line):
            return True
        seen += 1
        if seen >= window:
            break
    return False


def _split_fields(line: str) -> list[str]:
    """Split a line where a second field keyword starts inside it."""
    return [part for part in _FIELD_INSIDE.split(line) if part.strip()]


def parse_header_fields(lines: list[str]) -> HeaderFields:
    fields = HeaderFields()
    values: dict[str, list[str]] = {}
    current: str | None = None
    seen_classification = False
    index = 0

    def close() -> None:
        nonlocal current
        current = None

    for index, raw_line in enumerate(lines):
        line = raw_line.strip()
        if not line:
            # REF lists often continue after a blank line when the last entry ended with ; or ,
            if current == "ref" and values["ref"][-1].rstrip().endswith((";", ",")):
                continue
            close()
            continue
        if PARTIAL_NOTICE in line.lower():
            fields.partial = True
            continue
        if SECTION_BREAK.match(line):
            continue
        if not seen_classification and not values:
            match = CLASSIFICATION_LINE.match(line)
            if match:
                seen_classification = True
                fields.level = level_from_line(match.group(1))
                if match.group(2):
                    fields.section, fields.sections = int(match.group(2)), int(match.group(3))
                fields.serial_post = match.group(4).strip().upper() if match.group(4) else None
                fields.serial_number = match.group(5)
                continue
        parts = _split_fields(line)
        if current is None and not _FIELD_AT_START.match(parts[0].strip()):
            # Captions and handling lines come before the fields; any other line that does not
            # start a field is where the body starts.
            first = parts[0].strip()
            if values:
                break
            caption = caption_of(first)
            if caption:
                if caption not in fields.captions:
                    fields.captions.append(caption)
            elif _DATE_LINE.match(first):
                pass
            elif _field_follows(lines, index + 1):
                # Address and handling lines (`DEPARTMENT FOR ...`, `PASS TO ...`) sit between
                # the captions and the first field.
                fields.handling.append(first)
            else:
                break
            parts = parts[1:]
        for part in parts:
            part = part.strip()
            match = _FIELD_AT_START.match(part)
            if match:
                current = _field_name(match)
                values.setdefault(current, []).append(part[match.end():].strip())
            elif current is not None:
                values[current].append(part)
        if current == "classified_by" and _REASONS_COMPLETE.search(" ".join(values[current])):
            close()
    else:
        index = len(lines)
    fields.body_start = index
    for name, chunks in values.items():
        text = " ".join(" ".join(chunks).split())
        if name == "ref":
            text = _INLINE_SECTION_BREAK.sub(" ", text)
            text = " ".join(text.replace("¶", " ").split())
        setattr(fields, name, text or None)
    return fields
