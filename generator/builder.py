"""The build pipeline: read content -> index the archive -> render pages -> write site/.

Reading and rendering run in worker processes (forked after the archive is indexed, so they
share it); the staging folder is swapped in for site/ only when everything has succeeded.
"""

from __future__ import annotations

import os
import re
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import Any

import jinja2

from generator import __version__
from generator.config import SiteConfig
from generator.output import StagedOutput
from generator.parallel import chunks, map_chunks
from generator.progress import Progress
from generator.render.context import LIST_KINDS, PAGE_SWITCH, SiteContext
from generator.render.feeds import atom_feed
from generator.render.markdown import render_body
from generator.render.sitemap import sitemap_files
from generator.render.templates import environment, fingerprinted, static_files, theme_dirs
from generator.render.timeline import timeline_svg
from generator.search.index import BUCKETS, ChunkIndexer, analyse, write_index
from generator.structure.archive import build_archive
from generator.structure.pages import CableEntry, PageError, find_pages, load_entry, load_page
from generator.structure.urls import Urls

CHUNK = 100
_TAG = re.compile(r"<[^>]+>")


class BuildError(Exception):
    """The build failed; the message says where (file and line) and why."""


@dataclass
class BuildReport:
    cables: int
    pages: int
    seconds: float


# State shared with forked workers: set before the pool starts, read-only afterwards.
_worker: dict[str, Any] = {}


def html_to_text(html: str) -> str:
    """The text of rendered HTML, for the search index."""
    return unescape(_TAG.sub(" ", html))


# -- read ---------------------------------------------------------------------------------

def _load_entries(chunk: list[Path]) -> list[CableEntry | str]:
    content_dir = _worker["content_dir"]
    results: list[CableEntry | str] = []
    for path in chunk:
        try:
            results.append(load_entry(path, content_dir))
        except PageError as error:
            results.append(str(error))
    return results


def read_content(content_dir: Path, jobs: int, progress: Progress) -> list[CableEntry]:
    if not (content_dir / "cables").is_dir():
        raise BuildError(f"{content_dir}: no cables/ folder; import cables first (gen import)")
    _worker["content_dir"] = content_dir
    entries: list[CableEntry] = []
    errors: list[str] = []
    seen: dict[str, str] = {}
    for results in map_chunks(_load_entries, chunks(find_pages(content_dir), CHUNK), jobs):
        for result in results:
            progress.advance()
            if isinstance(result, str):
                errors.append(result)
                continue
            if result.reference_id in seen:
                errors.append(f"{content_dir / result.path}: reference ID {result.reference_id} "
                              f"is also used by {content_dir / seen[result.reference_id]}")
                continue
            seen[result.reference_id] = result.path
            entries.append(result)
    progress.finish()
    if errors:
        shown = "\n".join(errors[:20])
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise BuildError(f"{len(errors)} content page(s) cannot be built:\n{shown}{more}")
    return entries


# -- render -------------------------------------------------------------------------------

