"""Incremental builds (issue #5): after each edit to a copy of the sample archive, a build that
uses the cache must leave site/ byte-identical to a clean build of the same project, and must
render only what the edit affects.

Every test runs twice: with builds as `gen build` makes them (the cache saved and loaded each
time), and as `gen serve` makes them (one BuildSession, told which paths changed).
"""

from __future__ import annotations

import dataclasses
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from generator import builder, output
from generator.builder import BuildError, BuildReport, BuildSession, build_site
from generator.cache import BuildCache
from generator.config import SiteConfig, load_config
from generator.output import StagedOutput, journal_path, recover
from generator.search.patch import PARALLEL_CABLES
from generator.structure.paging import page_ends, page_marks

ROOT = Path(__file__).resolve().parent.parent
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)


@pytest.fixture(autouse=True)
def fixed_build_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


class Builds:
    """Builds of one project: each its own (`gen build`), or all in one session (`gen serve`),
    which is given the paths changed since its last build, as gen serve's watcher finds them,
    and prepares the next build after each."""

    def __init__(self, project: Path, in_session: bool) -> None:
        self.project = project
        self.session = BuildSession() if in_session else None
        self.files: dict[str, tuple[int, int]] | None = None  # as the last build saw them

    def _files(self) -> dict[str, tuple[int, int]]:
        found = {}
        for path in self.project.rglob("*"):
            if path.is_file() and not path.relative_to(self.project).parts[0].startswith(
                    (".", "site", "clean")):
                status = path.stat()
                found[str(path)] = (status.st_mtime_ns, status.st_size)
        return found

    def build(self, **options: object) -> BuildReport:
        config = load_config(self.project)
        if self.session is None:
            return build_site(config, jobs=2, **options)  # type: ignore[arg-type]
        now = self._files()
        before, self.files = self.files, now
        changes = None if before is None else sorted(
            path for path in now.keys() | before.keys() if now.get(path) != before.get(path))
        report = self.session.build(config, jobs=2, changes=changes,
                                    **options)  # type: ignore[arg-type]
        self.session.prepare()  # as gen serve does when builds pause
        return report

    def save(self) -> None:
        """The session's cache saved, as gen serve saves it when builds pause (gen build's
        builds save theirs)."""
        if self.session is not None:
            self.session.save()

    def new_session(self) -> None:
        """Start the session anew, as gen serve started again (gen build's builds: nothing)."""
        if self.session is not None:
            self.session, self.files = BuildSession(), None

    def restart(self) -> None:
        """A new session and its first build (after site/ was changed behind its back)."""
        if self.session is not None:
            self.new_session()
            self.build()


BUILDS: dict[Path, Builds] = {}


def sample_project(folder: Path) -> Path:
    """A copy of the bundled sample archive and its config in `folder`."""
    shutil.copytree(ROOT / "content", folder / "content")
    shutil.copy(ROOT / "gen.yaml", folder / "gen.yaml")
    return folder


