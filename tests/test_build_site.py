"""End-to-end checks of `gen build` on the sample archive (content/, 599 real cables).

The archive is built once per module, from a temporary gen.yaml whose `content_dir` and
`output_dir` are absolute paths, and the HTML, Atom and sitemap files it writes are parsed and
checked against the cables' own front matter (read here with PyYAML, not through gen).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from sitecheck import Page, Site, tree_hash

from generator.builder import BuildError, build_site
from generator.config import ConfigError, SiteConfig, load_config
from generator.render import templates
from generator.structure.urls import Urls

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
BASE_URL = "https://cables.example.org/"
PAGE_SIZE = 40  # small enough that tags, posts and years have several pages
FEED_SIZE = 20
EPOCH = "1700000000"  # 2023-11-14
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAPS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# -- the cables, read independently of gen -------------------------------------------------

def read_front_matter(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    return yaml.load(text[4:text.index("\n---\n", 3)], Loader=_Loader)


@pytest.fixture(scope="module")
def cables() -> dict[str, dict[str, Any]]:
    """reference ID -> front matter, for every content/cables/**/*.md."""
    found = {}
    for path in sorted((CONTENT / "cables").rglob("*.md")):
        matter = read_front_matter(path)
        assert matter["reference_id"] not in found, f"{path}: duplicate reference ID"
        found[matter["reference_id"]] = matter
    assert len(found) > 500
    return found


def cable_file(matter: dict[str, Any]) -> str:
    created = matter["created"]
    year, month = (created[:4], created[5:7]) if created else ("undated", "00")
    return f"cable/{year}/{month}/{matter['reference_id']}.html"


def month_name(year: str, month: str) -> str:
    names = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
    return f"{names[int(month) - 1]} {year}"


# -- building ------------------------------------------------------------------------------

def write_config(project: Path, **keys: Any) -> SiteConfig:
    project.mkdir(parents=True, exist_ok=True)
    (project / "gen.yaml").write_text(yaml.safe_dump(keys, sort_keys=False), encoding="utf-8")
    return load_config(project)


def run_cli(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", "build", "--project", str(project),
                           "--quiet", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module", autouse=True)
def fixed_build_date() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        yield


@dataclass
class Built:
    config: SiteConfig
    site: Site
    cables: int


def build_sample(folder: Path, jobs: int, **keys: Any) -> Built:
    output = folder / "out" / "site"
    settings = {"title": "Sample", "base_url": BASE_URL, "content_dir": str(CONTENT),
                "output_dir": str(output), "page_size": PAGE_SIZE, "feed_size": FEED_SIZE}
    config = write_config(folder / "project", **{**settings, **keys})
    report = build_site(config, jobs=jobs)
    root = config.root
    return Built(config, Site(output, root=root), report.cables)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_sample(tmp_path_factory.mktemp("sample"), jobs=2)


@pytest.fixture(scope="module")
def urls(sample: Built, cables: dict[str, dict[str, Any]]) -> Urls:
    """The documented URL layout (default permalinks), for locating list pages."""
    layout = Urls(sample.config)
    layout.register("tag", sorted({t["code"] for m in cables.values() for t in m["tags"]}))
    layout.register("post", sorted({m["origin"] for m in cables.values() if m["origin"]}))
    return layout


def leading_number(text: str) -> int:
    match = re.match(r"\s*([\d,]+)", text)
    assert match, f"no number in {text!r}"
    return int(match.group(1).replace(",", ""))


def refid_of(site: Site, href: str, on: str) -> str:
    target = site.resolve(href, on)
    assert target.file and target.file.startswith("cable/"), f"{on}: {href} is not a cable page"
    return Path(target.file).stem


# -- the site as a whole -------------------------------------------------------------------

def test_absolute_content_and_output_dirs(sample: Built, cables: dict) -> None:
    assert Path(sample.config.content_dir).is_absolute()
    assert Path(sample.config.output_dir).is_absolute()
    assert sample.cables == len(cables)
    assert sample.site.exists("index.html")
    leftovers = [p.name for p in sample.site.folder.parent.iterdir() if p.name != "site"]
    assert leftovers == [], "staging folders left beside the site"


def test_every_internal_link_and_anchor_resolves(sample: Built) -> None:
    broken = sample.site.broken_links()
    assert not broken, f"{len(broken)} broken links, e.g.:\n" + "\n".join(broken[:20])
    # Absolute links back into the site must stay under its base URL too.
    for link in sample.site.external_links():
        host = re.match(r"^https?://[^/]+", BASE_URL)
        if host and link.url.startswith(host.group(0)):
            assert link.url.startswith(BASE_URL), f"{link.page}: {link.url}"


def test_one_page_per_cable(sample: Built, cables: dict) -> None:
    site = sample.site
    expected = {cable_file(m) for m in cables.values()}
    actual = {name for name in site.files() if name.startswith("cable/")}
    assert actual == expected
    for matter in cables.values():
        page = site.page(cable_file(matter))
        assert [h.strip() for h in page.h1()] != [], page.path
        shown = {e.clean_text() for e in page.doc.find_all("span", cls="refid")}
        assert matter["reference_id"] in shown, page.path
        title = page.doc.find("title")
        assert title is not None and matter["reference_id"] in title.text()


def test_cable_pages_link_their_posts_list(sample: Built, cables: dict) -> None:
    """The link to the post's list names the post and no count: a count of other cables would
    change every page of the post whenever one of its cables is added (incremental builds)."""
    for matter in cables.values():
        page = sample.site.page(cable_file(matter))
        browse = page.doc.find("section", cls="browse")
        assert browse is not None, page.path
        [item] = [li for li in browse.find_all("li") if li.clean_text().startswith("All cables")]
        assert item.clean_text() == f"All cables from {matter['origin']}", page.path
        [link] = item.find_all("a")
        target = sample.site.resolve(link.attrs["href"] or "", page.path)
        assert sample.site.exists(target.file), page.path


def walk_listing(site: Site, path: str) -> tuple[list[list[str]], int | None, list[Page]]:
    """Follow a paged list from its first page: (reference IDs of each page in order, the
    count shown on the first page, the pages)."""
    listed: list[list[str]] = []
    count_shown = None
    pages: list[Page] = []
    file: str | None = site.file_for(path)
    while file is not None:
        assert file not in [p.path for p in pages], f"{file}: pagination loops"
        assert site.exists(file), f"no list page {file}"
        page = site.page(file)
        listing = page.doc.find("section", cls="listing")
        assert listing is not None, f"{file}: no listing section"
        listed.append([refid_of(site, a.attrs["href"] or "", file)
                       for a in listing.find_all("a", cls="entry-link")])
        count = page.doc.find("p", cls="count")
        assert count is not None, f"{file}: no count"
        if pages:  # only the first page counts the list's cables (the others would change)
            assert count.clean_text().startswith("Cables of "), f"{file}: {count.clean_text()}"
        else:
            count_shown = leading_number(count.clean_text())
        pages.append(page)
        following = [link for link in page.doc.find_all("link")
                     if link.attrs.get("rel") == "next"]
        file = site.resolve(following[0].attrs["href"] or "", file).file if following else None
    return listed, count_shown, pages


LIST_KINDS = ("tag", "post", "classification", "year", "month")


def expected_lists(kind: str, cables: dict) -> dict[Any, set[str]]:
    lists: dict[Any, set[str]] = defaultdict(set)
    for refid, matter in cables.items():
        created = matter["created"]
        if kind == "tag":
            keys = [t["code"] for t in matter["tags"]]
        elif kind == "post":
            keys = [matter["origin"]] if matter["origin"] else []
        elif kind == "classification":
            keys = [matter["classification"]] if matter["classification"] else []
        elif kind == "year":
            keys = [created[:4] if created else "undated"]
        else:
            keys = [(created[:4], created[5:7])] if created else []
        for key in keys:
            lists[key].add(refid)
    return lists


def list_path(urls: Urls, kind: str, key: Any) -> str:
    if kind == "tag":
        return urls.tag(key)
    if kind == "post":
        return urls.post(key)
    if kind == "classification":
        return urls.classification(key)
    if kind == "year":
        return urls.year(key)
    return urls.month(*key)


def expected_heading(kind: str, key: Any) -> re.Pattern[str]:
    if kind == "tag":
        return re.compile(re.escape(key) + r"( — .+)?")
    if kind == "month":
        return re.compile(re.escape(month_name(*key)))
    return re.compile(re.escape(key))


@pytest.mark.parametrize("kind", LIST_KINDS)
def test_list_pages_list_exactly_their_cables(kind: str, sample: Built, cables: dict,
                                              urls: Urls) -> None:
    site = sample.site
    lists = expected_lists(kind, cables)
    assert lists
    first_pages = set()
    for key, members in sorted(lists.items()):
        path = list_path(urls, kind, key)
        listed, count_shown, pages = walk_listing(site, path)
        refids = [refid for page_refids in listed for refid in page_refids]
        first_pages.add(pages[0].path)
        label = f"{kind} {key!r} ({path})"
        assert len(refids) == len(set(refids)), f"{label}: a cable is listed twice"
        assert set(refids) == members, f"{label}: listed {sorted(set(refids) ^ members)} wrongly"
        assert count_shown == len(members), f"{label}: count shown {count_shown}"
        dates = [cables[r]["created"] or "" for r in refids]
        assert dates == sorted(dates, reverse=True), f"{label}: not newest first"
        # Content-defined pages (paging.py): one page up to PAGE_SIZE cables; otherwise each
        # page but the last holds more than half a page, none more than two.
        if len(members) <= PAGE_SIZE:
            assert len(pages) == 1, f"{label}: {len(pages)} pages"
        sizes = [len(page_refids) for page_refids in listed]
        assert all(PAGE_SIZE // 2 < size for size in sizes[:-1]), f"{label}: pages of {sizes}"
        assert all(0 < size <= 2 * PAGE_SIZE for size in sizes), f"{label}: pages of {sizes}"
        # Further pages are named by their oldest cable; there are no others.
        further = {site.file_for(urls.paged(path, page_refids[-1])) for page_refids in listed[1:]}
        assert {page.path for page in pages[1:]} == further, label
        stray = {name for name in site.html_files()
                 if name.startswith(urls.pages_folder(path))} - further
        assert not stray, f"{label}: stray pages {sorted(stray)[:5]}"
        for page in pages:
            assert len(page.h1()) == 1 and expected_heading(kind, key).fullmatch(page.h1()[0]), \
                f"{page.path}: heading {page.h1()}"
    # No list page for anything else: every first page of this kind was expected.
    prefix = list_path(urls, kind, next(iter(lists))).split("/")[0] + "/"
    stray = {name for name in site.html_files()
             if name.startswith(prefix) and "/page/" not in name} - first_pages
    if kind in ("year", "month"):  # they share date/
        other = "month" if kind == "year" else "year"
        stray -= {site.file_for(list_path(urls, other, k)) for k in expected_lists(other, cables)}
    assert not stray, f"unexpected {kind} pages: {sorted(stray)[:10]}"


def grid_counts(site: Site, file: str) -> dict[str, int]:
    """Linked item -> count, from an index page's item grids (tags, posts, home)."""
    counts = {}
    for item in site.page(file).doc.find_all("li"):
        link, count = item.find("a"), item.find("span", cls="item-count")
        if link is not None and count is not None and item.parent is not None \
                and "item-grid" in item.parent.classes:
            counts[site.resolve(link.attrs["href"] or "", file).file] = \
                leading_number(count.text())
    return counts


