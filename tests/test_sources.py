"""Read stage: raw text files, WikiLeaks pages and the cables.csv dump -> RawCable / CableError."""

from __future__ import annotations

import gzip
import importlib.util
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import CableError
from generator.model.cable import RawCable
from generator.sources import csv_dump, iter_raw_cables, wikileaks_html
from generator.sources.csv_dump import csv_date_to_iso, iter_csv_dump, split_record
from generator.sources.text import NotTextError, decode_cable_bytes, read_text_file
from generator.sources.wikileaks_html import read_wikileaks_page

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus"
CSV_DIR = FIXTURES / "csv"
SAMPLE_CSV = CSV_DIR / "cables-sample.csv"
BROKEN_CSV = CSV_DIR / "broken.csv"

HTML_2010 = sorted((CORPUS / "wikileaks-html").glob("*.html"))
HTML_2011 = sorted((CORPUS / "wikileaks-html-2011").glob("*.html"))
RAW_TXT = sorted((CORPUS / "raw-txt").glob("*.txt"))
MARKDOWN_TXT = sorted((CORPUS / "markdown-text").glob("*.txt"))


def _load_make_sample() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_sample", CSV_DIR / "make_sample.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_sample = _load_make_sample()


def page(name: str) -> RawCable:
    folder = "wikileaks-html-2011" if name.startswith("7") else "wikileaks-html"
    return read_wikileaks_page(CORPUS / folder / f"{name}.html")


def errors(items: list[RawCable | CableError]) -> list[CableError]:
    return [item for item in items if isinstance(item, CableError)]


def cables(items: list[RawCable | CableError]) -> list[RawCable]:
    return [item for item in items if isinstance(item, RawCable)]


# -- the fixture corpus ---------------------------------------------------------------------------


def test_fixture_corpus_is_complete() -> None:
    assert len(HTML_2010) == 573
    assert len(HTML_2011) == 3
    assert len(RAW_TXT) == 22
    assert len(MARKDOWN_TXT) == 1


def test_every_fixture_reads_without_error() -> None:
    items = list(iter_raw_cables([CORPUS, CSV_DIR / "cables-sample.csv"]))
    assert errors(items) == []
    read = cables(items)
    assert len(read) == 573 + 3 + 22 + 1 + 10
    formats = {item.source.format for item in read}
    assert formats == {"text", "wikileaks-html", "csv"}
    for item in read:
        assert "\r" not in item.original
        assert item.original.strip()


def test_walk_order_is_sorted_and_stable() -> None:
    items = list(iter_raw_cables([CORPUS]))
    paths = [Path(item.source.path).relative_to(CORPUS).as_posix() for item in items]
    assert paths == sorted(paths, key=lambda p: p.split("/"))  # name by name, depth first
    assert paths[0].startswith("markdown-text/")
    assert [item.source.path for item in iter_raw_cables([CORPUS])] == [
        item.source.path for item in items
    ]


def test_every_page_has_metadata_and_name_matches_reference_id() -> None:
    for path in HTML_2010 + HTML_2011:
        cable = read_wikileaks_page(path)
        keys = set(cable.metadata) - {"partial"}
        assert keys == {
            "reference_id",
            "created",
            "released",
            "classification",
            "classification_title",
            "origin",
        }, path
        assert cable.name_hint == cable.metadata["reference_id"] == path.stem
        assert cable.header and cable.body
        assert "<a " not in cable.original and "</a>" not in cable.original
        assert "&#x000A;" not in cable.original


# -- WikiLeaks pages ------------------------------------------------------------------------------


def test_skipping_the_navigation_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = [read_wikileaks_page(p) for p in HTML_2010 + HTML_2011]
    monkeypatch.setattr(wikileaks_html, "_cable_part_start", lambda page: 0)
    full = [read_wikileaks_page(p) for p in HTML_2010 + HTML_2011]
    assert fast == full