def _template_location(error: BaseException) -> str:
    """`file, line N` of the innermost template frame in a rendering error's traceback."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"{error.filename or error.name}, line {error.lineno}"
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            return f"{frame.filename}, line {frame.lineno}"
    return "template"


def _render(template: str, context: dict[str, Any]) -> str:
    env: jinja2.Environment = _worker["env"]
    try:
        return env.get_template(template).render(context)
    except jinja2.TemplateError as error:
        raise BuildError(f"{_template_location(error)}: {type(error).__name__}: "
                         f"{error.message or error}") from None


def _render_cables(chunk: list[int]) -> tuple[int, list[int]] | str:
    """Render cable pages and index them for search; returns how many were rendered and
    their search lengths (none when search is off), or an error."""
    site: SiteContext = _worker["site"]
    output: StagedOutput = _worker["output"]
    content_dir: Path = _worker["content_dir"]
    indexer = ChunkIndexer(chunk[0]) if site.enabled("search") else None
    for index in chunk:
        entry = site.archive.entries[index]
        try:
            matter, markdown_body = load_page(content_dir / entry.path)
            body_html, original = render_body(markdown_body)
            html = _render("cable.html", site.cable_context(index, matter, body_html, original))
        except PageError as error:
            return str(error)
        except BuildError as error:
            return f"{error} (while rendering {content_dir / entry.path})"
        path = site.cable_path(entry)
        output.write(site.urls.output_file(path), html)
        if indexer is not None:
            indexer.add(analyse(
                index, reference_id=entry.reference_id, url=site.href(path),
                subject=entry.subject, date=entry.date, origin=entry.origin,
                classification=entry.classification,
                tags=[(code, name) for code, _kind, name in entry.tag_details],
                body_text=html_to_text(body_html), summary=entry.summary))
    return len(chunk), indexer.write(output) if indexer is not None else []


def _render_lists(chunk: list[tuple[str, Any, int]]) -> int | str:
    site: SiteContext = _worker["site"]
    output: StagedOutput = _worker["output"]
    for kind, key, page in chunk:
        try:
            html = _render("list.html", site.list_context(kind, key, page))
        except BuildError as error:
            return str(error)
        path = site.list_path(kind, key, page)
        assert path is not None
        output.write(site.urls.output_file(path), html)
    return len(chunk)


def _list_pages(site: SiteContext) -> Iterator[tuple[str, Any, int]]:
    for kind in LIST_KINDS:
        if not site.enabled(PAGE_SWITCH[kind]):
            continue
        for key in sorted(site.list_keys(kind)):
            for page in range(1, site.page_count(kind, key) + 1):
                yield kind, key, page


def _copy_assets(config: SiteConfig, output: StagedOutput) -> dict[str, str]:
    """Copy the theme's static files under assets/ with fingerprinted names."""
    urls: dict[str, str] = {}
    for name, path in static_files(config).items():
        data = path.read_bytes()
        target = "assets/" + fingerprinted(name, data)
        output.write(target, data)
        urls[name] = config.root + target
    return urls


def _write_feeds(site: SiteContext, output: StagedOutput) -> int:
    config = site.config
    origin = config.origin or ""  # hrefs already start with the root path

    def link(path: str) -> str:
        return origin + site.href(path)

    def feed(title: str, page_path: str, members: list[int], feed_path: str) -> None:
        chosen = members[-config.feed_size:][::-1]
        entries = [(site.archive.entries[i], link(site.cable_path(site.archive.entries[i])))
                   for i in chosen]
        output.write(feed_path, atom_feed(
            title=title, feed_url=link(feed_path), page_url=link(page_path),
            feed_id=link(feed_path), entries=entries, generator_version=__version__))

    feed(config.title, "", list(range(len(site.archive))), "feed.xml")
    written = 1
    for kind in ("tag", "post"):
        if not site.enabled(PAGE_SWITCH[kind]):
            continue
        for key in sorted(site.list_keys(kind)):
            page_path = site.list_path(kind, key)
            assert page_path is not None
            title = f"{config.title}: {site.list_title(kind, key)[0]}"
            feed(title, page_path, site.members(kind, key), site.urls.feed(page_path))
            written += 1
    return written


def _sitemap_urls(site: SiteContext) -> Iterator[str]:
    yield site.href("")
    for fixed in ("tags/", "posts/", "dates/", "classifications/"):
        if site.enabled(fixed.rstrip("/")):
            yield site.href(fixed)
    for kind, key, page in _list_pages(site):
        yield site.href(site.list_path(kind, key, page) or "")
    for entry in site.archive.entries:
        yield site.href(site.cable_path(entry))