@pytest.fixture(scope="module", params=["gen build", "gen serve"])
def project(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = sample_project(tmp_path_factory.mktemp("incremental") / "project")
    BUILDS[folder] = Builds(folder, in_session=request.param == "gen serve")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        BUILDS[folder].build()
    return folder


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def folders(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_dir()}


def clean_build(config: SiteConfig, tmp_path: Path) -> Path:
    clean = dataclasses.replace(config, output_dir=str(tmp_path / "clean-site"),
                                cache_dir=str(tmp_path / "clean-cache"))
    build_site(clean, jobs=2, clean=True)
    return tmp_path / "clean-site"


def assert_same_as_clean(project: Path, tmp_path: Path) -> BuildReport:
    report = BUILDS[project].build()
    assert report.incremental
    expected = clean_build(load_config(project), tmp_path)
    got, want = tree(project / "site"), tree(expected)
    assert sorted(got) == sorted(want)
    different = [name for name in want if got[name] != want[name]]
    assert not different, different[:10]
    assert folders(project / "site") == folders(expected)
    return report


def pages(project: Path) -> dict[str, Path]:
    """Reference ID -> content file."""
    found = {}
    for path in (project / "content" / "cables").rglob("*.md"):
        match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
        assert match
        found[yaml.safe_load(match.group(1))["reference_id"]] = path
    return found


def front(path: Path) -> dict:
    match = FRONT_MATTER.match(path.read_text(encoding="utf-8"))
    assert match
    return yaml.safe_load(match.group(1))


def edit(path: Path, change: Callable[[str], str]) -> None:
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text
    path.write_text(changed, encoding="utf-8")


def cited_pair(project: Path) -> tuple[Path, Path]:
    """(a cable cited by another cable of the archive, the citing cable)."""
    by_id = pages(project)
    for path in sorted(by_id.values()):
        for reference in front(path).get("references") or []:
            cited = reference.get("reference_id")
            if cited in by_id and by_id[cited] != path:
                return by_id[cited], path
    raise AssertionError("the sample has no cable citing another")


def test_nothing_changed_renders_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    before = tree(project / "site")
    report = assert_same_as_clean(project, tmp_path)
    assert (report.rendered, report.changed, report.removed, report.indexed) == (0, 0, 0, 0)
    assert tree(project / "site") == before


def test_change_a_subject(project: Path, tmp_path: Path) -> None:
    cited, citing = cited_pair(project)
    edit(cited, lambda t: re.sub(r"(?m)^subject: .*$", "subject: A <b>new</b> subject", t,
                                 count=1))
    report = assert_same_as_clean(project, tmp_path)
    # its page, the page citing it, its neighbours, the lists it is on, the home page
    assert 2 <= report.rendered < 40, report
    assert report.indexed == 1  # the search index patched, not made again
    # An edit in place: only the pages it can change are looked at (gen build reads every
    # page's file status; a session, told what changed, not even that).
    assert report.checked < 60, report
    citing_html = next((project / "site" / "cable").rglob(citing.stem + ".html"))
    assert "A &lt;b&gt;new&lt;/b&gt; subject" in citing_html.read_text(encoding="utf-8")


def test_changed_files_are_overwritten_in_place_unless_linked(project: Path,
                                                             tmp_path: Path) -> None:
    """A changed file is written into the file already in site/ (freeing blocks is slow on
    some file systems), unless that file has another name: a hard-linked backup keeps its
    bytes."""
    cited, citing = cited_pair(project)
    cited_html = next((project / "site" / "cable").rglob(cited.stem + ".html"))
    citing_html = next((project / "site" / "cable").rglob(citing.stem + ".html"))
    backup = tmp_path / "backup.html"
    os.link(citing_html, backup)
    kept = backup.read_bytes()
    inode = cited_html.stat().st_ino
    edit(cited, lambda t: re.sub(r"(?m)^subject: .*$", "subject: Overwritten in place", t,
                                 count=1))
    assert_same_as_clean(project, tmp_path)
    assert "Overwritten in place" in cited_html.read_text(encoding="utf-8")
    assert cited_html.stat().st_ino == inode
    assert "Overwritten in place" in citing_html.read_text(encoding="utf-8")
    assert backup.read_bytes() == kept and citing_html.stat().st_ino != backup.stat().st_ino


def test_an_edit_in_place_checks_only_the_list_pages_showing_it(project: Path,
                                                                  tmp_path: Path) -> None:
    """An edited cable's build checks one page of each list it stays in (the one showing it),
    not every page of a list hundreds of pages long at 251k cables."""
    matters = {path: front(path) for path in sorted(pages(project).values())}
    tags = Counter(tag["code"] for matter in matters.values() for tag in matter["tags"])
    biggest = max(sorted(tags), key=tags.__getitem__)
    # Its oldest cable: on the last page of the tag's list, newest first.
    path = min((path for path, matter in matters.items()
                if biggest in {tag["code"] for tag in matter["tags"]}),
               key=lambda path: (str(matters[path]["created"]), matters[path]["reference_id"]))
    lists = len(matters[path]["tags"]) + 4  # and its post, classification, year, month
    list_pages = len(list((project / "site" / "tag" / biggest).rglob("index.html")))
    assert list_pages > 1, biggest
    edit(path, lambda t: re.sub(r"(?m)^subject: .*$", "subject: Edited again", t, count=1))
    report = assert_same_as_clean(project, tmp_path)
    # Its page and up to two neighbours and the cables citing or cited by it.
    cables = 3 + len(matters[path].get("references") or []) + 5
    assert report.checked <= lists + cables < lists + list_pages - 1 + cables, report


def test_add_a_tag(project: Path, tmp_path: Path) -> None:
    path = sorted(pages(project).values())[10]
    edit(path, lambda t: t.replace("\ntags:\n", "\ntags:\n- code: KNEWTAG\n  kind: program\n"
                                   "  name: A new program\n", 1))
    report = assert_same_as_clean(project, tmp_path)
    assert (project / "site" / "tag" / "KNEWTAG" / "index.html").is_file()
    assert report.rendered < 40, report
    assert report.indexed == 1
    assert report.checked > 600, report  # a new tag: every page is looked at


def test_move_a_cable_to_another_post_and_drop_a_tag(project: Path, tmp_path: Path) -> None:
    matters = {path: front(path) for path in sorted(pages(project).values())}
    posts = Counter(matter["origin"] for matter in matters.values())
    tags = Counter(tag["code"] for matter in matters.values() for tag in matter["tags"])
    # Its post and its tag keep other cables, and it joins a post that has some: no list
    # appears or disappears.
    path = next(path for path, matter in matters.items() if posts[matter["origin"]] > 2
                and matter["tags"] and tags[matter["tags"][0]["code"]] > 2)
    other = next(post for post in sorted(posts) if post != matters[path]["origin"])
    edit(path, lambda t: re.sub(r"(?m)^origin: .*$", f"origin: {other}", t, count=1))
    edit(path, lambda t: re.sub(r"(?m)^- code: (\w+)\n(  \w+: .*\n)*", "", t, count=1))
    report = assert_same_as_clean(project, tmp_path)
    assert report.checked < 200, report


@pytest.mark.parametrize("mode", ["gen build", "gen serve"])
def test_an_edit_in_place_that_drops_and_adds_a_list_page(mode: str, tmp_path: Path) -> None:
    """A cable leaves a tag whose list then fits one page, and comes back: the second page
    goes and comes back with it (and with the sitemap), as in a clean build."""
    project = sample_project(tmp_path / "project")
    matters = {path: front(path) for path in sorted(pages(project).values())}
    tagged: dict[str, list[dict]] = {}
    for matter in matters.values():
        for tag in matter["tags"]:
            tagged.setdefault(tag["code"], []).append(matter)

    def two_pages(code: str) -> bool:
        """Whether the tag's list is two pages at a page size of one cable fewer."""
        members = sorted(tagged[code], key=lambda m: (m["created"] or "9999", m["reference_id"]))
        size = len(members) - 1
        marks = page_marks((m["reference_id"] for m in members), size)
        return len(page_ends(range(len(members)), marks, size)) == 2

    path, tag = next((path, matter["tags"][0]["code"]) for path, matter in matters.items()
                     if matter["tags"] and 5 <= len(tagged[matter["tags"][0]["code"]]) <= 30
                     and re.fullmatch(r"[A-Z]+", matter["tags"][0]["code"])
                     and two_pages(matter["tags"][0]["code"]))
    oldest = min(tagged[tag], key=lambda m: (m["created"] or "9999", m["reference_id"]))
    config = project / "gen.yaml"  # one cable more than a page: two pages
    config.write_text(config.read_text("utf-8") + f"\npage_size: {len(tagged[tag]) - 1}\n",
                      "utf-8")
    BUILDS[project] = builds = Builds(project, in_session=mode == "gen serve")
    builds.build()
    last_page = project / "site" / "tag" / tag / "page" / oldest["reference_id"] / "index.html"
    assert last_page.is_file()
    text = path.read_text(encoding="utf-8")
    edit(path, lambda t: re.sub(r"(?m)^- code: (\w+)\n(  \w+: .*\n)*", "", t, count=1))
    report = assert_same_as_clean(project, tmp_path / "dropped")
    assert not last_page.exists()
    assert report.removed >= 1 and report.checked < 200, report  # an edit in place
    edit(path, lambda _t: text)
    report = assert_same_as_clean(project, tmp_path / "added")
    assert last_page.is_file()
    assert report.checked < 200, report


def test_a_post_whose_cables_change_country(project: Path, tmp_path: Path) -> None:
    """The posts page groups posts by country, from their cables' country tags; a new gen
    build takes the other posts' countries from the cache (they would take 0.3 s at 251k)."""
    matters = {path: front(path) for path in sorted(pages(project).values())}

    def country_codes(path: Path) -> list[str]:
        return [tag["code"] for tag in matters[path]["tags"] if tag.get("kind") == "country"]

    countries: dict[str, dict] = {}  # code -> the tag as written
    posts_of: dict[str, set[str]] = {}  # code -> the posts whose cables carry it
    by_post: dict[str, list[Path]] = {}
    for path, matter in matters.items():
        by_post.setdefault(matter["origin"], []).append(path)
        for tag in matter["tags"]:
            if tag.get("kind") == "country":
                countries.setdefault(tag["code"], tag)
                posts_of.setdefault(tag["code"], set()).add(matter["origin"])
    # A post whose cables all carry one country tag, the same, which other posts' cables carry
    # too: moving them to another country makes no tag list appear or disappear (an edit in
    # place).
    post, old = next((post, codes.pop()) for post, paths in sorted(by_post.items())
                     if all(len(country_codes(path)) == 1 for path in paths)
                     and len(codes := {country_codes(path)[0] for path in paths}) == 1
                     and len(posts_of[next(iter(codes))]) > 1)
    new = next(code for code in sorted(countries) if code != old and countries[code].get("name"))
    before = (project / "site" / "posts" / "index.html").read_bytes()
    for path in by_post[post]:
        edit(path, lambda text: re.sub(
            rf"(?m)^- code: {old}\n  kind: country\n(  name: .*\n)?",
            f"- code: {new}\n  kind: country\n  name: {countries[new]['name']}\n", text))
    report = assert_same_as_clean(project, tmp_path)
    assert (project / "site" / "posts" / "index.html").read_bytes() != before
    assert report.checked < 600, report  # an edit in place


def test_add_a_reference(project: Path, tmp_path: Path) -> None:
    by_id = pages(project)
    target = sorted(by_id)[0]
    path = by_id["07TASHKENT477"]
    edit(path, lambda t: t.replace(
        "\nreferences: []\n", f"\nreferences:\n- reference_id: {target}\n  text: added\n", 1))
    assert assert_same_as_clean(project, tmp_path).indexed == 1
    cited_page = next((project / "site" / "cable").rglob(f"{target}.html"))
    assert "07TASHKENT477" in cited_page.read_text(encoding="utf-8")  # now cited by it


def add_copy_of_a_cable(project: Path) -> Path:
    """A new cable page, 07TASHKENT9999: a copy of 07TASHKENT477 under that ID."""
    source = pages(project)["07TASHKENT477"]
    added = source.with_name("07TASHKENT9999.md")
    added.write_text(source.read_text(encoding="utf-8").replace(
        "reference_id: 07TASHKENT477", "reference_id: 07TASHKENT9999"), encoding="utf-8")
    return added


def list_of(page: str) -> str:
    """The list a list page belongs to: `tag/PHUM/page/<ID>/index.html` -> `tag/PHUM/`."""
    return page.split("page/")[0] if "/page/" in page else page.rsplit("/", 1)[0] + "/"


def test_a_cable_added_changes_only_the_list_pages_around_it(tmp_path: Path) -> None:
    """Pages end at cables chosen by their IDs, not every page_size cables: a cable added to
    a list of many pages changes its first page (the count), the page it lands on and the
    pagers of a few neighbours, not every older page as numbered pages would."""
    project = sample_project(tmp_path / "project")
    config = project / "gen.yaml"
    config.write_text(config.read_text("utf-8") + "\npage_size: 10\n", "utf-8")
    BUILDS[project] = Builds(project, in_session=False)
    BUILDS[project].build()
    before = tree(project / "site")
    source = pages(project)["07PARIS186"]  # 2007-01, PREL: in the middle of its lists
    added = source.with_name("07PARIS9999.md")
    added.write_text(source.read_text(encoding="utf-8").replace(
        "reference_id: 07PARIS186", "reference_id: 07PARIS9999"), encoding="utf-8")
    assert_same_as_clean(project, tmp_path)
    after = tree(project / "site")
    lists = {list_of(name) for name in after if name.startswith(("tag/", "origin/", "date/"))
             and name.endswith("index.html") and before.get(name) != after.get(name)}
    assert {f"tag/{tag['code']}/" for tag in front(added)["tags"]} | {
        "origin/embassy-paris/", "date/2007/", "date/2007-01/"} == lists
    for folder in lists:
        pages_now = {name for name in after if list_of(name) == folder
                     and name.endswith("index.html")}
        changed = {name for name in pages_now | before.keys()
                   if list_of(name) == folder and before.get(name) != after.get(name)}
        assert len(changed) <= 6, (folder, len(pages_now), sorted(changed))
    # PREL: 470 cables, ~40 pages, most older than the new cable (numbered pages would all
    # have shifted).
    assert len({name for name in after if list_of(name) == "tag/PREL/"}) >= 30


def test_add_and_remove_cables(project: Path, tmp_path: Path) -> None:
    added = add_copy_of_a_cable(project)
    report = assert_same_as_clean(project, tmp_path)
    # No other cable's doc id moves: the index is patched for the new cable alone (made again,
    # it would analyse the pages re-rendered beside it too).
    assert report.indexed == 1, report
    assert report.checked < 200, report  # its pages, its neighbours' and its lists'
    assert next((project / "site" / "cable").rglob("07TASHKENT9999.html"))
    added.unlink()
    removed = sorted(pages(project).values())[-1]
    removed.unlink()
    report = assert_same_as_clean(project, tmp_path)
    assert report.removed >= 2
    assert report.indexed == 0, report
    assert not list((project / "site" / "cable").rglob(f"{removed.stem}.html"))


def test_a_cable_added_with_a_new_tag(project: Path, tmp_path: Path) -> None:
    """A list appears: every page is looked at (other lists' URLs could change with it)."""
    added = add_copy_of_a_cable(project)
    edit(added, lambda t: t.replace("- code: PHUM\n", "- code: ZZNEW\n  kind: subject\n"
                                    "- code: PHUM\n", 1))
    report = assert_same_as_clean(project, tmp_path)
    assert report.checked > 599, report
    assert (project / "site" / "tag" / "ZZNEW" / "index.html").is_file()
    added.unlink()
    assert_same_as_clean(project, tmp_path)


def test_many_cables_added_are_patched_into_the_search_index(project: Path,
                                                              tmp_path: Path) -> None:
    """More cables than PARALLEL_CABLES: their terms' shards are patched by two workers."""
    sources = sorted(pages(project).items())[::40][:12]
    assert len(sources) > PARALLEL_CABLES
    added = []
    for reference_id, source in sources:
        copy = source.with_name(f"{reference_id}X.md")
        copy.write_text(source.read_text(encoding="utf-8").replace(
            f"reference_id: {reference_id}", f"reference_id: {reference_id}X"), "utf-8")
        added.append(copy)
    report = assert_same_as_clean(project, tmp_path)
    assert report.indexed == len(added), report  # patched, not indexed again
    for copy in added:
        copy.unlink()
    report = assert_same_as_clean(project, tmp_path)
    assert report.indexed == 0, report


def test_edit_words_in_and_out_of_the_search_index(project: Path, tmp_path: Path) -> None:
    by_id = pages(project)
    path = by_id["07TASHKENT477"]
    old_word = "uzbekistan"
    assert old_word in path.read_text(encoding="utf-8").lower()
    # A word no other cable has comes in; one it had goes out (from this cable only).
    edit(path, lambda t: re.sub("(?i)uzbekistan", "Zyxwvutania", t))
    report = assert_same_as_clean(project, tmp_path)
    assert report.indexed == 1
    shard = json.loads((project / "site" / "search" / "t" / "z" / "zyx.json").read_text())
    assert shard["zyxwvutania"][0] == 1


def test_a_change_that_moves_the_average_length_makes_the_index_again(project: Path,
                                                                      tmp_path: Path) -> None:
    """Every impact changes: the index cannot be patched, and is made again (from the last
    index's analyses of the other cables: they do not depend on the average)."""
    path = sorted(pages(project).values())[20]
    edit(path, lambda t: t + "\n\nPadding words for the index. " * 20000)
    report = assert_same_as_clean(project, tmp_path)
    assert 1 <= report.indexed < 40, report


def test_change_a_template_and_a_static_file(project: Path, tmp_path: Path) -> None:
    theme = project / "themes" / "default"
    (theme / "templates").mkdir(parents=True, exist_ok=True)
    cable = (ROOT / "themes" / "default" / "templates" / "list.html").read_text("utf-8")
    (theme / "templates" / "list.html").write_text(
        cable.replace("{% block content %}", "{% block content %}<!-- edited list -->", 1),
        encoding="utf-8")
    report = assert_same_as_clean(project, tmp_path)
    lists = sum(1 for p in (project / "site").rglob("index.html")
                if "<!-- edited list -->" in p.read_text(encoding="utf-8"))
    assert lists and report.rendered == lists  # only the list pages
    (theme / "static").mkdir(exist_ok=True)
    (theme / "static" / "style.css").write_text(
        (ROOT / "themes/default/static/style.css").read_text("utf-8") + "\n/* edited */\n",
        encoding="utf-8")
    report = assert_same_as_clean(project, tmp_path)
    assert report.rendered > 599  # every page links the new fingerprinted style sheet
    shutil.rmtree(project / "themes")
    assert_same_as_clean(project, tmp_path)


def test_change_the_config(project: Path, tmp_path: Path) -> None:
    config = project / "gen.yaml"
    config.write_text(config.read_text("utf-8") + "\npage_size: 7\n", encoding="utf-8")
    assert_same_as_clean(project, tmp_path)
    config.write_text(config.read_text("utf-8").replace("\npage_size: 7\n", "\n"), "utf-8")
    assert_same_as_clean(project, tmp_path)


def test_a_failed_build_leaves_site_and_cache_as_they_were(project: Path,
                                                           tmp_path: Path) -> None:
    before = tree(project / "site")
    path = sorted(pages(project).values())[3]
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("\nsubject:", "\nsubject: [unclosed\n  x:", 1), "utf-8")
    with pytest.raises(BuildError, match=re.escape(str(path))):
        BUILDS[project].build()
    assert tree(project / "site") == before
    path.write_text(good, encoding="utf-8")
    report = assert_same_as_clean(project, tmp_path)
    assert report.rendered == 0


