"""Golden test: the Markdown-mangled copy of 07TASHKENT477 (TAGS as links, `11.` for `¶1.`)."""

from __future__ import annotations

from conftest import CORPUS, parse_file

from generator.content.page import page_path, render_page, split_page

TASHKENT = CORPUS / "markdown-text" / "07TASHKENT477.txt"


def test_header_fields() -> None:
    cable = parse_file(TASHKENT)
    assert cable.reference_id == "07TASHKENT477"
    assert cable.created == "2007-03-23T10:08Z"
    assert cable.origin == "Embassy Tashkent"
    assert cable.classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    assert "SENSITIVE" in cable.captions
    assert cable.precedence == "PRIORITY"
    assert cable.transmission_id == "VZCZCXRO3653"
    assert [(s.name, s.routing) for s in cable.to] == [("SECSTATE WASHDC", "RUEHC")]
    assert [s.name for s in cable.info] == [
        "AMEMBASSY ASHGABAT", "AMEMBASSY ASTANA", "AMEMBASSY BISHKEK", "AMEMBASSY DUSHANBE"]
    assert [s.routing for s in cable.info] == ["RUEHAH", "RUEHTA", "RUEHEK", "RUEHDBU"]
    assert cable.sender is not None and cable.sender.routing == "RUEHNT"
    assert [t.code for t in cable.tags] == ["PHUM", "SOCI", "KCRM", "KWMN", "UZ"]
    assert [t.kind for t in cable.tags] == ["subject", "subject", "program", "program", "country"]
    assert cable.subject == (
        "CHANGING UZBEK LAW ENFORCEMENT ATTITUDES TOWARDS TRAFFICKING VICTIMS")
    assert cable.references == []
    assert cable.eo12958 is not None and cable.eo12958["text"] == "N/A"
    assert cable.signer == "PURNELL"
    assert cable.sections == 2
    assert cable.partial is False
    assert cable.summary is not None
    assert cable.summary.startswith("The International Organization for Migration kicked off")
    assert cable.summary.endswith("Uzbek law enforcement authorities.")


def test_paragraphs_numbers_and_markings() -> None:
    cable = parse_file(TASHKENT)
    numbered = [p for p in cable.paragraphs if p.number]
    assert [p.number for p in numbered] == ["1", "2", "3", "4", "5"]
    assert [p.marking for p in numbered] == ["SBU", "U", "SBU", "SBU", "SBU"]
    assert numbered[0].roles == ("summary",)
    assert numbered[4].roles == ("comment",)
    # Paragraph 3 was cut by a stray blank line and paragraph 5 by the section break:
    # each is one paragraph again, and the section-break line is gone.
    assert "even those officers responsible" in " ".join(numbered[2].lines)
    assert "appeared to soften somewhat" in " ".join(numbered[4].lines)
    assert not any("00000477 002 OF 002" in line for p in cable.paragraphs for line in p.lines)


def test_page() -> None:
    cable = parse_file(TASHKENT)
    assert page_path(cable) == "cables/2007/03/07TASHKENT477.md"
    matter, body = split_page(render_page(cable))
    assert matter["reference_id"] == "07TASHKENT477"
    assert matter["tags"][0] == {"code": "PHUM", "kind": "subject", "name": "Human Rights"}
    assert matter["to"] == [{"name": "SECSTATE WASHDC", "routing": "RUEHC",
                             "precedence": "PRIORITY", "serial": "7265"}]
    assert "{#p4}\n¶4. [(SBU)]{.marking .marking-sbu} The training demonstrated" in body
    assert "{#p1 .summary}\n¶1. [(SBU)]{.marking .marking-sbu} Summary:" in body
    # The original, TAGS links and mangled marks included, is kept byte for byte.
    assert body.rstrip("\n").endswith(
        TASHKENT.read_text(encoding="utf-8").rstrip("\n") + "\n````")