def build_site(config: SiteConfig, *, jobs: int | None = None,
               progress: Callable[[str], Progress] | None = None) -> BuildReport:
    """Build config.output_dir from config.content_dir; raises BuildError on any failure."""
    started = datetime.now(UTC)
    jobs = jobs or os.cpu_count() or 1
    progress = progress or (lambda label: Progress(label, quiet=True))
    content_dir = (config.project_dir / config.content_dir).resolve()
    target = (config.project_dir / config.output_dir).resolve()
    if target == content_dir or content_dir.is_relative_to(target) or \
            target == config.project_dir.resolve():
        raise BuildError(f"{config.source}: output_dir {config.output_dir!r} must be a folder of "
                         "its own, not the project or content folder")
    theme_dirs(config)  # fail early on an unknown theme

    entries = read_content(content_dir, jobs, progress("reading"))
    urls = Urls(config)
    archive = build_archive(entries)
    urls.register("tag", list(archive.by_tag))
    urls.register("post", list(archive.by_post))
    site = SiteContext(config, urls, archive)

    with StagedOutput(target) as output:
        asset_urls = _copy_assets(config, output)

        def asset(name: str) -> str:
            if name not in asset_urls:
                raise jinja2.TemplateError(f"asset {name!r} is not a static file of the theme")
            return asset_urls[name]

        globals_ = {
            "site": {
                "title": config.title, "description": config.description,
                "language": config.language, "root": config.root,
                "generated": _build_date(started),
                "feed_url": site.href("feed.xml") if config.pages["feeds"] else None,
                "counts": {"cables": len(archive)},
                "pages": dict(config.pages),
            },
            "asset": asset,
            "url": site.href,
        }
        _worker.update(site=site, output=output, content_dir=content_dir,
                       env=environment(config, globals_))
        search_lengths: list[int] = []
        bar = progress("cable pages")
        bar.total = len(archive)
        for result in map_chunks(_render_cables, chunks(range(len(archive)), CHUNK), jobs):
            if isinstance(result, str):
                raise BuildError(result)
            rendered, lengths = result
            search_lengths.extend(lengths)
            bar.advance(rendered)
        bar.finish()
        pages = len(archive)
        bar = progress("list pages")
        bar.total = sum(1 for _ in _list_pages(site))
        for result in map_chunks(_render_lists, chunks(_list_pages(site), CHUNK), jobs):
            if isinstance(result, str):
                raise BuildError(result)
            bar.advance(result)
            pages += result
        bar.finish()
        pages += _write_fixed_pages(site, output)
        if config.pages["search"]:
            bar = progress("search index")
            bar.total = BUCKETS
            write_index(output, search_lengths, filters={
                "tag": archive.by_tag, "origin": archive.by_post,
                "classification": archive.by_classification},
                years={year: (members[0], members[-1])
                       for year, members in archive.by_year.items()},
                root=config.root, jobs=jobs, advance=bar.advance)
            bar.finish()
        if config.pages["feeds"]:
            _write_feeds(site, output)
        _write_robots_and_sitemap(site, output)
        output.commit()
    seconds = (datetime.now(UTC) - started).total_seconds()
    return BuildReport(cables=len(archive), pages=pages, seconds=seconds)


def _build_date(now: datetime) -> str:
    """Today, or SOURCE_DATE_EPOCH's date for reproducible builds (reproducible-builds.org)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    return now.date().isoformat()


def _write_fixed_pages(site: SiteContext, output: StagedOutput) -> int:
    archive = site.archive
    months = _timeline_months(site)
    dated = [e.created for e in archive.entries if e.created]
    home = {
        "counts": site.classifications(),
        "total": len(archive),
        "first": dated[0][:10] if dated else None,
        "last": dated[-1][:10] if dated else None,
        "timeline_svg": timeline_svg(months),
        "top_tags": site.top("tag"),
        "top_posts": site.top("post"),
        "latest": site.latest(),
    }
    pages = [("index.html", "home.html", {"home": home}), ("404.html", "404.html", {})]
    if site.enabled("search"):
        pages.append(("search/index.html", "search.html", {}))
    if site.enabled("tags"):
        pages.append(("tags/index.html", "tags.html", {"groups": site.tag_groups()}))
    if site.enabled("posts"):
        pages.append(("posts/index.html", "posts.html", {"groups": site.post_groups()}))
    if site.enabled("dates"):
        pages.append(("dates/index.html", "dates.html", {"years": site.years()}))
    if site.enabled("classifications"):
        pages.append(("classifications/index.html", "classifications.html",
                      {"classifications": site.classifications()}))
    for path, template, context in pages:
        output.write(path, _render(template, context))
    return len(pages)


def _timeline_months(site: SiteContext) -> list[tuple[str, str, int, str | None]]:
    by_month = site.archive.by_month
    if not by_month:
        return []
    first, last = min(by_month), max(by_month)
    months = []
    year, month = int(first[0]), int(first[1])
    while (year, month) <= (int(last[0]), int(last[1])):
        key = (f"{year:04d}", f"{month:02d}")
        count = len(by_month.get(key, ()))
        months.append((key[0], key[1], count, site.list_href("month", key) if count else None))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _write_robots_and_sitemap(site: SiteContext, output: StagedOutput) -> None:
    absolute = site.config.absolute_base
    lines = ["User-agent: *", "Allow: /"]
    if site.config.pages["sitemap"] and absolute:
        urls = (f"{site.config.origin}{href}" for href in _sitemap_urls(site))
        for name, xml in sitemap_files(urls, absolute):
            output.write(name, xml)
        lines.append(f"Sitemap: {absolute}sitemap.xml")
    output.write("robots.txt", "\n".join(lines) + "\n")