def test_an_interrupted_commit_is_completed_by_the_next_build(project: Path,
                                                              tmp_path: Path) -> None:
    site = project / "site"
    # As a commit does before its journal (gen serve saves its cache later: maybe none yet).
    (project / ".gen-cache" / "state.pickle").unlink(missing_ok=True)
    existing, doomed = sorted(site.rglob("*.html"))[:2]
    inode = existing.stat().st_ino
    staged = {existing.relative_to(site).as_posix(): "changed",
              "cable/planted.html": "new",  # into a folder site/ has, and one it has not
              "new/100%/index.html": "deep"}
    with StagedOutput(site, previous={}) as output:  # staged as an incremental build does
        for relative, text in staged.items():
            output.write(relative, text)
    journal_path(site).write_text(json.dumps({
        "staging": str(output.staging), "delete": [doomed.relative_to(site).as_posix()]}),
        "utf-8")
    recover(site)
    for relative, text in staged.items():
        assert (site / relative).read_text(encoding="utf-8") == text
    assert existing.stat().st_ino == inode  # overwritten in place
    assert not doomed.exists() and not output.staging.exists()
    assert not journal_path(site).exists()
    recover(site)  # nothing to do: harmless
    report = build_site(load_config(project), jobs=2)  # no cache: a full build repairs site/
    assert not report.incremental
    expected = clean_build(load_config(project), tmp_path)
    assert tree(site) == tree(expected)
    BUILDS[project].restart()