def test_page_2010_layout_metadata_and_text() -> None:
    cable = page("06LAPAZ417")
    assert cable.source.format == "wikileaks-html"
    assert cable.metadata == {
        "reference_id": "06LAPAZ417",
        "created": "2006-02-16T23:11Z",
        "released": "2010-12-03T21:09Z",
        "classification": "CONFIDENTIAL",
        "classification_title": "unclassified",
        "origin": "Embassy La Paz",
    }
    assert cable.header.startswith("VZCZCXRO0302\nPP RUEHLMC\nDE RUEHLP #0417/01 0472310\n")
    assert cable.header.endswith("RHEHNSC/NSC WASHINGTON DC")
    assert cable.body.startswith("C O N F I D E N T I A L SECTION 01 OF 03 LA PAZ 000417")
    # tags and paragraph anchors are reduced to their text
    assert "TAGS: PGOV PREL ECON SNAR PINR PHUM EAID" in cable.body
    assert "\n¶1. (C) Summary:" in cable.body
    assert cable.original == cable.header + "\n\n" + cable.body
    assert "partial" not in cable.metadata


def test_page_2011_layout() -> None:
    cable = page("72TEHRAN1381")
    assert cable.metadata == {
        "reference_id": "72TEHRAN1381",
        "created": "1972-03-09T05:40Z",
        "released": "2011-08-30T01:44Z",
        "classification": "UNCLASSIFIED",
        "classification_title": "unclassified//fouo",
        "origin": "Embassy Tehran",
    }
    assert cable.header.startswith("R 090540Z MAR 72 \nFM AMEMBASSY TEHRAN\n")
    assert cable.body.startswith("UNCLASSIFIED SECTION 01 OF 01 TEHRAN 1381 \n")
    assert "TAGS: PREL PGOV IR\n" in cable.body
    for path in HTML_2011:
        assert read_wikileaks_page(path).metadata["reference_id"] == path.stem


def test_partial_extract_pages() -> None:
    with_header = page("00HARARE6677")
    assert with_header.metadata["partial"] == "true"
    assert with_header.header.startswith(
        "This record is a partial extract of the original cable. The full text of the original "
        "cable is not available.\n\n291359Z Nov 00"
    )
    assert with_header.body.startswith(
        "Wednesday, 29 November 2000, 13:59\nC O N F I D E N T I A L"
    )

    # Here the notice is a block of its own, and the cable table has a second row
    # ("Appears in these articles") that must not disturb the metadata.
    notice_only = page("04OTTAWA3115")
    assert notice_only.metadata["partial"] == "true"
    assert notice_only.header == (
        "This record is a partial extract of the original cable. The full text of the original "
        "cable is not available."
    )
    assert notice_only.body.startswith("S E C R E T SECTION 01 OF 04 OTTAWA 003115")
    assert notice_only.metadata["classification"] == "SECRET//NOFORN"
    assert notice_only.metadata["origin"] == "Embassy Ottawa"

    partial = [p for p in HTML_2010 + HTML_2011 if read_wikileaks_page(p).metadata.get("partial")]
    assert len(partial) == 23


def test_page_with_br_and_stray_table_tags_in_the_text() -> None:
    cable = page("09LAPAZ96")
    assert cable.body.startswith("SIPDIS \n\nE.O. 12958: DECL: 01/21/2019 \nTAGS: PGOV KDEM")
    assert "claiming a strong mandate for extreme measures. \nURS \n" in cable.body
    assert "\n\n\n" not in cable.body.replace(" ", "")[:200]
    assert cable.metadata["reference_id"] == "09LAPAZ96"


def test_page_keeps_literal_angle_brackets_and_unknown_entities() -> None:
    assert page("09KHARTOUM881").body.startswith("<<218634>>\n7/29/2009 14:42\n09KHARTOUM881\n")
    texts = [read_wikileaks_page(p).body for p in HTML_2010]
    assert any("other &processes8; these processes" in text for text in texts)


def test_page_decodes_utf8_punctuation() -> None:
    text = "".join(read_wikileaks_page(p).original for p in HTML_2010[:200])
    assert "\u2019" in text and "\u201c" in text  # curly quotes as characters
    assert "Ã" not in text and "â€" not in text


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def test_non_cable_html_is_an_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "index.html", "<html><body><h1>Cable Viewer</h1><p>Hello</p></body></html>"
    )
    with pytest.raises(CableError, match="not a WikiLeaks cable page") as info:
        read_wikileaks_page(path)
    assert info.value.source.path == str(path)