def bar_counts(site: Site, file: str) -> dict[str, int]:
    counts = {}
    for figure in site.page(file).doc.find_all("figure", cls="bars"):
        for item in figure.find_all("li"):
            link, count = item.find("a"), item.find("span", cls="bar-n")
            assert count is not None
            if link is not None:
                counts[site.resolve(link.attrs["href"] or "", file).file] = \
                    leading_number(count.text())
    return counts


def test_index_pages_show_the_right_counts(sample: Built, cables: dict, urls: Urls) -> None:
    site = sample.site

    def expected(kind: str) -> dict[str, int]:
        return {site.file_for(list_path(urls, kind, key)): len(members)
                for key, members in expected_lists(kind, cables).items()}

    assert grid_counts(site, "tags/index.html") == expected("tag")
    assert grid_counts(site, "posts/index.html") == expected("post")
    assert bar_counts(site, "classifications/index.html") == expected("classification")

    dates: dict[str, int] = {}
    page = site.page("dates/index.html")
    for section in page.doc.find_all("section", cls="year"):
        heading = section.find("h2")
        assert heading is not None and heading.find("a") is not None
        link = heading.find("a")
        dates[site.resolve(link.attrs["href"] or "", page.path).file or ""] = \
            leading_number(heading.find("span", cls="item-count").text())
        for item in section.find_all("li"):
            link = item.find("a")
            dates[site.resolve(link.attrs["href"] or "", page.path).file or ""] = \
                leading_number(item.find("span", cls="item-count").text())
    assert dates == {**expected("year"), **expected("month")}

    home = site.page("index.html")
    count = home.doc.find("p", cls="count")
    assert count is not None and leading_number(count.clean_text()) == len(cables)
    for file, number in {**bar_counts(site, "index.html"),
                         **grid_counts(site, "index.html")}.items():
        assert number == {**expected("tag"), **expected("post"),
                          **expected("classification")}[file], file