def test_editor_lock_and_hidden_files_are_not_pages(project: Path, tmp_path: Path) -> None:
    page = pages(project)["07TASHKENT477"]
    lock = page.with_name(".#" + page.name)  # emacs
    lock.write_text("not a page", encoding="utf-8")
    try:
        report = assert_same_as_clean(project, tmp_path)
        assert report.rendered == 0
    finally:
        lock.unlink()


def test_a_deleted_site_is_built_again_whole(project: Path, tmp_path: Path) -> None:
    shutil.rmtree(project / "site")
    report = BUILDS[project].build()
    assert not report.incremental and report.rendered == report.pages
    assert tree(project / "site") == tree(clean_build(load_config(project), tmp_path))


@pytest.mark.parametrize("damage", ["a part missing", "a part cut short", "no header"])
def test_a_damaged_cache_means_a_full_build(project: Path, tmp_path: Path, damage: str) -> None:
    """A cache whose header names a part that is gone or cut short, or whose header is not
    one: the next build (or gen serve's first) is a full one, never a failed or a wrong one."""
    builds = BUILDS[project]
    builds.save()
    folder = project / load_config(project).cache_dir
    parts = sorted(folder.glob("tables-*.pickle"), key=lambda path: path.stat().st_size)
    if damage == "a part missing":
        parts[0].unlink()
    elif damage == "a part cut short":
        parts[-1].write_bytes(parts[-1].read_bytes()[:1000])
    else:
        (folder / "state.pickle").write_bytes(b"not a cache")
    builds.new_session()
    report = builds.build()
    assert not report.incremental and report.rendered == report.pages
    assert tree(project / "site") == tree(clean_build(load_config(project), tmp_path))