def test_table_without_pre_and_pre_without_table(tmp_path: Path) -> None:
    source = (CORPUS / "wikileaks-html" / "06LAPAZ417.html").read_text(encoding="utf-8")
    head, _, _ = source.partition("<code><pre>")
    no_pre = _write(tmp_path, "no-pre.html", head + "</div></body></html>")
    with pytest.raises(CableError, match="no <pre>"):
        read_wikileaks_page(no_pre)
    start, end = source.index("<table class='cable'>"), source.index("</table>") + 8
    no_table = _write(tmp_path, "no-table.html", source[:start] + source[end:])
    with pytest.raises(CableError, match="no <table class='cable'>"):
        read_wikileaks_page(no_table)


@pytest.mark.parametrize("fraction", [0.05, 0.3, 0.5, 0.9, 0.97, 0.999])
def test_truncated_page_never_raises_anything_but_cable_error(
    tmp_path: Path, fraction: float
) -> None:
    data = (CORPUS / "wikileaks-html" / "06LAPAZ417.html").read_bytes()
    cut = data[: int(len(data) * fraction)]
    path = _write(tmp_path, "06LAPAZ417.html", cut.decode("utf-8", errors="ignore"))
    with pytest.raises(CableError) as info:
        read_wikileaks_page(path)
    assert info.value.source.path == str(path)


def test_page_cut_in_the_middle_of_the_body(tmp_path: Path) -> None:
    data = (CORPUS / "wikileaks-html" / "06LAPAZ417.html").read_text(encoding="utf-8")
    cut = data[: data.index("SECTION 01 OF 03 LA PAZ 000417") + 400]
    path = _write(tmp_path, "06LAPAZ417.html", cut)
    with pytest.raises(CableError, match="truncated page: it ends inside cable text block 2"):
        read_wikileaks_page(path)
    # cut between the two blocks: no way to know the body is missing but the missing </html>
    between = data[: data.index("</pre></code>") + len("</pre></code>")]
    path = _write(tmp_path, "06LAPAZ417.html", between)
    with pytest.raises(CableError, match="truncated page"):
        read_wikileaks_page(path)
    inside_table = data[: data.index("Embassy La Paz", data.index("<table class='cable'>"))]
    path = _write(tmp_path, "06LAPAZ417.html", inside_table)
    with pytest.raises(CableError, match="truncated page: it ends inside the cable metadata"):
        read_wikileaks_page(path)
    in_navigation = data[: data.index("Embassy La Paz")]
    path = _write(tmp_path, "06LAPAZ417.html", in_navigation)
    with pytest.raises(CableError, match="no <table class='cable'>.*may be truncated"):
        read_wikileaks_page(path)