def test_references_and_cited_by_agree(sample: Built, cables: dict) -> None:
    site = sample.site
    cites: dict[str, set[str]] = {}
    cited_by: dict[str, set[str]] = {}
    for refid, matter in cables.items():
        file = cable_file(matter)
        doc = site.page(file).doc
        references = matter["references"] or []
        section = doc.find("section", cls="refs")
        items = section.find("ol").find_all("li") if section is not None else []
        assert len(items) == len(references), f"{file}: {len(items)} REF entries shown"
        linked = set()
        for reference, item in zip(references, items, strict=True):
            target = reference.get("reference_id")
            links = item.find_all("a")
            if target in cables:
                assert len(links) == 1, f"{file}: REF {target} is not linked"
                assert refid_of(site, links[0].attrs["href"] or "", file) == target
                linked.add(target)
            else:
                assert links == [], f"{file}: REF {target} (not in the archive) is linked"
                if target:
                    assert "not in archive" in item.clean_text(), f"{file}: REF {target}"
        cites[refid] = linked
        section = doc.find("section", cls="cited-by")
        cited_by[refid] = {refid_of(site, a.attrs["href"] or "", file)
                           for a in section.find_all("a", cls="entry-link")} \
            if section is not None else set()
    pairs = {(a, b) for a, targets in cites.items() for b in targets if a != b}
    assert pairs, "the sample archive has cables citing each other"
    reverse = {(a, b) for b, citers in cited_by.items() for a in citers}
    assert pairs == reverse, (f"REF without cited-by: {sorted(pairs - reverse)[:5]}; "
                              f"cited-by without REF: {sorted(reverse - pairs)[:5]}")


