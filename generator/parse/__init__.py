"""Model stage: a RawCable as read -> a Cable with every header field, body and original text.

Metadata from a wrapper (WikiLeaks table, CSV columns) wins over what the text says, since it
is what the publisher indexed; the text fills in the rest.
"""

from __future__ import annotations

import re

from generator.errors import CableError
from generator.model.cable import Cable, RawCable, Reference
from generator.model.classification import normalise, normalise_label
from generator.model.glossary import classify_tags, post_name, routing_table
from generator.model.reference_id import canonical_reference_id, cited_reference_id
from generator.parse.body import parse_body
from generator.parse.header import PARTIAL_NOTICE, parse_header_fields
from generator.parse.routing import RoutingHeader, parse_routing_header

_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_DATE_NUMERIC = re.compile(r"\b(\d{1,4})/(\d{1,2})/(\d{2,4})\b")
_REASONS = re.compile(r"(?:,|;|\bfor\b|\bunder\b|\bper\b)?\s*(?:reasons?|section|e\.?o\.?)?\s*:?\s*"
                      r"(1\.[456]\s*[\s(,a-h)and/.&]*)$", re.I)
_TITLE_WORDS = {
    "a/", "acting", "affairs", "ambassador", "and", "assistant", "cda", "cdm", "cg", "charg",
    "charge", "chargé", "chief", "consul", "consul-general", "counsellor", "counselor",
    "counselor,", "d'affaires", "dcm", "deputy", "director", "econ", "econcouns", "econoff",
    "economic", "economics", "ecopol", "for", "general", "head", "management", "minister",
    "minister-", "minister-counselor", "mission", "of", "officer", "pol", "pol/econ", "polcouns",
    "polecon", "political", "politics", "polmil", "polmilcouns", "poloff", "principal", "public",
    "regional", "secretary", "section", "senior", "the", "under",
}


def parse_cable(raw: RawCable) -> Cable:
    """Build the Cable model; raises CableError when the text is not a cable at all."""
    original = raw.original
    if not original.strip():
        raise CableError(raw.source, "empty cable text")
    meta = raw.metadata
    header_lines = raw.header.split("\n") if raw.header else []
    body_lines = raw.body.split("\n")

    if header_lines:
        routing = parse_routing_header(header_lines)
    else:
        routing = parse_routing_header(body_lines)
        body_lines = body_lines[routing.lines_used:]
    fields = parse_header_fields(body_lines)
    body = parse_body(body_lines[fields.body_start:])

    cable = Cable(reference_id="", source=raw.source, original=original)
    cable.transmission_id = routing.transmission_id
    cable.precedence = routing.precedence
    cable.sender = routing.sender
    cable.to = routing.to
    cable.info = routing.info
    cable.created = _created(meta.get("created"), routing.created)
    cable.released = meta.get("released")
    cable.captions = fields.captions
    cable.handling = fields.handling
    cable.sections = fields.sections or (1 if fields.level else None)
    cable.partial = fields.partial or meta.get("partial") == "true" or (
        PARTIAL_NOTICE in original[:300].lower())

    cable.reference_id = _reference_id(raw, fields.serial_post, fields.serial_number, cable.created)
    if not cable.reference_id:
        raise CableError(raw.source, "no reference ID: not in the metadata, the file name or the "
                         "classification line")
    cable.origin = meta.get("origin") or _origin(routing)
    level_classification = normalise(fields.level, fields.captions)
    cable.classification = (
        normalise_label(meta["classification"]) if meta.get("classification")
        else level_classification
    )
    if fields.tags:
        # A conversion tool may have written each tag as a Markdown link: `[PHUM](#)`.
        tags_text = _MARKDOWN_LINK.sub(r"\1", fields.tags)
        cable.tags = classify_tags(re.split(r"[\s,;]+", tags_text))
    cable.subject = fields.subject
    cable.eo12958 = _eo12958(fields.eo)
    cable.classified_by = _classified_by(fields.classified_by)
    citing_year = cable.reference_id[:2]
    cable.references = _references(fields.ref, citing_year, meta.get("references"))
    cable.signer = body.signer
    cable.summary = body.summary
    cable.paragraphs = body.paragraphs
    if not cable.created:
        cable.warnings.append("no creation date in the metadata or a DTG line")
    if not body.paragraphs:
        cable.warnings.append("no body text")
    return cable


def _created(from_metadata: str | None, from_dtg: str | None) -> str | None:
    """The creation time: the metadata's, but with the DTG's minutes when both agree on the hour.

    The 2010 WikiLeaks pages print minutes equal to the hour on a 12-hour clock (`23:11` for a
    DTG of `162310Z`), so where the DTG gives the same date and hour it is the better source.
    """
    if from_metadata and from_dtg and from_metadata[:13] == from_dtg[:13]:
        return from_dtg
    return from_metadata or from_dtg