def test_page_with_bad_date_and_bad_encoding(tmp_path: Path) -> None:
    data = (CORPUS / "wikileaks-html" / "06LAPAZ417.html").read_text(encoding="utf-8")
    bad_date = _write(tmp_path, "a.html", data.replace("2006-02-16 23:11", "16 Feb 2006"))
    with pytest.raises(CableError, match="unparseable Created date"):
        read_wikileaks_page(bad_date)
    latin1 = _write(tmp_path, "b.html", data.encode("utf-8").replace("¶".encode(), b"\xb6"))
    with pytest.raises(CableError, match="not valid UTF-8") as info:
        read_wikileaks_page(latin1)
    assert str(latin1) in str(info.value)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.html", b"", "empty file"),
        ("blank.html", b"  \n\n ", "empty file"),
        ("binary.html", bytes(range(256)) * 4, "NUL"),
    ],
)
def test_page_empty_or_binary(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    with pytest.raises(CableError, match=message):
        read_wikileaks_page(_write(tmp_path, name, data))


# -- raw text -------------------------------------------------------------------------------------


def test_latin1_crlf_raw_text() -> None:
    path = CORPUS / "raw-txt" / "06NEWDELHI5135.txt"
    assert b"\r\n" in path.read_bytes() and b"\xb6" in path.read_bytes()
    cable = read_text_file(path)
    assert cable.source.format == "text"
    assert cable.source.path == str(path)
    assert cable.header == ""
    assert cable.metadata == {}
    assert cable.name_hint == "06NEWDELHI5135"
    assert "\r" not in cable.body
    assert cable.body.startswith("\nVZCZCXRO7165\nOO RUEHBI RUEHCI RUEHLH RUEHPW\n")
    assert cable.body.count("¶") == 37
    assert "Ã" not in cable.body
    # the original's opening-quote mutation (byte 0xAC) comes through as the Latin-1 character
    assert "is ¬ a \ngadget,8" in read_text_file(CORPUS / "raw-txt" / "09PARIS1007.txt").body


def test_all_raw_txt_files() -> None:
    for path in RAW_TXT:
        cable = read_text_file(path)
        assert cable.name_hint == path.stem
        assert "\r" not in cable.body
        assert cable.body.count("¶") == path.read_bytes().count(b"\xb6")


def test_markdown_text_is_utf8() -> None:
    cable = read_text_file(CORPUS / "markdown-text" / "07TASHKENT477.txt")
    assert cable.name_hint == "07TASHKENT477"
    assert "TAGS: [PHUM](#) [SOCI](#)" in cable.body
    assert "¶4." in cable.body and "Â" not in cable.body


def test_decode_cable_bytes() -> None:
    assert decode_cable_bytes("caf\u00e9 \u00b61.".encode()) == "café ¶1."
    assert decode_cable_bytes(b"caf\xe9 \xb61.") == "café ¶1."
    assert decode_cable_bytes(b"\xef\xbb\xbfA\r\nB\rC\nD") == "A\nB\nC\nD"
    assert decode_cable_bytes(b"") == ""
    with pytest.raises(NotTextError, match="NUL"):
        decode_cable_bytes(b"TEXT\x00MORE")
    with pytest.raises(NotTextError, match="binary"):
        decode_cable_bytes(bytes([1, 2, 3, 4, 5, 6, 7, 8, 14, 15]) * 100)
    with pytest.raises(NotTextError, match="binary"):
        decode_cable_bytes(bytes(range(128, 256)) * 20)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("06LAPAZ417.txt", b"", "empty file"),
        ("06LAPAZ417.txt", b" \r\n\t\r\n", "empty file"),
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
        ("noise.text", bytes(range(1, 32)) * 50, "binary"),
    ],
)
def test_text_errors(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    path = _write(tmp_path, name, data)
    with pytest.raises(CableError, match=message) as info:
        read_text_file(path)
    assert info.value.source.path == str(path)
    assert str(path) in str(info.value)


def test_text_name_hint(tmp_path: Path) -> None:
    assert read_text_file(_write(tmp_path, "06lapaz417.txt", "X")).name_hint == "06LAPAZ417"
    assert read_text_file(_write(tmp_path, "notes.txt", "X")).name_hint is None
    assert read_text_file(_write(tmp_path, "06-LAPAZ.txt", "X")).name_hint is None
    assert read_text_file(_write(tmp_path, "09USNATO35.text", "X")).name_hint == "09USNATO35"


# -- iter_raw_cables ------------------------------------------------------------------------------


def test_iter_raw_cables_mixed_inputs(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "b").mkdir(parents=True)
    (folder / "a").mkdir()
    _write(folder, "z.txt", "Z TEXT")
    _write(folder / "b", "06LAPAZ417.htm", (CORPUS / "wikileaks-html/06LAPAZ417.html").read_bytes())
    _write(folder / "a", "notes.md", "skipped silently")
    _write(folder / "a", "09X1.text", "TEXT")
    _write(folder / "a", "empty.txt", "")
    _write(folder, ".hidden.txt", "hidden")
    (folder / "a" / "dump.csv").write_bytes(BROKEN_CSV.read_bytes())
    explicit_unknown = _write(tmp_path, "readme.md", "# hi")
    missing = tmp_path / "missing.txt"
    single = CORPUS / "raw-txt" / "07BOGOTA1165.txt"

    items = list(iter_raw_cables([folder, explicit_unknown, missing, str(single)]))
    described = [
        (Path(i.source.path).name, i.source.row, type(i).__name__)
        for i in items
        if not (isinstance(i, RawCable) and i.source.format == "csv")
    ]
    assert described == [
        ("09X1.text", None, "RawCable"),
        ("dump.csv", 2, "CableError"),
        ("dump.csv", 4, "CableError"),
        ("dump.csv", 6, "CableError"),
        ("dump.csv", 8, "CableError"),
        ("empty.txt", None, "CableError"),
        ("06LAPAZ417.htm", None, "RawCable"),
        ("z.txt", None, "RawCable"),
        ("readme.md", None, "CableError"),
        ("missing.txt", None, "CableError"),
        ("07BOGOTA1165.txt", None, "RawCable"),
    ]
    unknown = items[-3]
    assert isinstance(unknown, CableError) and "unknown file type '.md'" in unknown.reason
    assert isinstance(items[-2], CableError) and "no such file" in items[-2].reason
    assert str(missing) in str(items[-2])
    assert len(cables([i for i in items if i.source.format == "csv"])) == 4


def test_iter_raw_cables_never_raises_on_a_reader_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import generator.sources as sources

    def broken(path: Path) -> RawCable:
        raise RuntimeError("boom")

    monkeypatch.setitem(sources._SINGLE, ".txt", broken)
    path = _write(tmp_path, "a.txt", "A")
    (item,) = list(iter_raw_cables([path]))
    assert isinstance(item, CableError) and "RuntimeError: boom" in item.reason


# -- the cables.csv dump --------------------------------------------------------------------------


def test_csv_sample_round_trips_what_make_sample_wrote() -> None:
    expected = make_sample.sample_records()
    items = list(iter_csv_dump(SAMPLE_CSV))
    assert errors(items) == []
    assert len(items) == len(expected) == 10
    for number, (cable, record) in enumerate(zip(cables(items), expected, strict=True), start=1):
        assert cable.source.format == "csv"
        assert cable.source.row == number
        assert cable.header == record["header"]
        assert cable.body == record["body"]
        assert cable.metadata["id"] == record["id"]
        assert cable.metadata["reference_id"] == record["reference_id"]
        assert cable.metadata["origin"] == record["origin"]
        assert cable.metadata["classification"] == record["classification"]
        assert cable.metadata["references"] == record["references"]
        assert cable.metadata["created"] == csv_date_to_iso(record["created"])
        assert cable.name_hint is None


def test_csv_sample_is_reproducible() -> None:
    text = make_sample.dump_text(make_sample.sample_records())
    assert SAMPLE_CSV.read_bytes() == text.encode("utf-8")


def test_csv_sample_escapes_and_line_numbers() -> None:
    raw = SAMPLE_CSV.read_text(encoding="utf-8")
    assert '\\"' in raw and "\\'" in raw
    assert sum(1 for line in raw.split("\n") if line.endswith("\\")) > 500
    items = cables(list(iter_csv_dump(SAMPLE_CSV)))
    for cable in items:
        assert "\\" not in cable.original  # the trailing-backslash artefact is gone
    ottawa = next(c for c in items if c.metadata["reference_id"] == "04OTTAWA3115")
    assert 'traditional "four-eyes" construct is "punishment" for' in ottawa.body
    assert "Canada's aid" in ottawa.body
    lapaz = items[0]
    assert lapaz.metadata["created"] == "2006-02-16T23:11Z"
    assert lapaz.body.startswith("C O N F I D E N T I A L SECTION 01 OF 03 LA PAZ 000417 \n\n")
    assert "GOB's counternarcotics" in lapaz.body
    khartoum = items[1]
    assert khartoum.metadata == {
        "id": "218634",
        "reference_id": "09KHARTOUM881",
        "created": "2009-07-29T14:42Z",
        "origin": "Embassy Khartoum",
        "classification": "CONFIDENTIAL",
        "references": "09KHARTOUM378",
    }
    assert items[2].metadata["references"] == "09NAIROBI2487|09STATE122115"
    # line numbers: each record starts where the previous one's lines end
    lines = [c.source.line for c in items]
    assert lines[0] == 1
    starts = [n for n, line in enumerate(raw.split("\n"), start=1) if line.startswith('"')]
    assert set(lines) <= set(starts)
    first = items[0]
    assert items[1].source.line == 1 + first.header.count("\n") + first.body.count("\n") + 1


def test_csv_broken_rows_are_reported_and_good_rows_still_come_through() -> None:
    items = list(iter_csv_dump(BROKEN_CSV))
    assert [(type(i).__name__, i.source.row, i.source.line) for i in items] == [
        ("RawCable", 1, 1),
        ("CableError", 2, 7),
        ("RawCable", 3, 10),
        ("CableError", 4, 14),
        ("RawCable", 5, 18),
        ("CableError", 6, 21),
        ("RawCable", 7, 24),
        ("CableError", 8, 27),
    ]
    bad = errors(items)
    assert "wrong number of columns: found 6, expected 8" in bad[0].reason
    assert "unparseable date" in bad[1].reason and "13/45/2009 25:99" in bad[1].reason
    assert "unterminated quoted field" in bad[2].reason
    assert "end of file" in bad[3].reason
    for error in bad:
        assert str(error).startswith(f"{BROKEN_CSV}, row {error.source.row}, line ")
    good = cables(items)
    assert good[0].body.endswith('MINISTER OF PRESIDENCY ON "COCA" \nGREENLEE')
    # a stray backslash right before the closing quote is the same artefact
    assert good[2].header == "291359Z Nov 00"
    assert good[2].body.endswith("HARARE 006677\n\nMCDONALD")
    assert good[3].header == "R 090540Z MAR 72 \nFM AMEMBASSY TEHRAN"
    assert good[3].body.endswith("SHAH'S CRITICS")
    assert good[3].metadata["created"] == "1972-03-09T05:40Z"


def _outcome(path: Path) -> list[tuple[str, object, str | None, str | None]]:
    return [
        (type(i).__name__, i.source, getattr(i, "header", None), getattr(i, "body", None))
        for i in iter_csv_dump(path)
    ]


@pytest.mark.parametrize("block_size", [1, 2, 3, 7, 64, 1000, 4096])
def test_csv_result_does_not_depend_on_block_size(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, block_size: int
) -> None:
    no_final_newline = _write(tmp_path, "x.csv", BROKEN_CSV.read_bytes().rstrip(b"\n"))
    expected = {path: _outcome(path) for path in (BROKEN_CSV, SAMPLE_CSV, no_final_newline)}
    monkeypatch.setattr(csv_dump, "BLOCK_SIZE", block_size)
    assert _outcome(BROKEN_CSV) == expected[BROKEN_CSV]
    assert _outcome(no_final_newline) == expected[no_final_newline]
    if block_size >= 64:  # tiny blocks are quadratic in the record size
        assert _outcome(SAMPLE_CSV) == expected[SAMPLE_CSV]


def test_csv_gzip(tmp_path: Path) -> None:
    path = tmp_path / "cables.csv.gz"
    path.write_bytes(gzip.compress(SAMPLE_CSV.read_bytes()))
    plain = [(c.header, c.body, c.metadata) for c in cables(list(iter_csv_dump(SAMPLE_CSV)))]
    packed = [(c.header, c.body, c.metadata) for c in cables(list(iter_raw_cables([path])))]
    assert packed == plain


def test_csv_corrupt_gzip(tmp_path: Path) -> None:
    data = gzip.compress(SAMPLE_CSV.read_bytes())
    path = _write(tmp_path, "cables.csv.gz", data[: len(data) // 2])
    items = list(iter_csv_dump(path))
    assert isinstance(items[-1], CableError) and "cannot read file" in items[-1].reason
    not_gzip = _write(tmp_path, "other.csv.gz", b"plain text, not gzip")
    (item,) = list(iter_csv_dump(not_gzip))
    assert isinstance(item, CableError) and str(not_gzip) in str(item)


def test_csv_leading_junk_empty_and_crlf(tmp_path: Path) -> None:
    header_row = "id,created,reference_id,origin,classification,references,header,body\n"
    path = _write(tmp_path, "with-header.csv", header_row + SAMPLE_CSV.read_text("utf-8"))
    items = list(iter_csv_dump(path))
    assert isinstance(items[0], CableError) and items[0].source.line == 1
    assert "not a record" in items[0].reason
    assert [c.source.line for c in cables(items)][:2] == [2, 250]
    assert len(cables(items)) == 10

    (empty,) = list(iter_csv_dump(_write(tmp_path, "empty.csv", b"")))
    assert isinstance(empty, CableError) and empty.reason == "empty file"

    crlf = _write(tmp_path, "crlf.csv", SAMPLE_CSV.read_bytes().replace(b"\n", b"\r\n"))
    expected = [(c.header, c.body) for c in cables(list(iter_csv_dump(SAMPLE_CSV)))]
    assert [(c.header, c.body) for c in cables(list(iter_csv_dump(crlf)))] == expected


def test_csv_latin1_record_falls_back_per_record(tmp_path: Path) -> None:
    good = '"1","1/2/2009 3:04","09A1","Embassy A","SECRET","","H","caf\u00e9 \u00b61."\n'
    latin = b'"2","1/2/2009 3:04","09A2","Embassy A","SECRET","","H","caf\xe9 \xb62."\n'
    path = _write(tmp_path, "mixed.csv", good.encode("utf-8") + latin)
    items = list(iter_csv_dump(path))
    assert [c.body for c in cables(items)] == ["café ¶1.", "café ¶2."]


def test_csv_oversized_record_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csv_dump, "MAX_RECORD_BYTES", 200)
    monkeypatch.setattr(csv_dump, "BLOCK_SIZE", 64)
    huge = '"1","1/2/2009 3:04","09A1","E","S","","H","' + "long line\\\n" * 100 + 'end"\n'
    small = '"2","1/2/2009 3:04","09A2","E","S","","H","B"\n'
    path = _write(tmp_path, "big.csv", huge + small)
    items = list(iter_csv_dump(path))
    assert [(type(i).__name__, i.source.row, i.source.line) for i in items] == [
        ("CableError", 1, 1),
        ("RawCable", 2, 102),
    ]
    assert "larger than" in items[0].reason


def test_csv_dates() -> None:
    assert csv_date_to_iso("12/28/1966 18:48") == "1966-12-28T18:48Z"
    assert csv_date_to_iso("2/5/1972 9:30") == "1972-02-05T09:30Z"
    assert csv_date_to_iso("02/05/1972 09:30") == "1972-02-05T09:30Z"
    for bad in ("2/30/2009 10:00", "1972-02-05 09:30", "13/1/2009 1:00", "1/1/2009 24:00", ""):
        with pytest.raises(ValueError):
            csv_date_to_iso(bad)


def _record(*fields: str) -> str:
    return ",".join(f'"{field}"' for field in fields)


def test_split_record_escapes() -> None:
    base = ["1", "1/2/2009 3:04", "09A1", "Embassy A", "SECRET", ""]
    assert split_record(_record(*base, 'say \\"hi\\"', "a\\\nb\nc\\'d")) == [
        *base,
        'say "hi"',
        "a\nb\nc'd",
    ]
    # an escaped backslash, and a backslash before another character is kept
    assert split_record(_record(*base, "C:\\\\TEMP", "x \\y"))[6:] == ["C:\\TEMP", "x \\y"]
    # text that contains the separator, escaped
    assert split_record(_record(*base, 'a\\",\\"b', "c"))[6:] == ['a","b', "c"]
    # a stray backslash right before a closing quote
    assert split_record(_record(*base, "head\\", "body\\"))[6:] == ["head", "body"]
    # an escaped backslash right before a closing quote is a real backslash
    assert split_record(_record(*base, "head\\\\", "body\\\\"))[6:] == ["head\\", "body\\"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_characters="\r", codec="utf-8"), max_size=40),
        min_size=8,
        max_size=8,
    ),
    st.booleans(),
)
def test_split_record_round_trips_anything_make_sample_writes(
    fields: list[str], escape_apostrophes: bool
) -> None:
    line = ",".join(
        '"' + make_sample.escape_field(f, escape_apostrophes=escape_apostrophes) + '"'
        for f in fields
    )
    assert split_record(line) == fields