def parse_xml(site: Site, name: str) -> ET.Element:
    try:
        return ET.parse(site.folder / name).getroot()
    except ET.ParseError as error:
        pytest.fail(f"{name} is not well-formed XML: {error}")


def local_file(site: Site, absolute: str, base: str = BASE_URL) -> str:
    assert absolute.startswith(base), f"{absolute} is not under {base}"
    return site.file_for(absolute[len(base):])


def test_feeds_are_atom_and_list_the_newest_cables(sample: Built, cables: dict,
                                                  urls: Urls) -> None:
    site = sample.site
    feeds = [name for name in site.files() if name.endswith("feed.xml")]
    expected_feeds = {"feed.xml"}
    for kind in ("tag", "post"):
        expected_feeds |= {urls.feed(list_path(urls, kind, key))
                           for key in expected_lists(kind, cables)}
    assert set(feeds) == expected_feeds
    members = {"feed.xml": set(cables)}
    for kind in ("tag", "post"):
        for key, refids in expected_lists(kind, cables).items():
            members[urls.feed(list_path(urls, kind, key))] = refids
    for name in feeds:
        root = parse_xml(site, name)
        assert root.tag == ATOM + "feed", name
        assert root.findtext(ATOM + "title") and root.findtext(ATOM + "id")
        assert root.findtext(ATOM + "updated")
        self_link = [link.get("href") for link in root.findall(ATOM + "link")
                     if link.get("rel") == "self"]
        assert self_link == [BASE_URL + name], name
        entries = root.findall(ATOM + "entry")
        wanted = members[name]
        assert len(entries) == min(FEED_SIZE, len(wanted)), name
        listed = []
        for entry in entries:
            [link] = entry.findall(ATOM + "link")
            file = local_file(site, link.get("href") or "")
            assert site.exists(file), f"{name}: {file}"
            listed.append(Path(file).stem)
            assert entry.findtext(ATOM + "id") and entry.findtext(ATOM + "updated")
        assert set(listed) <= wanted, name
        newest = sorted(wanted, key=lambda r: (cables[r]["created"] or "", r), reverse=True)
        assert listed == newest[:FEED_SIZE], f"{name}: not the newest cables, newest first"


def test_sitemap_index_lists_every_cable_page(sample: Built, cables: dict) -> None:
    site = sample.site
    index = parse_xml(site, "sitemap.xml")
    assert index.tag == SITEMAPS + "sitemapindex"
    locations = [loc.text or "" for loc in index.iter(SITEMAPS + "loc")]
    assert locations
    listed: list[str] = []
    for location in locations:
        name = local_file(site, location)
        urlset = parse_xml(site, name)
        assert urlset.tag == SITEMAPS + "urlset"
        found = [loc.text or "" for loc in urlset.iter(SITEMAPS + "loc")]
        assert 0 < len(found) <= 50_000
        assert len(urlset.findall(SITEMAPS + "url")) == len(found)
        listed += found
    assert all(url.startswith(BASE_URL) for url in listed)
    assert len(listed) == len(set(listed)), "a URL is listed twice"
    files = {local_file(site, url) for url in listed}
    assert {cable_file(m) for m in cables.values()} <= files
    assert "index.html" in files and "tags/index.html" in files
    assert all(site.exists(file) for file in files)
    assert "404.html" not in files