def test_folders_of_killed_builds_are_removed(project: Path) -> None:
    """A build killed outright (SIGKILL, out of memory) cannot clean up its staging and scratch
    folders; the next build removes them, and leaves a running build's alone."""
    running = os.getppid()  # the folders of a live process: another build still at work
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    folders = {name: project / name for name in (
        f".site.building-{dead}", f".site.scratch-{dead}", f".site.previous-{dead}",
        f".site.building-{running}", f".other.building-{dead}")}
    for folder in folders.values():
        (folder / "cable").mkdir(parents=True)
        (folder / "cable" / "page.html").write_text("x", encoding="utf-8")
    BUILDS[project].build()
    assert {name for name, folder in folders.items() if folder.exists()} == {
        f".site.building-{running}", f".other.building-{dead}"}


def test_a_large_old_site_is_deleted_apart(project: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """A full build over a large site/ (251k cables: ~40 s to delete) replaces it and leaves
    deleting the old one to a detached process, whose number names the folder (so that the
    next build leaves it alone: test_folders_of_killed_builds_are_removed)."""
    site = project / "site"
    monkeypatch.setattr(output, "DELETE_APART_FROM", 1)  # the sample site counts as large
    set_aside, moved_to = output._set_aside, []

    @contextmanager
    def noting_set_aside(target: Path, in_background: bool) -> Iterator[Path]:
        with set_aside(target, in_background) as folder:
            moved_to.append(folder)
            yield folder

    monkeypatch.setattr(output, "_set_aside", noting_set_aside)
    old_page = next(site.rglob("*.html"))
    old_inode = old_page.stat().st_ino
    build_site(load_config(project), jobs=2, clean=True)
    (deleting,) = moved_to
    assert deleting.parent == project and deleting.name.startswith(".site.previous-")
    assert int(deleting.name.rpartition("-")[2]) != os.getpid()  # the deleter's number
    assert old_page.stat().st_ino != old_inode  # site/ is the new one already
    assert tree(site) == tree(clean_build(load_config(project), tmp_path))
    deadline = time.monotonic() + 60
    while deleting.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not deleting.exists()
    BUILDS[project].restart()


def test_entries_share_their_tags_posts_and_classifications(project: Path) -> None:
    """The main process holds every entry (251k): equal tags, posts and classifications are
    one object each, as a full build read them and as the cache it saved gives them back;
    gen serve, which has them at hand, shares them with the pages it reads after an edit too.
    (The first build of a process that reads fewer than 1/SHARE_RATIO of the pages does not
    share the values of those pages: finding them would cost more than it saves. Hence a
    full build first, whatever the tests before this one edited.)"""
    builds = BUILDS[project]
    builds.build(clean=True)
    if builds.session is not None:
        path = sorted(pages(project).values())[20]
        edit(path, lambda t: re.sub(r"(?m)^subject: .*$", "subject: Shared values", t, count=1))
        assert builds.build().indexed == 1
    builds.save()
    config = load_config(project)
    cache = BuildCache.load(project / config.cache_dir, (project / config.output_dir).resolve())
    entries = [record[2] for record in cache.files.values()]
    assert len(entries) > 500
    seen: dict = {}
    for entry in entries:
        for value in (*entry.tag_details, entry.tags, entry.origin, entry.classification):
            assert seen.setdefault(value, value) is value, value


def cache_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}