# -- streaming ------------------------------------------------------------------------------------


def _generated_dump(path: Path, records: int) -> Path:
    body = "\\\n".join(
        f'{n}. (C) Paragraph text with a \\"quote\\" and more text here.' for n in range(25)
    )
    with path.open("w", encoding="utf-8") as out:
        for number in range(1, records + 1):
            out.write(
                f'"{number}","{number % 12 + 1}/{number % 28 + 1}/2009 '
                f'{number % 24}:{number % 60:02d}",'
                f'"09TEST{number}","Embassy Test","CONFIDENTIAL","","P 011200Z JAN 09\\\n'
                f'FM AMEMBASSY TEST","{body}"\n'
            )
    return path


def _consume(items: Iterator[RawCable | CableError]) -> tuple[int, int]:
    count = failures = 0
    for item in items:
        count += 1
        failures += isinstance(item, CableError)
    return count, failures


def test_csv_reader_streams_in_constant_memory(tmp_path: Path) -> None:
    path = _generated_dump(tmp_path / "generated.csv", 20_000)
    size = os.path.getsize(path)
    assert size > 30 * 1024 * 1024  # larger than the memory allowed below
    tracemalloc.start()
    try:
        count, failures = _consume(iter_csv_dump(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (count, failures) == (20_000, 0)
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for a {size / 1e6:.0f} MB file"
