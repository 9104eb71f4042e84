"""Golden output: the fixture project tests/fixtures/golden-site/ (five real cables, two a page)
built with SOURCE_DATE_EPOCH=0 must equal tests/fixtures/golden-site/expected/ file by file,
names and bytes.

When the output changes on purpose, update expected/ with

    .venv/bin/python tests/update_golden.py

and review the diff before committing it.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from sitecheck import Site, tree_hash
from update_golden import EXPECTED, PROJECT, build_golden

UPDATE = "run `.venv/bin/python tests/update_golden.py` if the change is intended"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_golden(tmp_path_factory.mktemp("golden") / "site")


def first_difference(expected: Path, actual: Path, name: str) -> str:
    """A unified diff of one file (or a note that it is binary)."""
    old, new = (expected / name).read_bytes(), (actual / name).read_bytes()
    try:
        old_lines = old.decode("utf-8").splitlines(keepends=True)
        new_lines = new.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return f"{name}: binary files differ ({len(old)} and {len(new)} bytes)"
    diff = difflib.unified_diff(old_lines, new_lines, fromfile=f"expected/{name}",
                                tofile=f"built/{name}", n=2)
    text = "".join(diff)
    return text if len(text) < 6000 else text[:6000] + "\n… (diff cut)"


def test_fixture_project_is_in_place() -> None:
    assert (PROJECT / "gen.yaml").is_file()
    assert len(list((PROJECT / "content" / "cables").rglob("*.md"))) == 5
    assert EXPECTED.is_dir(), f"no expected/ folder: {UPDATE}"


def test_built_site_matches_expected(built: Path) -> None:
    expected, actual = tree_hash(EXPECTED), tree_hash(built)
    missing = sorted(expected.keys() - actual.keys())
    extra = sorted(actual.keys() - expected.keys())
    assert not missing and not extra, (
        f"file names differ: not built {missing[:10]}, not expected {extra[:10]}; {UPDATE}")
    differing = sorted(name for name in expected if expected[name] != actual[name])
    if differing:
        pytest.fail(f"{len(differing)} file(s) differ from expected/: {differing[:10]}; "
                    f"{UPDATE}\n\n{first_difference(EXPECTED, built, differing[0])}",
                    pytrace=False)


def test_expected_site_is_sound() -> None:
    """The golden files themselves: links resolve, pagination and citations are shown."""
    site = Site(EXPECTED)
    assert not site.broken_links()
    oslo_670 = site.page("cable/2008/12/08OSLO670.html").doc
    refs = oslo_670.find("section", cls="refs")
    assert refs is not None
    linked = [a.attrs.get("href") for a in refs.find_all("a")]
    assert linked == ["/cable/2008/11/08OSLO629.html", "/cable/2008/10/08OSLO585.html"]
    cited = site.page("cable/2008/10/08OSLO585.html").doc.find("section", cls="cited-by")
    assert cited is not None
    assert {a.attrs.get("href") for a in cited.find_all("a", cls="entry-link")} == {
        "/cable/2008/11/08OSLO629.html", "/cable/2008/12/08OSLO670.html"}
    # Further pages are named by their oldest cable.
    assert site.exists("origin/embassy-oslo/page/08OSLO461/index.html")
    assert site.exists("date/2008/page/08VLADIVOSTOK68/index.html")