@contextmanager
def saved_cache(project: Path) -> Iterator[tuple[Path, Path, dict[str, bytes]]]:
    """The project's saved cache: its folder, the site it describes and its files' bytes,
    which are put back as they were afterwards."""
    BUILDS[project].save()
    config = load_config(project)
    folder, site = project / config.cache_dir, (project / config.output_dir).resolve()
    saved = cache_files(folder)
    try:
        yield folder, site, saved
    finally:
        for path in folder.iterdir():
            if path.is_file():
                path.unlink()
        for name, data in saved.items():
            (folder / name).write_bytes(data)


def test_a_cache_save_given_up_leaves_the_saved_cache_as_it_was(project: Path) -> None:
    """gen serve saves its cache while no build is wanted, and gives up when one is."""
    with saved_cache(project) as (folder, site, saved):
        cache = BuildCache.load(folder, site)
        # As a build does, each table is replaced.
        cache.keys = {**cache.keys, "planted": b"x"}
        cache.files, cache.digests = dict(cache.files), dict(cache.digests)
        assert not cache.save(interrupted=lambda: True)  # the change alone
        whole = BuildCache(cache.path, cache.files, cache.keys, cache.digests, cache.groups,
                           cache.site, cache.search, cache.template_keys)  # never saved: all
        asked = []
        assert not whole.save(interrupted=lambda: asked.append(1) or len(asked) > 1)
        assert cache_files(folder) == saved
        assert cache.save() and "planted" in BuildCache.load(folder, site).keys


