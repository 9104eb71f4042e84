"""Table-driven tests of the field parsers, on lines taken from real cables."""

from __future__ import annotations

import pytest
from conftest import CORPUS, parse_file

from generator.model.classification import normalise_label
from generator.model.glossary import classify_tags, post_name
from generator.model.reference_id import canonical_reference_id, cited_reference_id
from generator.parse import _classified_by, _eo12958, _references
from generator.parse.patterns import CLASSIFICATION_LINE, SECTION_BREAK
from generator.parse.routing import parse_station


@pytest.mark.parametrize(("text", "expected"), [
    ("07 TASHKENT 000477", "07TASHKENT477"),
    ("07tashkent477", "07TASHKENT477"),
    ("09USEUBRUSSELS948", "09USEUBRUSSELS948"),
    ("not a cable", None),
])
def test_canonical_reference_id(text: str, expected: str | None) -> None:
    assert canonical_reference_id(text) == expected


@pytest.mark.parametrize(("entry", "year", "expected"), [
    ("07 TASHKENT 123", "08", "07TASHKENT123"),
    ("LA PAZ 0406", "06", "06LAPAZ406"),
    ("SECSTATE 134796", "05", "05STATE134796"),
    ("(D) 09 KABUL 4024", "09", "09KABUL4024"),
    ("2008 STATE 029412 AND PREVIOUS", "09", "08STATE29412"),
    ("RIO DE JANEIRO 329", "09", "09RIODEJANEIRO329"),
    ("USUN NEW YORK 123", "08", "08USUNNEWYORK123"),
    ("2/5/09 MONOSSON-COOPER EMAIL", "09", None),
    ("EMBASSY PARIS DAILY REPORT FOR FEBRUARY 6", "06", None),
])
def test_cited_reference_id(entry: str, year: str, expected: str | None) -> None:
    assert cited_reference_id(entry, year) == expected


def test_lettered_references_split_in_order() -> None:
    refs = _references("A. BERLIN 01131 B. BERLIN 01093 C. BERLIN 00390", "09", None)
    assert [(r.letter, r.reference_id, r.text) for r in refs] == [
        ("A", "09BERLIN1131", "BERLIN 01131"),
        ("B", "09BERLIN1093", "BERLIN 01093"),
        ("C", "09BERLIN390", "BERLIN 00390"),
    ]
    # Initials inside an entry do not start a new one: letters must run A, B, C ...
    refs = _references("A. STATE 12 (U.S. POSITION) B. STATE 13", "08", None)
    assert [r.letter for r in refs] == ["A", "B"]
    refs = _references("BELGRADE 19; STATE 9661", "10", None)
    assert [r.reference_id for r in refs] == ["10BELGRADE19", "10STATE9661"]


@pytest.mark.parametrize(("line", "level", "sections", "post", "serial"), [
    ("UNCLAS SECTION 01 OF 02 TASHKENT 000477", "UNCLAS", "02", "TASHKENT", "000477"),
    ("C O N F I D E N T I A L LA PAZ 002458", "C O N F I D E N T I A L", None, "LA PAZ",
     "002458"),
    ("S e c r e t state 068250", "S e c r e t", None, "state", "068250"),
    ("CONFIDENTIAL SECTION 01 OF 08 NEW DELHI 005135 ", "CONFIDENTIAL", "08", "NEW DELHI",
     "005135"),
    ("UNCLASSIFIED SECTION 01 OF 01 TEHRAN 1381", "UNCLASSIFIED", "01", "TEHRAN", "1381"),
])
def test_classification_line(line: str, level: str, sections: str | None, post: str,
                             serial: str) -> None:
    match = CLASSIFICATION_LINE.match(line)
    assert match is not None
    assert match.group(1) == level
    assert match.group(3) == sections
    assert match.group(4) == post
    assert match.group(5) == serial


@pytest.mark.parametrize("line", [
    "TASHKENT 00000477 002 OF 002",
    "BERLIN 00001395  001.2 OF 002",
    "RIO DE JAN 00000365 001.2 OF 002",
])
def test_section_break_lines(line: str) -> None:
    assert SECTION_BREAK.match(line)


@pytest.mark.parametrize(("label", "expected"), [
    ("SECRET//NOFORN", "SECRET//NOFORN"),
    ("unclassified//fouo", "UNCLASSIFIED//FOR OFFICIAL USE ONLY"),
    ("CONFIDENTIAL", "CONFIDENTIAL"),
])
def test_classification_labels(label: str, expected: str) -> None:
    assert normalise_label(label) == expected


