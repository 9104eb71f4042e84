"""The cable body: numbered paragraphs with their markings, sub-headings, SUMMARY and COMMENT
blocks, and the signer on the last line."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.model.cable import Paragraph
from generator.parse.patterns import RULE_LINE, SECTION_BREAK

# `¶4. (SBU)`, `1. (C)`, `1.(C)`, `11. (SBU)` (a mangled ¶1), `4.  (S/NF)`.
_NUMBER = re.compile(r"^(?P<pilcrow>¶\s*)?(?P<number>\d{1,3})\s?\.(?!\d)\s*")
_MARKING = re.compile(r"^\(\s*(?P<marking>[A-Za-z]{1,4}(?:\s*/{1,2}\s*[A-Za-z]{1,6})*)\s*\)\s*")
_VALID_MARKING = re.compile(r"^(?:U|SBU|C|S|TS|LOU|FOUO|CUI|SBU-NF)(?:/{1,2}[A-Z]{1,6})*$")
_TERMINAL = (".", "!", "?", ":", ";", ")", '"', "'", "”", "’")
# Lines after the signer or the last paragraph that are transmission debris, not text.
_END_MARKERS = re.compile(
    r"^(?:BT|NNNN|#\d+|EXEMPT|END CABLE TEXT|(?:UN)?CLASSIFIED|CONFIDENTIAL|SECRET|NOFORN|"
    r"[^A-Za-z0-9]+|SELECT \* FROM .*|\d{4}[A-Z]+\d+ - [A-Z/ ]+)$", re.I)
# A line that cannot end a sentence, after which a bare name is the signer all the same.
_NO_SENTENCE = re.compile(r"(?:https?://|www\.|\*\*\*|---)", re.I)
_SIGNER_LINE = re.compile(r"^[A-Z][A-Za-z'\-]+(?:\s+[A-Z][A-Za-z.'\-]*){0,3}$")
_SIGNER_TAIL = re.compile(r"(?<=[.!?)\"”])\s+([A-Z][A-Za-z'\-]{1,30})$")
_NOT_SIGNERS = {"END", "SUMMARY", "COMMENT", "NOTE", "SIPDIS", "EXEMPT", "UNCLASSIFIED"}
_SUMMARY_START = re.compile(r"^(?:begin\s+)?summary\b\s*(?:and\s+comment\b)?\s*[:.\-]*\s*", re.I)
_SUMMARY_END = re.compile(r"\bend\s+(?:of\s+)?summary\b[.:]?", re.I)
_COMMENT_START = re.compile(r"^(?:begin\s+)?comments?\b\s*[:.\-]+\s*|^comments?$", re.I)
_COMMENT_END = re.compile(r"\bend\s+(?:of\s+)?comments?\b", re.I)


@dataclass
class Body:
    paragraphs: list[Paragraph] = field(default_factory=list)
    signer: str | None = None
    summary: str | None = None


def _blocks(lines: list[str]) -> list[list[str]]:
    """Blank-line separated blocks, section-break lines removed, trailing blanks dropped."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for raw in lines:
        line = raw.rstrip()
        if SECTION_BREAK.match(line):
            continue
        if not line.strip():
            if current:
                blocks.append(current)
                current = []
            continue
        current.append(line.strip())
    if current:
        blocks.append(current)
    return _merge_broken(blocks)


def _merge_broken(blocks: list[list[str]]) -> list[list[str]]:
    """Join a paragraph that a section break or stray blank line cut in two mid-sentence."""
    merged: list[list[str]] = []
    for block in blocks:
        if (
            merged
            and not merged[-1][-1].endswith(_TERMINAL)
            and block[0][:1].islower()
            and not RULE_LINE.match(merged[-1][-1])
        ):
            merged[-1].extend(block)
        else:
            merged.append(block)
    return merged


def _take_signer(blocks: list[list[str]]) -> str | None:
    while blocks and _END_MARKERS.match(blocks[-1][-1]):
        blocks[-1].pop()
        if not blocks[-1]:
            blocks.pop()
    if not blocks:
        return None
    last = blocks[-1]
    if len(last) == 1 and _SIGNER_LINE.match(last[0]) and len(last[0]) <= 40:
        words = last[0].split()
        if words[0].upper() not in _NOT_SIGNERS and not last[0].endswith("."):
            blocks.pop()
            return last[0]
    candidate = last[-1].rstrip(" .") if len(last) > 1 else ""
    if (
        re.fullmatch(r"[A-Za-z][A-Za-z.'\-]*(?: [A-Z][A-Za-z.'\-]*)?", candidate)
        and len(candidate) <= 30
        and candidate.split()[0].upper() not in _NOT_SIGNERS
        and (
            candidate.isupper()
            or last[-2].endswith(_TERMINAL)
            or _NO_SENTENCE.search(last[-2])
        )
        and (candidate[0].isupper() or _NO_SENTENCE.search(last[-2]))
    ):
        # Signer on its own line, right under the last paragraph (`BRUSH BRUSH` happens).
        last.pop()
        words = candidate.split()
        return words[0] if len(words) == 2 and words[0] == words[1] else candidate
    match = _SIGNER_TAIL.search(last[-1])
    if match and match.group(1) not in _NOT_SIGNERS:
        last[-1] = last[-1][: match.start()].rstrip()
        return match.group(1)
    return None