def test_a_cache_save_writes_what_changed_and_all_of_it_now_and_then(project: Path) -> None:
    """The tables are saved as changes to the last saved ones (~3 s at 251k cables to save
    them all), until the changes grow to an eighth of the whole."""
    with saved_cache(project) as (folder, site, _saved):
        cache = BuildCache.load(folder, site)
        whole = sum(map(len, (cache.files, cache.keys, cache.digests)))
        parts = len(list(folder.glob("tables-*.pickle")))
        removed = next(iter(cache.digests))
        cache.digests = {path: digest for path, digest in cache.digests.items()
                         if path != removed}
        cache.keys = {**cache.keys, "planted": b"x"}
        cache.files = dict(cache.files)  # as a build does, each table is replaced
        assert cache.save()
        assert len(list(folder.glob("tables-*.pickle"))) == parts + 1
        loaded = BuildCache.load(folder, site)
        assert (loaded.files, loaded.keys, loaded.digests) == (cache.files, cache.keys,
                                                               cache.digests)
        counts = []
        # 50 changes a save: all of it again once they pass an eighth of the whole (which
        # grows with them), before a sixth of the whole at the start.
        for number in range(whole // 6 // 50):
            cache.keys = {**cache.keys, **{f"planted-{number}-{n}": b"y" for n in range(50)}}
            cache.files, cache.digests = dict(cache.files), dict(cache.digests)
            assert cache.save()
            counts.append(len(list(folder.glob("tables-*.pickle"))))
        assert 1 in counts, counts
        loaded = BuildCache.load(folder, site)
        assert (loaded.files, loaded.keys, loaded.digests) == (cache.files, cache.keys,
                                                               cache.digests)
        cache.keys["changed-in-place"] = b"z"  # not as a build does: all are saved whole
        assert cache.save()
        assert len(list(folder.glob("tables-*.pickle"))) == 1
        assert BuildCache.load(folder, site).keys == cache.keys


def test_a_new_process_loads_the_archive_saved_with_the_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """gen build loads the archive's indexes saved with the cache instead of making them
    again from 251k entries; an edit that changes them saves them anew, one that does not
    keeps the file (so the page marks were saved with them: marks computed anew would make it
    saved again); an unreadable one is made again. Every time, the site is a clean one."""
    project = sample_project(tmp_path / "project")
    folder = project / load_config(project).cache_dir
    build_site(load_config(project), jobs=2)
    made: list[int] = []
    original = builder.build_archive
    monkeypatch.setattr(builder, "build_archive", lambda entries: made.append(1) or
                        original(entries))

    def made_by_an_edit_in_place(change: Callable[[str], str], name: str) -> bool:
        """Whether the build after `change` made the archive (and its site is a clean one)."""
        edit(path, change)
        made.clear()
        report = build_site(load_config(project), jobs=2)
        assert report.incremental and report.checked < 200, report
        built = bool(made)
        assert tree(project / "site") == tree(clean_build(load_config(project), tmp_path / name))
        return built

    path = sorted(pages(project).values())[20]
    stored = [file.name for file in folder.glob("archive-*.pickle")]
    assert len(stored) == 1
    assert not made_by_an_edit_in_place(lambda t: re.sub(
        r"(?m)^subject: .*$", "subject: Loaded, not made", t, count=1), "subject")
    assert [file.name for file in folder.glob("archive-*.pickle")] == stored
    tags = Counter(tag["code"] for matter in map(front, pages(project).values())
                   for tag in matter["tags"])
    tag = next(code for code, _count in tags.most_common()
               if code not in {tag["code"] for tag in front(path)["tags"]})
    assert not made_by_an_edit_in_place(lambda t: t.replace(
        "\ntags:\n", f"\ntags:\n- code: {tag}\n  kind: subject\n", 1), "tag")
    again = [file.name for file in folder.glob("archive-*.pickle")]
    assert len(again) == 1 and again != stored
    (folder / again[0]).write_bytes(b"not an archive")
    assert made_by_an_edit_in_place(lambda t: re.sub(
        r"(?m)^subject: .*$", "subject: Made again", t, count=1), "damaged")


def test_a_session_frees_each_archive_it_replaces(tmp_path: Path) -> None:
    """gen serve holds one archive (at 251k cables, hundreds of MB), not also the ones it
    replaced: those are freed at once by reference counting, not left to the garbage
    collector (paused here, to tell the two apart)."""
    project = sample_project(tmp_path / "project")
    config = load_config(project)
    session = BuildSession()
    gc.disable()
    try:
        session.build(config, jobs=1)
        first = weakref.ref(session._memory.cache.archive)
        added = add_copy_of_a_cable(project)
        report = session.build(config, jobs=1, changes=[str(added)])
        archive = session._memory.cache.archive
        assert archive is not None and len(archive) == report.cables
        del archive
        assert first() is None
    finally:
        gc.enable()