@pytest.mark.parametrize(("text", "name", "title", "reasons"), [
    ("Ambassador David Greenlee for reasons 1.4 (B) and (D).", "David Greenlee", "Ambassador",
     "1.4 (B) and (D)"),
    ("A/PolCouns Jon Dorschner for Reasons 1.4 (B, D)", "Jon Dorschner", "A/PolCouns",
     "1.4 (B, D)"),
    ("Brian Nichols, Deputy Chief of Mission; REASON: 1.4(B), (D)", "Brian Nichols",
     "Deputy Chief of Mission", "1.4(B), (D)"),
    ("ECONMIN Robert A. Pollard for reasons 1.4 (b,d).", "Robert A. Pollard", "ECONMIN",
     "1.4 (b,d)"),
    ("Ambassador K. Eikenberry for reasons 1.4 (b) and (d)", "K. Eikenberry", "Ambassador",
     "1.4 (b) and (d)"),
    ("Political Minister-Counselor Josiah Rosenblatt for reasons 1.4 (b/d)", "Josiah Rosenblatt",
     "Political Minister-Counselor", "1.4 (b/d)"),
])
def test_classified_by(text: str, name: str, title: str, reasons: str) -> None:
    parsed = _classified_by(text)
    assert parsed is not None
    assert (parsed.get("name"), parsed.get("title"), parsed.get("reasons")) == (
        name, title, reasons)


@pytest.mark.parametrize(("text", "declassify_on"), [
    ("DECL: 07/11/2016", "2016-07-11"),
    ("DECL: 1/26/20", "2020-01-26"),
    ("DECL: 2035/02/11", "2035-02-11"),
    ("N/A", None),
])
def test_eo12958(text: str, declassify_on: str | None) -> None:
    parsed = _eo12958(text)
    assert parsed is not None and parsed.get("declassify_on") == declassify_on


def test_tag_kinds() -> None:
    tags = classify_tags("PREL PGOV KTIP UZ XA NATO OVIP STEINBERG JAMES".split())
    assert [(t.code, t.kind) for t in tags] == [
        ("PREL", "subject"), ("PGOV", "subject"), ("KTIP", "program"), ("UZ", "country"),
        ("XA", "country"), ("NATO", "organization"), ("OVIP", "subject"),
        ("STEINBERG JAMES", "person"),
    ]
    assert tags[2].name == "Trafficking in Persons"


def test_stations() -> None:
    station = parse_station("RUEHC/SECSTATE WASHDC PRIORITY 7265")
    assert station is not None
    assert (station.name, station.routing, station.precedence, station.serial) == (
        "SECSTATE WASHDC", "RUEHC", "PRIORITY", "7265")
    station = parse_station("AMEMBASSY ANKARA")
    assert station is not None and station.routing is not None  # looked up by name
    assert post_name("AMEMBASSY LA PAZ") == "Embassy La Paz"
    assert post_name("AMCONSUL RIO DE JANEIRO") == "Consulate Rio De Janeiro"
    assert post_name("SECSTATE WASHDC") == "Secretary of State"


def test_latin1_crlf_raw_cable() -> None:
    cable = parse_file(CORPUS / "raw-txt" / "06NEWDELHI5135.txt")
    assert cable.reference_id == "06NEWDELHI5135"
    assert cable.created == "2006-07-21T07:22Z"
    assert cable.origin == "Embassy New Delhi"
    assert cable.classification == "CONFIDENTIAL"
    assert cable.sections == 8
    assert cable.subject == "INDIA'S NATIONAL SECURITY ADVISORY BOARD: ADVISING THE ADVISORS"
    assert [p.number for p in cable.paragraphs if p.number][:3] == ["1", "2", "3"]
    assert cable.classified_by is not None
    assert cable.classified_by["name"] == "Jon Dorschner"


def test_wikileaks_page_metadata_wins() -> None:
    cable = parse_file(CORPUS / "wikileaks-html" / "06LAPAZ417.html")
    assert cable.reference_id == "06LAPAZ417"
    assert cable.created == "2006-02-16T23:10Z"  # the DTG's minutes, not the page's
    assert cable.released == "2010-12-03T21:09Z"
    assert cable.classification == "CONFIDENTIAL"
    assert cable.origin == "Embassy La Paz"
    assert [r.reference_id for r in cable.references] == ["06LAPAZ406"]
    assert cable.signer == "GREENLEE"
    headings = [p.lines[0] for p in cable.paragraphs if p.kind == "heading"]
    assert "INTELLIGENCE ISSUES" in headings
    assert [p.number for p in cable.paragraphs if p.number] == [str(n) for n in range(1, 13)]


def test_old_nara_cable_2011_layout() -> None:
    cable = parse_file(CORPUS / "wikileaks-html-2011" / "72TEHRAN1381.html")
    assert cable.reference_id == "72TEHRAN1381"
    assert cable.created == "1972-03-09T05:40Z"
    assert cable.precedence == "ROUTINE"
    assert [t.code for t in cable.tags] == ["PREL", "PGOV", "IR"]
    assert cable.signer == "HECK"


def test_partial_extract() -> None:
    cable = parse_file(CORPUS / "wikileaks-html" / "02BRASILIA4227.html")
    assert cable.partial is True
    assert cable.sections == 4