def _reference_id(raw: RawCable, post: str | None, serial: str | None,
                  created: str | None) -> str | None:
    for candidate in (raw.metadata.get("reference_id"), raw.name_hint):
        if candidate:
            canonical = canonical_reference_id(candidate)
            if canonical:
                return canonical
    if post and serial and created:
        return canonical_reference_id(created[2:4] + post.replace(" ", "") + serial)
    return None


def _origin(routing: RoutingHeader) -> str | None:
    if routing.origin_routing and routing.origin_routing in routing_table():
        return post_name(routing_table()[routing.origin_routing])
    if routing.sender:
        return post_name(routing.sender.name)
    return None


def _iso_date(text: str) -> str | None:
    """`07/11/2016`, `1/26/20`, `2035/02/11` -> ISO date; None when it is not a date."""
    match = _DATE_NUMERIC.search(text)
    if not match:
        return None
    a, b, c = match.groups()
    if len(a) == 4:
        year, month, day = a, b, c
    else:
        month, day, year = a, b, c
    if len(year) == 2:
        year = ("20" if int(year) <= 50 else "19") + year
    if len(year) != 4 or not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return None
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _eo12958(text: str | None) -> dict | None:
    if text is None:
        return None
    text = text.strip()
    result: dict = {"text": text}
    declassify = _iso_date(text)
    if declassify:
        result["declassify_on"] = declassify
    reasons = re.search(r"\b(1\.[4-6]\s*\(?[A-Ha-h]\)?(?:.*)|25X\d|X\d)", text)
    if re.search(r"\bN/?A\b", text, re.I):
        result["not_applicable"] = True
    elif reasons and not declassify:
        result["reasons"] = reasons.group(1)
    return result


def _classified_by(text: str | None) -> dict | None:
    """`Ambassador David Greenlee for reasons 1.4 (B) and (D).` -> name, title, reasons."""
    if not text:
        return None
    result: dict = {"text": text}
    who = text
    match = _REASONS.search(text)
    if match:
        result["reasons"] = match.group(1).strip().rstrip(".")
        who = text[: match.start()]
    who = re.sub(r"(?i)[,;]?\s*(?:for|under|per)\s*(?:reasons?|section)?\s*$", "", who)
    who = who.strip(" ,;:.")
    if "," in who or ";" in who:
        name, _, title = re.split(r"([,;])", who, maxsplit=1)
        name, title = name.strip(), title.strip(" ,;")
    else:
        words = who.split()
        all_caps = who.isupper()
        cut = 0
        # Leading title words, leaving at least one word (two where possible) for the name.
        while cut < len(words) - 1 and _is_title_word(words[cut], all_caps):
            cut += 1
        title, name = " ".join(words[:cut]), " ".join(words[cut:])
    if name:
        result["name"] = name
    if title:
        result["title"] = title
    return result


def _is_title_word(word: str, all_caps: bool) -> bool:
    lowered = word.lower().strip(".,")
    if re.fullmatch(r"[a-z]\.?", lowered):
        return False  # an initial belongs to the name
    if lowered in _TITLE_WORDS or "/" in word:
        return True
    if "-" in lowered and all(part in _TITLE_WORDS for part in lowered.split("-")):
        return True
    # An acronym (DCM, CDA, ECONMIN) is a title unless the whole line is in capitals.
    return not all_caps and word.isupper() and len(word) <= 7


def _references(text: str | None, citing_year: str, listed: str | None) -> list[Reference]:
    """Split a REF field into lettered entries and find the cable each one cites."""
    if not text:
        return []
    entries = _split_ref_entries(text)
    listed_ids = set(re.split(r"[\s,;|]+", listed or "")) - {""}
    references = []
    for letter, entry in entries:
        reference_id = cited_reference_id(entry, citing_year)
        if reference_id is None and listed_ids:
            compact = canonical_reference_id(entry)
            reference_id = compact if compact in listed_ids else None
        references.append(Reference(letter=letter, text=entry, reference_id=reference_id))
    return references


def _split_ref_entries(text: str) -> list[tuple[str | None, str]]:
    """`A. BERLIN 01131 B. BERLIN 01093` -> [(A, BERLIN 01131), (B, BERLIN 01093)].

    Letters must run in order (A, B, C ...) so that initials in the text do not split it.
    """
    markers = []
    expected = "A"
    for match in re.finditer(r"(?:^|(?<=[\s;,]))\(?([A-Z])\s?[.)]\s+", text):
        if match.group(1) == expected:
            markers.append(match)
            expected = chr(ord(expected) + 1)
    if len(markers) >= 1 and markers[0].start() == 0:
        entries = []
        for position, match in enumerate(markers):
            end = markers[position + 1].start() if position + 1 < len(markers) else len(text)
            entries.append((match.group(1), text[match.end():end].strip(" ;,")))
        return entries
    parts = [part.strip(" ,") for part in re.split(r";|\s+AND\s+", text) if part.strip(" ,")]
    return [(None, part) for part in parts]