def _heading_text(block: list[str]) -> str | None:
    rules = [line for line in block if RULE_LINE.match(line)]
    text = [line for line in block if not RULE_LINE.match(line)]
    if rules and 1 <= len(text) <= 2 and all(len(line) <= 90 for line in text):
        return " ".join(text)
    if (
        len(block) == 1
        and not rules
        and block[0].isupper()
        and len(block[0].split()) <= 12
        and not block[0].endswith((".", ",", ";"))
        and not _NUMBER.match(block[0])
    ):
        return block[0]
    return None


def _split_number(first_line: str, expected: int) -> tuple[str | None, str | None, str]:
    """Paragraph number and marking at the start of a paragraph, and the rest of the line."""
    match = _NUMBER.match(first_line)
    if not match:
        return None, None, first_line
    digits = match.group("number")
    number = int(digits)
    if (
        not match.group("pilcrow")
        and number != expected
        and digits.startswith("1")
        and len(digits) > 1
        and int(digits[1:]) == expected
    ):
        # The `¶` of `¶2.` turned into a leading `1` by a conversion tool: `12.` means 2.
        number = expected
    rest = first_line[match.end():]
    marking = None
    mark_match = _MARKING.match(rest)
    if mark_match:
        candidate = re.sub(r"\s+", "", mark_match.group("marking")).upper()
        if _VALID_MARKING.match(candidate):
            marking = candidate
            rest = rest[mark_match.end():]
    if marking is None and not match.group("pilcrow") and not rest[:1].isupper() and rest:
        # `1990 ...`-style false positives need a marking, a pilcrow or a capital after them.
        return None, None, first_line
    return str(number), marking, rest


def _mark_roles(paragraphs: list[Paragraph]) -> None:
    """Flag the paragraphs of SUMMARY and COMMENT blocks."""
    for role, start, end in (
        ("summary", _SUMMARY_START, _SUMMARY_END),
        ("comment", _COMMENT_START, _COMMENT_END),
    ):
        index = 0
        while index < len(paragraphs):
            paragraph = paragraphs[index]
            opener = paragraph.lines[0] if paragraph.lines else ""
            started_by_heading = paragraph.kind == "heading" and start.match(opener.strip())
            if not (start.match(opener) and paragraph.kind == "text") and not started_by_heading:
                index += 1
                continue
            first = index + 1 if started_by_heading else index
            last = first
            # The block runs to its end marker, else (heading-started) to the next heading,
            # else it is just the opening paragraph.
            for probe in range(first, len(paragraphs)):
                if paragraphs[probe].kind == "heading" and probe > first:
                    last = probe - 1 if started_by_heading else first
                    break
                if end.search(" ".join(paragraphs[probe].lines)):
                    last = probe
                    break
            else:
                last = len(paragraphs) - 1 if started_by_heading else first
            for member in paragraphs[first : last + 1]:
                if member.kind == "text" and role not in member.roles:
                    member.roles = member.roles + (role,)
            index = last + 1


def _summary_text(paragraphs: list[Paragraph]) -> str | None:
    parts = []
    for paragraph in paragraphs:
        if "summary" in paragraph.roles:
            parts.append(" ".join(paragraph.lines))
        elif parts:
            break
    if not parts:
        return None
    text = "\n\n".join(parts)
    text = _SUMMARY_START.sub("", text, count=1)
    match = _SUMMARY_END.search(text)
    if match:
        text = text[: match.start()]
    text = text.strip().rstrip("(").strip()
    return text or None


def parse_body(lines: list[str]) -> Body:
    blocks = _blocks(lines)
    body = Body()
    body.signer = _take_signer(blocks)
    expected = 1
    for block in blocks:
        heading = _heading_text(block)
        if heading is not None:
            body.paragraphs.append(Paragraph(lines=[heading], kind="heading"))
            continue
        if all(RULE_LINE.match(line) for line in block):
            continue
        number, marking, rest = _split_number(block[0], expected)
        if number is not None:
            expected = int(number) + 1
        lines_out = ([rest] if rest else []) + block[1:]
        body.paragraphs.append(Paragraph(lines=lines_out, number=number, marking=marking))
    _mark_roles(body.paragraphs)
    body.summary = _summary_text(body.paragraphs)
    return body
