"""Field coverage over the whole bundled corpus (598 real cables + the Markdown-mangled one).

The floors are set a little under what the corpus really holds (measured when they were set),
so a parser change that loses a field on many cables fails here. Run with `-s` to see the table.
"""

from __future__ import annotations

from collections.abc import Callable

from generator.model.cable import Cable

# field -> (how to tell the cable has it, floor as a share of all cables)
FIELDS: dict[str, tuple[Callable[[Cable], object], float]] = {
    "reference_id": (lambda c: c.reference_id, 1.00),
    "created": (lambda c: c.created, 1.00),
    "released (html pages only carry it)": (lambda c: c.released, 0.95),
    "origin": (lambda c: c.origin, 1.00),
    "classification": (lambda c: c.classification, 1.00),
    "captions": (lambda c: c.captions, 0.93),
    "precedence": (lambda c: c.precedence, 0.94),
    "transmission_id": (lambda c: c.transmission_id, 0.87),
    "from": (lambda c: c.sender, 0.94),
    "to": (lambda c: c.to, 0.94),
    "info": (lambda c: c.info, 0.90),
    "eo12958": (lambda c: c.eo12958, 0.98),
    "eo12958.declassify_on": (lambda c: c.eo12958 and c.eo12958.get("declassify_on"), 0.85),
    "classified_by": (lambda c: c.classified_by, 0.82),
    "classified_by.name": (lambda c: c.classified_by and c.classified_by.get("name"), 0.82),
    "classified_by.reasons": (lambda c: c.classified_by and c.classified_by.get("reasons"), 0.78),
    "tags": (lambda c: c.tags, 0.98),
    "tags all of a known kind": (lambda c: c.tags and all(t.kind != "unknown" for t in c.tags),
                                 0.97),
    "subject": (lambda c: c.subject, 0.98),
    "references": (lambda c: c.references, 0.54),
    "references citing a cable ID": (lambda c: any(r.reference_id for r in c.references), 0.49),
    "signer": (lambda c: c.signer, 0.82),
    "summary": (lambda c: c.summary, 0.72),
    "sections": (lambda c: c.sections, 0.97),
    "numbered paragraphs": (lambda c: any(p.number for p in c.paragraphs), 0.94),
    "paragraph markings": (lambda c: any(p.marking for p in c.paragraphs), 0.90),
}


def test_field_coverage(corpus_cables: list[Cable]) -> None:
    total = len(corpus_cables)
    assert total >= 599
    rows = []
    failures = []
    for name, (has, floor) in FIELDS.items():
        count = sum(1 for cable in corpus_cables if has(cable))
        share = count / total
        rows.append(f"{name:40} {count:5} / {total}  {share:6.1%}  (floor {floor:.0%})")
        if share < floor:
            failures.append(name)
    table = "\n".join(rows)
    print("\nfield coverage over the corpus\n" + table)
    assert not failures, f"below floor: {failures}\n{table}"


def test_partial_extracts_are_flagged(corpus_cables: list[Cable]) -> None:
    partial = [c for c in corpus_cables if c.partial]
    # 23 of the 2010 pages say "This record is a partial extract of the original cable".
    assert len(partial) == 23


def test_classifications_are_normalised(corpus_cables: list[Cable]) -> None:
    allowed = {"UNCLASSIFIED", "UNCLASSIFIED//FOR OFFICIAL USE ONLY", "CONFIDENTIAL",
               "CONFIDENTIAL//NOFORN", "SECRET", "SECRET//NOFORN", "LIMITED OFFICIAL USE"}
    assert {c.classification for c in corpus_cables} <= allowed


def test_reference_ids_are_canonical(corpus_cables: list[Cable]) -> None:
    for cable in corpus_cables:
        assert cable.reference_id == cable.reference_id.upper()
        assert " " not in cable.reference_id
        for reference in cable.references:
            if reference.reference_id:
                assert reference.reference_id[:2].isdigit(), reference