def test_robots_404_and_fingerprinted_assets(sample: Built) -> None:
    site = sample.site
    robots = (site.folder / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *" in robots
    assert f"Sitemap: {BASE_URL}sitemap.xml" in robots.splitlines()
    page = site.page("404.html")
    assert page.h1() == ["Page not found"]
    assets = [name for name in site.files() if name.startswith("assets/")]
    styles = [name for name in assets if re.fullmatch(r"assets/style\.[0-9a-f]{8,}\.css", name)]
    assert len(styles) == 1, assets
    digest = styles[0].split(".")[1]
    data = (site.folder / styles[0]).read_bytes()
    assert hashlib.sha256(data).hexdigest().startswith(digest), "fingerprint is not the content's"
    referenced = set()
    for page in site.pages():
        sheets = [link.attrs.get("href") for link in page.doc.find_all("link")
                  if link.attrs.get("rel") == "stylesheet"]
        assert sheets == [site.root + styles[0]], f"{page.path}: stylesheets {sheets}"
        referenced |= {site.resolve(link.url, page.path).file for link in page.links}
    unused = [name for name in assets if name not in referenced and not name.endswith(".map")]
    assert not unused, f"assets nobody references: {unused}"


def test_jobs_1_and_2_give_byte_identical_sites(sample: Built, tmp_path: Path) -> None:
    single = build_sample(tmp_path, jobs=1)
    one, two = tree_hash(single.site.folder), tree_hash(sample.site.folder)
    assert one.keys() == two.keys()
    differing = sorted(name for name in one if one[name] != two[name])
    assert not differing, f"{len(differing)} files differ, e.g. {differing[:5]}"


SUB_BASE = "https://example.org/archive/"


@pytest.fixture(scope="module")
def sub_path(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The sample archive built for https://example.org/archive/."""
    return build_sample(tmp_path_factory.mktemp("sub-path"), jobs=2, base_url=SUB_BASE)


def test_site_under_a_sub_path(sub_path: Built, cables: dict) -> None:
    site = sub_path.site
    assert site.root == "/archive/"
    broken = site.broken_links()
    assert not broken, f"{len(broken)} broken links, e.g.:\n" + "\n".join(broken[:20])
    for page in site.pages():
        for link in page.links:
            if not site.is_external(link.url) and not link.url.startswith("#"):
                assert link.url.startswith("/archive/"), f"{page.path}: {link.url}"
    assert not site.external_links()
    robots = (site.folder / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {SUB_BASE}sitemap.xml" in robots.splitlines()
    urls = []
    for location in parse_xml(site, "sitemap.xml").iter(SITEMAPS + "loc"):
        name = local_file(site, location.text or "", SUB_BASE)
        urls += [loc.text or "" for loc in parse_xml(site, name).iter(SITEMAPS + "loc")]
    files = {local_file(site, url, SUB_BASE) for url in urls}
    assert files >= {cable_file(m) for m in cables.values()}
    assert all(site.exists(file) for file in files)


def test_feeds_under_a_sub_path_link_into_the_site(sub_path: Built) -> None:
    site = sub_path.site
    for name in [name for name in site.files() if name.endswith("feed.xml")]:
        feed = parse_xml(site, name)
        self_link = [link.get("href") for link in feed.findall(ATOM + "link")
                     if link.get("rel") == "self"]
        assert self_link == [SUB_BASE + name], f"{name}: self link {self_link}"
        for link in feed.iter(ATOM + "link"):
            href = link.get("href") or ""
            assert href.startswith(SUB_BASE), f"{name}: {href}"
            assert site.exists(site.file_for(href[len(SUB_BASE):])), f"{name}: {href}"


# -- untrusted text ------------------------------------------------------------------------

PAYLOAD = ('<script>alert(1)</script> </pre> {{ 7*7 }} ]]> "><img src=x onerror=alert(1)> '
           "javascript:alert(1)")
SMALL = ["2008/10/08OSLO585.md", "2008/11/08OSLO629.md", "2008/12/08OSLO670.md"]


def small_content(folder: Path) -> Path:
    """A content folder with three real cables (08OSLO670 cites the other two)."""
    for name in SMALL:
        target = folder / "cables" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CONTENT / "cables" / name, target)
    return folder


def crafted_page() -> str:
    matter = read_front_matter(CONTENT / "cables" / SMALL[1])
    matter.update(
        reference_id="10EVIL1", created="2010-01-05T12:00Z", subject=PAYLOAD, summary=PAYLOAD,
        origin="Embassy " + PAYLOAD, signer=PAYLOAD, handling=[PAYLOAD],
        classification="SECRET//" + PAYLOAD,
        tags=[{"code": PAYLOAD, "kind": "subject", "name": PAYLOAD},
              {"code": "javascript:alert(1)", "kind": "unknown", "name": None},
              {"code": "PREL", "kind": "subject", "name": "External Political Relations"}],
        references=[
            {"letter": "A", "reference_id": "08OSLO629", "text": PAYLOAD},
            {"letter": "B", "reference_id": "javascript:alert(1)", "text": PAYLOAD},
            {"letter": "C", "reference_id": None, "text": PAYLOAD},
        ],
        captions=[PAYLOAD],
    )
    body = (f"{{#p1 .summary}}\n¶1. {PAYLOAD}\n\n"
            f"### {PAYLOAD}\n\n"
            '[click](javascript:alert(1)) [x]{onmouseover="alert(1)"} '
            '*y*{onclick="alert(1)"} <a href="javascript:alert(1)">z</a>\n\n'
            f"`````cable-original\n{PAYLOAD}\n</pre><script>alert(2)</script>\n`````\n")
    front = yaml.safe_dump(matter, sort_keys=False, allow_unicode=True)
    return f"---\n{front}---\n\n{body}"


def test_untrusted_text_is_escaped_everywhere(tmp_path: Path) -> None:
    content = small_content(tmp_path / "content")
    evil = content / "cables" / "2010" / "01" / "10EVIL1.md"
    evil.parent.mkdir(parents=True)
    evil.write_text(crafted_page(), encoding="utf-8")
    config = write_config(tmp_path / "project", base_url=BASE_URL, content_dir=str(content),
                          output_dir=str(tmp_path / "site"), page_size=2)
    build_site(config, jobs=1)
    site = Site(tmp_path / "site")

    for name in site.files():
        text = (site.folder / name).read_text(encoding="utf-8")
        lowered = text.lower()
        assert "<script>alert" not in lowered and "<img src=x" not in lowered, name
        if name.endswith(".xml"):
            parse_xml(site, name)
            continue
        if not name.endswith(".html"):
            continue
        for element in site.page(name).doc.iter():
            handlers = [a for a in element.attrs if a.lower().startswith("on")]
            assert not handlers, f"{name}: <{element.tag} {handlers}>"
            if name == "search/index.html" and element.tag == "script":  # the theme's own
                assert re.fullmatch(r"/assets/search\.[0-9a-f]+\.js", element.attrs["src"] or "")
                assert not element.children
                continue
            assert element.tag not in ("script", "img", "iframe", "object"), \
                f"{name}: <{element.tag}> from cable text"
            for attr in ("href", "src", "action"):
                value = (element.attrs.get(attr) or "").strip().lower()
                assert not value.startswith(("javascript:", "data:text")), \
                    f"{name}: {attr}={value!r}"
    assert not site.broken_links()

    page = site.page("cable/2010/01/10EVIL1.html")
    [heading] = page.h1()
    assert heading == " ".join(PAYLOAD.split())  # shown literally: no 49, no markup
    assert "49" not in heading
    original = page.doc.find("pre")
    assert original is not None
    assert original.text() == PAYLOAD + "\n</pre><script>alert(2)</script>"
    description = [m.attrs.get("content") for m in page.doc.find_all("meta")
                   if m.attrs.get("name") == "description"]
    assert description and (description[0] or "").startswith("<script>alert(1)</script>")
    title = page.doc.find("title")
    assert title is not None and title.text().startswith("<script>alert(1)</script>")
    refs = page.doc.find("section", cls="refs")
    assert refs is not None
    items = refs.find_all("li")
    assert len(items) == 3
    assert [len(item.find_all("a")) for item in items] == [1, 0, 0]
    assert all(" ".join(PAYLOAD.split()) in item.clean_text() for item in items)
    body = page.doc.find("div", cls="cable-body")
    assert body is not None and " ".join(PAYLOAD.split()) in body.clean_text()
    assert [a.attrs.get("href") for a in body.find_all("a")] in ([], [None]), \
        "a javascript: link in the body was made a link"

    feed = ET.parse(site.folder / "feed.xml").getroot()
    titles = [e.findtext(ATOM + "title") for e in feed.findall(ATOM + "entry")]
    assert f"10EVIL1: {PAYLOAD}" in titles
    summaries = [e.findtext(ATOM + "summary") or "" for e in feed.findall(ATOM + "entry")]
    assert any(summary.startswith(PAYLOAD) for summary in summaries)
    # The crafted tag and post have their own pages and feeds, named literally.
    tag_headings = {h for p in site.pages() if p.path.startswith("tag/") for h in p.h1()}
    assert " ".join(PAYLOAD.split()) + " — " + " ".join(PAYLOAD.split()) in tag_headings
    assert "javascript:alert(1)" in tag_headings


# -- failures ------------------------------------------------------------------------------

def small_project(tmp_path: Path, **keys: Any) -> tuple[SiteConfig, Path]:
    content = small_content(tmp_path / "content")
    output = tmp_path / "site"
    settings = {"base_url": BASE_URL, "content_dir": str(content), "output_dir": str(output)}
    return write_config(tmp_path / "project", **{**settings, **keys}), output


def staging_leftovers(output: Path) -> list[str]:
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}."))


def test_broken_front_matter_fails_and_keeps_the_previous_site(tmp_path: Path) -> None:
    config, output = small_project(tmp_path)
    build_site(config, jobs=1)
    before = tree_hash(output)
    content = Path(config.content_dir)
    broken = content / "cables" / "2009" / "01" / "09BROKEN1.md"
    broken.parent.mkdir(parents=True)
    lines = (content / "cables" / SMALL[0]).read_text(encoding="utf-8").splitlines()
    lines[1] = "reference_id: 09BROKEN1"
    bad_line = 7
    lines[bad_line - 1] = "origin: Embassy Oslo: with: colons: [unclosed"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")

    for jobs in (1, 2):
        with pytest.raises(BuildError) as failure:
            build_site(config, jobs=jobs)
        message = str(failure.value)
        assert str(broken) in message
        assert f"line {bad_line}" in message, message
        assert tree_hash(output) == before
        assert staging_leftovers(output) == []

    result = run_cli(Path(config.project_dir))
    assert result.returncode == 1
    assert str(broken) in result.stderr and f"line {bad_line}" in result.stderr
    assert tree_hash(output) == before
    assert staging_leftovers(output) == []


def test_duplicate_reference_ids_fail_naming_both_files(tmp_path: Path) -> None:
    config, output = small_project(tmp_path)
    content = Path(config.content_dir)
    original = content / "cables" / SMALL[0]
    copy = content / "cables" / "2008" / "10" / "copy-of-08OSLO585.md"
    shutil.copyfile(original, copy)
    with pytest.raises(BuildError) as failure:
        build_site(config, jobs=1)
    assert str(original) in str(failure.value) and str(copy) in str(failure.value)
    assert "08OSLO585" in str(failure.value)
    assert not output.exists() and staging_leftovers(output) == []


BROKEN_TEMPLATE = """\
{% extends "base.html" %}
{% block content %}
{% if cable.subject %}
<h1>{{ cable.subject }}</h1>
{% endblock %}
"""


def test_template_syntax_error_fails_and_keeps_the_previous_site(tmp_path: Path) -> None:
    config, output = small_project(tmp_path)
    build_site(config, jobs=1)
    before = tree_hash(output)
    project = Path(config.project_dir)
    template = project / "themes" / "broken" / "templates" / "cable.html"
    template.parent.mkdir(parents=True)
    template.write_text(BROKEN_TEMPLATE, encoding="utf-8")
    config = write_config(project, base_url=BASE_URL, content_dir=config.content_dir,
                          output_dir=config.output_dir, theme="broken")

    for jobs in (1, 2):
        with pytest.raises(BuildError) as failure:
            build_site(config, jobs=jobs)
        message = str(failure.value)
        assert re.search(re.escape(str(template)) + r", line 5\b", message), message
        assert tree_hash(output) == before
        assert staging_leftovers(output) == []

    result = run_cli(project)
    assert result.returncode == 1
    assert f"{template}, line 5" in result.stderr
    assert tree_hash(output) == before
    assert staging_leftovers(output) == []


def test_compiled_templates_are_kept_for_the_next_process(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A new gen build reads the theme compiled by the last one from the build cache instead
    of compiling it again; a damaged file is compiled again, and the site is the same."""
    config, output = small_project(tmp_path)
    monkeypatch.setattr(templates._COMPILED, "_code", {})  # as in a new process
    build_site(config, jobs=1)
    before = tree_hash(output)
    folder = Path(config.project_dir) / config.cache_dir / "templates"
    kept = sorted(folder.iterdir())
    assert len(kept) > 5, kept
    compiled: list[str] = []
    original = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda env, source, name=None, *args,
                        **kw: compiled.append(name) or original(env, source, name, *args, **kw))
    for damaged in (None, "cable.html"):
        monkeypatch.setattr(templates._COMPILED, "_code", {})  # as in a new process
        if damaged is not None:  # compiled code garbled, the references lists cut short
            for path in kept:
                path.write_bytes(path.read_bytes()[:3] if path.name.startswith("refs-") else
                                 b"damaged")
        shutil.rmtree(output)
        compiled.clear()
        build_site(config, jobs=1)
        assert tree_hash(output) == before
        assert (damaged in compiled) if damaged else not compiled, compiled
        assert all(isinstance(json.loads(path.read_bytes())["templates"], list)
                   for path in folder.glob("refs-*"))


def test_an_edited_template_replaces_its_kept_files(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """gen serve rebuilds on every save of a template: what the build cache keeps of it is
    replaced, not added to, and the references it keeps follow the new source."""
    config, output = small_project(tmp_path)
    monkeypatch.setattr(templates._COMPILED, "_code", {})  # as in a new process
    build_site(config, jobs=1)
    folder = Path(config.project_dir) / config.cache_dir / "templates"
    kept = sorted(path.name for path in folder.iterdir())
    theme = Path(config.project_dir) / "themes" / "default" / "templates"
    theme.mkdir(parents=True)
    cable = theme / "cable.html"
    (theme / "mark.html").write_text("<i>mark</i>", encoding="utf-8")
    references: list[Counter] = []  # of the kept lists of references, after each build
    for version, include in enumerate(['{% include "mark.html" %}'] * 2 + [""]):
        monkeypatch.setattr(templates._COMPILED, "_code", {})
        cable.write_text(f'{{% extends "base.html" %}}{{% block content %}}cable page {version}'
                         f'{include}{{% endblock %}}', encoding="utf-8")
        build_site(config, jobs=1)
        page = (output / "cable" / "2008" / "12" / "08OSLO670.html").read_text(encoding="utf-8")
        assert f"cable page {version}{'<i>mark</i>' if include else '<'}" in page
        names = sorted(path.name for path in folder.iterdir())
        if version == 0:  # the project's cable.html and mark.html are new templates
            kept = names
        assert names == kept
        references.append(Counter(tuple(json.loads(path.read_bytes())["templates"])
                                  for path in folder.glob("refs-*")))
    # The project's cable.html included mark.html, then did not: its kept references follow.
    assert references[0] == references[1]
    assert references[2] - references[1] == Counter([("base.html",)])
    assert references[1] - references[2] == Counter([("base.html", "mark.html")])


@pytest.mark.parametrize(("keys", "named"), [
    ({"colour": "red"}, "colour"),
    ({"page_size": 0}, "page_size"),
    ({"page_size": "ten"}, "page_size"),
    ({"page_size": True}, "page_size"),
    ({"feed_size": -1}, "feed_size"),
    ({"pages": {"tag": False}}, "pages.tag"),
    ({"permalinks": {"tag": "tag/{tag}"}}, "permalinks.tag"),
    ({"permalinks": {"cable": "{reference_id}"}}, "permalinks.cable"),
    ({"permalinks": {"post": "/origin/{post}/"}}, "permalinks.post"),
])
def test_bad_configuration_is_named(tmp_path: Path, keys: dict, named: str) -> None:
    project = tmp_path / "project"
    project.mkdir()
    config_file = project / "gen.yaml"
    config_file.write_text(yaml.safe_dump({"title": "T", **keys}), encoding="utf-8")
    with pytest.raises(ConfigError) as failure:
        load_config(project)
    assert str(config_file) in str(failure.value)
    assert repr(named) in str(failure.value) or f"'{named}'" in str(failure.value)
    result = run_cli(project)
    assert result.returncode == 1
    assert str(config_file) in result.stderr and named in result.stderr
    assert not (project / "site").exists()


def test_memo_makes_a_macros_output_once_per_key() -> None:
    """The templates' memo(macro, items, key): one call of the macro for each key in a build
    (a cable's row, the same in each of its lists), the first call's output after that."""
    from generator.builder import _memo_function

    calls: list[str] = []
    env = jinja2.Environment(autoescape=True)
    env.globals.update(memo=_memo_function(), note=calls.append)
    template = env.from_string(
        "{% macro row(e) %}{{ note(e.id) or '' }}<li>{{ e.text }}</li>{% endmacro %}"
        "{% for out in memo(row, items, 'id') %}{{ out }}{% endfor %}")
    items = [{"id": "A", "text": "<a>"}, {"id": "B", "text": "b"}, {"id": "A", "text": "other"}]
    assert template.render(items=items) == "<li>&lt;a&gt;</li><li>b</li><li>&lt;a&gt;</li>"
    assert calls == ["A", "B"]
    with pytest.raises(jinja2.TemplateError, match="macro"):
        env.from_string("{{ memo(note, items, 'id') }}").render(items=items)
