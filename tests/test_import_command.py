"""Behaviour of `gen import`, run through the real command line on real cables.

Most tests call `generator.cli.main([...])` in-process and read stderr with capsys; a few run
`python -m generator import ...` in a subprocess to check the exit status and stderr as a user
sees them. Inputs are always copies of the fixtures under tmp_path.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from generator.cli import main
from generator.content.page import ORIGINAL_FENCE_INFO, is_unedited, original_text, split_page
from generator.model.cable import RawCable
from generator.sources import iter_raw_cables

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus"
CSV_DIR = FIXTURES / "csv"
CSV_SAMPLE = CSV_DIR / "cables-sample.csv"

# A few cables of each kind. None of these pages is also a row of the CSV sample.
RAW_TXT = ("raw-txt/06NEWDELHI5237.txt", "raw-txt/07KINGSTON382.txt", "raw-txt/09PARIS1052.txt")
HTML = (
    "wikileaks-html/06BAKU1835.html",
    "wikileaks-html/05PARIS1699.html",
    "wikileaks-html-2011/73TEHRAN8233.html",
)
# The reference IDs of the ten rows of cables-sample.csv.
CSV_IDS = (
    "06LAPAZ417", "09KHARTOUM881", "09NAIROBI2497", "09ULAANBAATAR234", "00HARARE6677",
    "04OTTAWA3115", "09LAPAZ96", "10BRUSSELS4", "88BAGHDAD28", "72TEHRAN1381",
)

FRONT_MATTER_KEYS = (
    "reference_id", "created", "released", "classification", "captions", "origin",
    "precedence", "transmission_id", "from", "to", "info", "handling", "eo12958",
    "classified_by", "tags", "subject", "references", "signer", "summary", "partial",
    "sections", "source", "import_digest",
)
TAG_KINDS = {"subject", "program", "country", "organization", "person", "unknown"}
SUMMARY = re.compile(r"^imported [\d,]+ cables: .*$", re.M)


# -- helpers ---------------------------------------------------------------------------------


def gen(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    """Run `gen ARGS...` in-process; return the exit status and what it printed on stderr."""
    capsys.readouterr()
    status = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    assert captured.out == ""  # `gen import` reports on stderr only
    return status, captured.err


def gen_quietly(*args: str | Path) -> tuple[int, str]:
    """Run `gen ARGS...` in-process without capsys (for module-scoped fixtures)."""
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        status = main([str(arg) for arg in args])
    return status, stderr.getvalue()


def gen_subprocess(cwd: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *(str(arg) for arg in args)],
        cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
    )


def summary_line(stderr: str) -> str:
    lines = SUMMARY.findall(stderr)
    assert len(lines) == 1, stderr
    return lines[0]


def copy_fixtures(names: tuple[str, ...] | list[str], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    copies = []
    for name in names:
        target = folder / Path(name).name
        shutil.copyfile(CORPUS / name if not name.endswith(".csv") else CSV_DIR / name, target)
        copies.append(target)
    return copies


def pages(content: Path) -> dict[str, Path]:
    """Reference ID -> page, for every page under content/cables."""
    found = {path.stem: path for path in (content / "cables").rglob("*.md")}
    assert len(found) == len(list((content / "cables").rglob("*.md"))), "two pages, one ID"
    return found


def snapshot(content: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under content/: its bytes and mtime_ns."""
    return {
        str(path.relative_to(content)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(content.rglob("*"))
        if path.is_file()
    }


def tree(content: Path) -> dict[str, bytes]:
    return {name: data for name, (data, _) in snapshot(content).items()}


def assert_no_temporary_files(content: Path) -> None:
    """Writes are atomic: nothing half-written or hidden is left behind."""
    leftovers = [path for path in content.rglob("*")
                 if path.name.endswith(".tmp") or path.name.startswith(".")]
    assert leftovers == []


def load(page: Path) -> tuple[dict, str]:
    return split_page(page.read_text(encoding="utf-8"))


def fence_content(body: str) -> str:
    """The cable-original fence as markdown-it-py (CommonMark) parses the page body."""
    fences = [token for token in MarkdownIt("commonmark").parse(body)
              if token.type == "fence" and token.info == ORIGINAL_FENCE_INFO]
    assert len(fences) == 1
    return fences[0].content


def make_sample_records() -> list[dict[str, str]]:
    """The records written to cables-sample.csv, unescaped (tests/fixtures/csv/make_sample.py)."""
    spec = importlib.util.spec_from_file_location("make_sample", CSV_DIR / "make_sample.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.sample_records()


@pytest.fixture()
def inbox(tmp_path: Path) -> Path:
    """A folder with three raw text cables, three WikiLeaks pages and the CSV sample (16)."""
    folder = tmp_path / "inbox"
    copy_fixtures(RAW_TXT, folder / "txt")
    copy_fixtures(HTML, folder / "html")
    copy_fixtures(["cables-sample.csv"], folder / "csv")
    return folder


def inbox_ids() -> set[str]:
    return {Path(name).stem for name in RAW_TXT + HTML} | set(CSV_IDS)


# -- a first import, and importing again -------------------------------------------------------


def test_import_writes_one_page_per_cable(capsys, tmp_path: Path, inbox: Path) -> None:
    content = tmp_path / "content"
    status, stderr = gen(capsys, "import", inbox, "--content", content)

    assert status == 0, stderr
    assert summary_line(stderr).startswith("imported 16 cables: 16 created in ")
    assert "error" not in stderr
    found = pages(content)
    assert set(found) == inbox_ids()
    for reference_id, page in found.items():
        matter, _ = load(page)
        assert matter["reference_id"] == reference_id
        created = matter["created"]
        assert re.match(r"^\d{4}-\d{2}-\d{2}", created), (reference_id, created)
        relative = page.relative_to(content).as_posix()
        assert relative == f"cables/{created[:4]}/{created[5:7]}/{reference_id}.md"
        assert is_unedited(page.read_text(encoding="utf-8"))
    formats = {load(page)[0]["source"]["format"] for page in found.values()}
    assert formats == {"text", "wikileaks-html", "csv"}
    assert_no_temporary_files(content)


def test_reimport_changes_nothing(capsys, tmp_path: Path, inbox: Path) -> None:
    content = tmp_path / "content"
    assert gen(capsys, "import", inbox, "--content", content)[0] == 0
    before = snapshot(content)

    status, stderr = gen(capsys, "import", inbox, "--content", content)

    assert status == 0, stderr
    assert summary_line(stderr).startswith("imported 16 cables: 16 unchanged in ")
    assert snapshot(content) == before  # same bytes, same mtime_ns: not even rewritten
    assert_no_temporary_files(content)


def test_edited_page_is_kept_unless_forced(capsys, tmp_path: Path, inbox: Path) -> None:
    content = tmp_path / "content"
    assert gen(capsys, "import", inbox, "--content", content)[0] == 0
    page = pages(content)["07KINGSTON382"]
    as_imported = page.read_bytes()
    edited = as_imported.decode("utf-8") + "\nA note the archivist added.\n"
    page.write_text(edited, encoding="utf-8")

    status, stderr = gen(capsys, "import", inbox, "--content", content)

    assert status == 0, stderr  # an edited page is not an error
    kept = [line for line in stderr.splitlines() if line.startswith("kept")]
    assert len(kept) == 1 and str(page) in kept[0] and "--force" in kept[0], stderr
    summary = summary_line(stderr)
    assert "15 unchanged" in summary
    assert "1 edited pages kept (use --force to replace)" in summary
    assert page.read_text(encoding="utf-8") == edited

    status, stderr = gen(capsys, "import", inbox, "--content", content, "--force")

    assert status == 0, stderr
    assert "1 overwritten" in summary_line(stderr) and "kept" not in stderr
    assert page.read_bytes() == as_imported
    assert_no_temporary_files(content)


def test_changed_input_updates_an_unedited_page(capsys, tmp_path: Path, inbox: Path) -> None:
    content = tmp_path / "content"
    assert gen(capsys, "import", inbox, "--content", content)[0] == 0
    page = pages(content)["09PARIS1052"]
    assert load(page)[0]["subject"] == "FRANCE - COUNTER TORTURE INITIATIVES"
    source = inbox / "txt" / "09PARIS1052.txt"
    data = source.read_bytes()
    assert data.count(b"SUBJECT: FRANCE - COUNTER TORTURE INITIATIVES") == 1
    source.write_bytes(data.replace(b"SUBJECT: FRANCE - COUNTER TORTURE INITIATIVES",
                                    b"SUBJECT: FRANCE - NEW COUNTER TORTURE INITIATIVES"))
    others = {name: value for name, value in snapshot(content).items()
              if not name.endswith("09PARIS1052.md")}

    status, stderr = gen(capsys, "import", inbox, "--content", content)

    assert status == 0, stderr
    summary = summary_line(stderr)
    assert "1 updated" in summary and "15 unchanged" in summary
    matter, body = load(page)
    assert matter["subject"] == "FRANCE - NEW COUNTER TORTURE INITIATIVES"
    assert "NEW COUNTER TORTURE" in original_text(body)
    assert is_unedited(page.read_text(encoding="utf-8"))
    assert {name: value for name, value in snapshot(content).items()
            if not name.endswith("09PARIS1052.md")} == others
    assert_no_temporary_files(content)


def test_pages_get_the_usual_file_mode(capsys, tmp_path: Path, inbox: Path) -> None:
    probe = tmp_path / "probe.md"
    probe.write_text("x", encoding="utf-8")  # what any other program would create here
    expected = probe.stat().st_mode & 0o777
    content = tmp_path / "content"
    assert gen(capsys, "import", inbox, "--content", content)[0] == 0
    modes = {page.stat().st_mode & 0o777 for page in pages(content).values()}
    assert modes == {expected}, f"{sorted(oct(mode) for mode in modes)} != {oct(expected)}"


# -- duplicates ------------------------------------------------------------------------------


def test_duplicate_text_cable_keeps_the_first(capsys, tmp_path: Path) -> None:
    first = copy_fixtures(["raw-txt/09PARIS1052.txt"], tmp_path / "a")[0]
    second = copy_fixtures(["raw-txt/09PARIS1052.txt"], tmp_path / "b")[0]
    second.write_bytes(second.read_bytes().replace(b"COUNTER TORTURE", b"SECOND COPY"))
    content = tmp_path / "content"

    status, stderr = gen(capsys, "import", tmp_path / "a", tmp_path / "b", "--content", content)

    assert status == 0, stderr
    duplicate = [line for line in stderr.splitlines() if "duplicate reference ID " in line]
    assert len(duplicate) == 1, stderr
    assert "09PARIS1052" in duplicate[0]
    assert str(first) in duplicate[0] and str(second) in duplicate[0]
    summary = summary_line(stderr)
    assert "1 created" in summary and "1 duplicate reference IDs skipped" in summary
    [page] = pages(content).values()
    assert load(page)[0]["subject"] == "FRANCE - COUNTER TORTURE INITIATIVES"  # the first one


def test_duplicate_between_a_page_and_a_csv_row(capsys, tmp_path: Path) -> None:
    [page_file] = copy_fixtures(["wikileaks-html/06LAPAZ417.html"], tmp_path / "in")
    [csv_file] = copy_fixtures(["cables-sample.csv"], tmp_path / "in")
    content = tmp_path / "content"

    # Named in this order, the page comes first and the CSV row is the duplicate.
    status, stderr = gen(capsys, "import", page_file, csv_file, "--content", content)

    assert status == 0, stderr
    duplicate = [line for line in stderr.splitlines() if "duplicate reference ID " in line]
    assert len(duplicate) == 1, stderr
    assert "06LAPAZ417" in duplicate[0]
    assert f"{csv_file}, row 1" in duplicate[0] and str(page_file) in duplicate[0]
    summary = summary_line(stderr)
    assert "10 created" in summary and "1 duplicate reference IDs skipped" in summary
    matter, _ = load(pages(content)["06LAPAZ417"])
    assert matter["source"] == {"format": "wikileaks-html", "file": "06LAPAZ417.html"}


# -- bad inputs ------------------------------------------------------------------------------


def _bad_inputs(folder: Path) -> dict[str, Path]:
    """Write one bad input of each kind into `folder`; name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    bad = {
        "empty": folder / "empty.txt",
        "binary": folder / "09PARIS9999.txt",
        "not-a-cable": folder / "index.html",
        "truncated": folder / "10ROME87.html",
        "cut-in-text": folder / "10RABAT22.html",
        "csv": folder / "dump.csv",
    }
    bad["empty"].write_bytes(b"")
    bad["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    bad["not-a-cable"].write_text(
        "<!DOCTYPE html>\n<html><head><title>Cables</title></head>\n"
        "<body><h1>Browse by date</h1><p>Nothing here.</p></body></html>\n", encoding="utf-8")
    page = (CORPUS / "wikileaks-html/10ROME87.html").read_bytes()
    bad["truncated"].write_bytes(page[: int(len(page) * 0.6)])
    page = (CORPUS / "wikileaks-html/10RABAT22.html").read_bytes()
    body_start, body_end = page.rindex(b"<pre"), page.rindex(b"</pre>")
    bad["cut-in-text"].write_bytes(page[: (body_start + body_end) // 2])  # inside the body
    # One good record (06LAPAZ417, the first row of the sample), then one with three columns.
    sample = CSV_SAMPLE.read_bytes()
    second_record = re.search(rb'\n"\d+","', sample).start() + 1
    bad["csv"].write_bytes(
        sample[:second_record]
        + b'"2","7/29/2009 14:42","09KHARTOUM881"\n'
    )
    return bad


def test_bad_inputs_are_reported_and_good_ones_imported(tmp_path: Path) -> None:
    good = copy_fixtures(RAW_TXT + HTML[:2], tmp_path / "inbox")
    bad = _bad_inputs(tmp_path / "inbox")
    unknown = tmp_path / "notes.pdf"
    unknown.write_bytes(b"%PDF-1.4\n")
    missing = tmp_path / "no-such-folder" / "10ROME1.html"
    content = tmp_path / "content"

    result = gen_subprocess(tmp_path, "import", tmp_path / "inbox", unknown, missing,
                            "--content", content)

    stderr = result.stderr
    assert result.returncode == 1, stderr
    assert result.stdout == ""
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    for name, path in bad.items():
        if name == "csv":
            continue
        assert sum(str(path) in line for line in errors) == 1, (name, stderr)
    csv_errors = [line for line in errors if str(bad["csv"]) in line]
    assert len(csv_errors) == 1 and ", row 2" in csv_errors[0], stderr
    assert "column" in csv_errors[0]
    assert sum(str(unknown) in line for line in errors) == 1, stderr
    assert "unknown file type" in next(line for line in errors if str(unknown) in line)
    assert sum(str(missing) in line for line in errors) == 1, stderr
    assert "no such file" in next(line for line in errors if str(missing) in line)
    assert "truncated" in next(line for line in errors if str(bad["truncated"]) in line)
    assert "truncated" in next(line for line in errors if str(bad["cut-in-text"]) in line)
    assert len(errors) == 8, stderr

    summary = summary_line(stderr)
    assert "6 created" in summary and "8 cables could not be read" in summary
    written = pages(content)
    assert set(written) == {path.stem for path in good} | {"06LAPAZ417"}
    assert not {"10ROME87", "10RABAT22", "09PARIS9999"} & set(written)
    assert_no_temporary_files(content)


def test_nothing_but_a_missing_path(capsys, tmp_path: Path) -> None:
    status, stderr = gen(capsys, "import", tmp_path / "missing", "--content", tmp_path / "c")
    assert status == 1
    assert f"{tmp_path / 'missing'}: no such file or directory" in stderr
    assert "1 cables could not be read" in summary_line(stderr)
    assert not (tmp_path / "c" / "cables").exists()


# -- the whole corpus ------------------------------------------------------------------------


def corpus_files() -> list[Path]:
    return sorted(path for path in CORPUS.rglob("*") if path.suffix in (".txt", ".html"))


@pytest.fixture(scope="module")
def corpus_import(tmp_path_factory) -> tuple[Path, int, str]:
    """All of tests/fixtures/corpus and the CSV sample, imported once with two workers."""
    content = tmp_path_factory.mktemp("corpus") / "content"
    status, stderr = gen_quietly("import", CORPUS, CSV_SAMPLE, "--content", content,
                                 "--jobs", "2")
    return content, status, stderr


@pytest.fixture(scope="module")
def csv_import(tmp_path_factory) -> tuple[Path, int, str]:
    """The CSV sample alone (in the corpus run its rows are duplicates of the pages)."""
    content = tmp_path_factory.mktemp("csv") / "content"
    status, stderr = gen_quietly("import", CSV_SAMPLE, "--content", content, "--jobs", "1")
    return content, status, stderr


def test_every_corpus_cable_imports(corpus_import) -> None:
    content, status, stderr = corpus_import
    assert status == 0, stderr
    assert "error" not in stderr
    files = corpus_files()
    summary = summary_line(stderr)
    assert summary.startswith(f"imported {len(files)} cables: {len(files)} created, ")
    # Every CSV row is also a page of the corpus, and the corpus comes first.
    assert "10 duplicate reference IDs skipped" in summary
    assert set(pages(content)) == {path.stem for path in files}
    assert_no_temporary_files(content)


def test_csv_sample_imports(csv_import) -> None:
    content, status, stderr = csv_import
    assert status == 0, stderr
    assert summary_line(stderr).startswith("imported 10 cables: 10 created in ")
    assert set(pages(content)) == set(CSV_IDS)


def _check_station(station) -> None:
    assert isinstance(station, dict) and isinstance(station["name"], str)
    assert set(station) <= {"name", "routing", "precedence", "serial"}
    assert all(isinstance(value, str) for value in station.values())


def _check_optional(value, kind) -> None:
    assert value is None or isinstance(value, kind), value


def check_front_matter(matter: dict, reference_id: str) -> None:
    assert set(matter) == set(FRONT_MATTER_KEYS), set(matter) ^ set(FRONT_MATTER_KEYS)
    assert matter["reference_id"] == reference_id
    for key in ("created", "released"):
        _check_optional(matter[key], str)
        assert matter[key] is None or re.match(r"^\d{4}-\d{2}-\d{2}", matter[key])
    for key in ("classification", "origin", "precedence", "transmission_id", "subject",
                "signer", "summary"):
        _check_optional(matter[key], str)
    for key in ("captions", "handling"):
        assert isinstance(matter[key], list)
        assert all(isinstance(item, str) for item in matter[key])
    if matter["from"] is not None:
        _check_station(matter["from"])
    for key in ("to", "info"):
        assert isinstance(matter[key], list)
        for station in matter[key]:
            _check_station(station)
    for key in ("eo12958", "classified_by"):
        _check_optional(matter[key], dict)
        if matter[key] is not None:
            assert isinstance(matter[key]["text"], str)
    assert isinstance(matter["tags"], list)
    for tag in matter["tags"]:
        assert isinstance(tag, dict) and set(tag) <= {"code", "kind", "name"}
        assert isinstance(tag["code"], str) and tag["kind"] in TAG_KINDS
        _check_optional(tag.get("name"), str)
    assert isinstance(matter["references"], list)
    for reference in matter["references"]:
        assert isinstance(reference, dict) and set(reference) <= {"letter", "reference_id", "text"}
        assert isinstance(reference["text"], str)
        _check_optional(reference.get("letter"), str)
        _check_optional(reference.get("reference_id"), str)
    assert isinstance(matter["partial"], bool)
    assert matter["sections"] is None or type(matter["sections"]) is int
    source = matter["source"]
    assert source["format"] in ("text", "wikileaks-html", "csv")
    assert isinstance(source["file"], str) and "/" not in source["file"]
    if source["format"] == "csv":
        assert type(source["row"]) is int
    else:
        assert set(source) == {"format", "file"}
    assert re.fullmatch(r"[0-9a-f]{64}", matter["import_digest"])


def test_front_matter_has_every_documented_key(corpus_import, csv_import) -> None:
    for content, _, _ in (corpus_import, csv_import):
        for reference_id, page in pages(content).items():
            text = page.read_text(encoding="utf-8")
            assert is_unedited(text), page
            matter, _ = split_page(text)
            check_front_matter(matter, reference_id)


def test_some_front_matter_values(corpus_import) -> None:
    """Spot checks that the types above hold real values, not just nulls."""
    content, _, _ = corpus_import
    found = pages(content)
    matter, _ = load(found["06LAPAZ417"])
    assert matter["created"].startswith("2006-02-16T23:")
    assert matter["classification"] == "CONFIDENTIAL"
    assert matter["sections"] == 3 and matter["partial"] is False
    assert matter["from"] == {"name": "AMEMBASSY LA PAZ", "routing": "RUEHLP"}
    assert matter["to"][0]["serial"] == "8110"  # a string, not a number
    assert {"code": "BL", "kind": "country", "name": "Bolivia"} in matter["tags"]
    assert matter["references"] == [{"reference_id": "06LAPAZ406", "text": "LA PAZ 0406"}]
    assert matter["source"] == {"format": "wikileaks-html", "file": "06LAPAZ417.html"}
    assert load(found["00HARARE6677"])[0]["partial"] is True


def _expected_original(path: Path) -> str:
    """The cable text as received, newlines normalised, computed without the readers."""
    data = path.read_bytes()
    if path.parent.name == "raw-txt":
        return data.decode("latin-1").replace("\r\n", "\n")
    assert path.parent.name == "markdown-text"
    return data.decode("utf-8").replace("\r\n", "\n")


def test_original_text_is_recoverable(corpus_import) -> None:
    content, _, _ = corpus_import
    found = pages(content)
    for path in corpus_files():
        [raw] = list(iter_raw_cables([path]))
        assert isinstance(raw, RawCable), raw
        if path.suffix == ".txt":
            assert raw.original == _expected_original(path), path
        else:  # the header <pre> and the body <pre> joined by a blank line
            assert raw.header and raw.body, path
            assert raw.original == raw.header + "\n\n" + raw.body
        _, body = load(found[path.stem])
        assert original_text(body) == raw.original, path
        assert fence_content(body) == raw.original + "\n", path


def test_original_text_of_csv_rows_is_recoverable(csv_import) -> None:
    content, _, _ = csv_import
    found = pages(content)
    records = make_sample_records()
    assert [record["reference_id"] for record in records] == list(CSV_IDS)
    for record in records:
        original = record["header"] + "\n\n" + record["body"] if record["header"] \
            else record["body"]
        _, body = load(found[record["reference_id"]])
        assert original_text(body) == original, record["reference_id"]
        assert fence_content(body) == original + "\n", record["reference_id"]


def test_one_job_and_two_jobs_write_the_same_tree(corpus_import, tmp_path: Path) -> None:
    parallel, status, _ = corpus_import
    assert status == 0
    inline = tmp_path / "content"
    status, stderr = gen_quietly("import", CORPUS, CSV_SAMPLE, "--content", inline,
                                 "--jobs", "1")
    assert status == 0, stderr
    one, two = tree(inline), tree(parallel)
    assert len(one) == len(corpus_files())
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []
    assert_no_temporary_files(inline)


def test_jobs_agree_through_the_command_line(tmp_path: Path, inbox: Path) -> None:
    """`-j 1` and `-j 2` in real processes: same pages, same summary, exit 0."""
    runs = {}
    for jobs in ("1", "2"):
        content = tmp_path / f"content-{jobs}"
        result = gen_subprocess(tmp_path, "import", inbox, "--content", content, "-j", jobs)
        assert result.returncode == 0, result.stderr
        runs[jobs] = (tree(content), summary_line(result.stderr).split(" in ")[0])
        assert_no_temporary_files(content)
    assert runs["1"] == runs["2"]
    assert runs["1"][1] == "imported 16 cables: 16 created"
