"""The build pipeline: read content -> index the archive -> render pages -> write site/.

Reading and rendering run in worker processes (forked after the archive is indexed, so they
share it); the staging folder is swapped in for site/ only when everything has succeeded.
"""

from __future__ import annotations

import os
import pickle
import posixpath
import re
import traceback
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html import unescape
from itertools import chain, compress
from operator import eq, itemgetter, ne
from pathlib import Path
from typing import Any

import jinja2

from generator import __version__
from generator.cache import BuildCache, changed_records, code_digest, digest
from generator.config import SiteConfig
from generator.heap import long_lived
from generator.output import StagedOutput, recover
from generator.parallel import aside, chunks, map_chunks
from generator.progress import Progress
from generator.render.context import PAGE_SWITCH, SiteContext
from generator.render.feeds import atom_feed
from generator.render.markdown import render_body
from generator.render.sitemap import sitemap_files
from generator.render.templates import (
    environment,
    fingerprinted,
    static_files,
    template_digest,
    theme_dirs,
)
from generator.render.timeline import timeline_svg
from generator.search.doc_ids import doc_ids
from generator.search.index import (
    BUCKETS,
    ChunkIndexer,
    SearchDocument,
    analyse,
    result_shard,
    write_index,
    write_lists,
)
from generator.search.patch import index_changes, patch_index
from generator.search.state import (
    IndexState,
    Location,
    StoredTerms,
    new_store,
    paths_digest,
    prune_stores,
)
from generator.structure.archive import (
    LIST_KINDS,
    Archive,
    ArchiveChange,
    build_archive,
    cables_added,
    update_archive,
)
from generator.structure.pages import (
    CableEntry,
    PageError,
    PageStat,
    SharedValues,
    entry_digest,
    entry_reference_id,
    load_body,
    load_entry,
    load_page,
    stat_pages,
)
from generator.structure.urls import Urls

CHUNK = 100
SHARE_RATIO = 100  # values are shared when at least 1/SHARE_RATIO of the pages are read
PAGE_TEMPLATES = ("cable.html", "list.html", "home.html", "404.html", "search.html",
                  "tags.html", "posts.html", "dates.html", "classifications.html")
SEARCH_PAGES = ("search/index.html",)  # under search/ but a page, not an index file
_TAG = re.compile(r"<[^>]+>")


class BuildError(Exception):
    """The build failed; the message says where (file and line) and why."""


@dataclass
class BuildReport:
    cables: int
    pages: int
    seconds: float
    rendered: int = 0  # pages rendered (the others had not changed)
    changed: int = 0  # files written into site/ (new or different bytes)
    removed: int = 0  # files deleted from site/ (no longer produced)
    incremental: bool = False
    indexed: int = 0  # cables analysed for the search index (the others had not changed)
    # cable and list pages whose inputs were looked at (the others were known not to change)
    checked: int = 0


# State shared with forked workers: set before the pool starts, read-only afterwards.
_worker: dict[str, Any] = {}


def html_to_text(html: str) -> str:
    """The text of rendered HTML, for the search index."""
    return unescape(_TAG.sub(" ", html))


# -- read ---------------------------------------------------------------------------------

def _load_entries(chunk: list[Path]) -> list[tuple[CableEntry, tuple[int, int, int]] | str]:
    """Entries of a chunk of pages, each with where its pickled front matter is stored for
    the render stage: (store, offset, size); or an error."""
    content_dir = _worker["content_dir"]
    store = os.getpid()
    results: list[tuple[CableEntry, tuple[int, int, int]] | str] = []
    with open(_matter_store(store), "ab") as file:
        offset = file.tell()
        for path in chunk:
            try:
                entry, matter = load_entry(path, content_dir)
            except PageError as error:
                results.append(str(error))
                continue
            blob = pickle.dumps(matter, protocol=pickle.HIGHEST_PROTOCOL)
            file.write(blob)
            results.append((entry, (store, offset, len(blob))))
            offset += len(blob)
    return results


def _matter_store(store: int) -> Path:
    return _worker["scratch"] / f"matter.{store}"


def _load_page(entry: CableEntry) -> tuple[dict, str]:
    """A page's front matter and Markdown body: the matter as parsed by the read stage, or
    parsed now if the page was not read in this build (the cache knew it)."""
    path = _worker["content_dir"] / entry.path
    location = _worker["matter_at"].get(entry.path)
    if location is None:
        return load_page(path)
    store, offset, size = location
    # Each store opened once per process, not once per page; pread: no shared file position
    # (a forked worker may inherit its parent's open stores).
    files = _worker.setdefault("matter_files", {})
    if store not in files:
        files[store] = open(_matter_store(store), "rb")  # closed when the build ends
    matter = pickle.loads(os.pread(files[store].fileno(), size, offset))
    return matter, load_body(path)


def read_content(content_dir: Path, jobs: int, progress: Progress, cache: BuildCache,
                 scratch: Path, changed: Collection[str] | None = None,
                 stats: list[PageStat] | None = None
                 ) -> tuple[list[CableEntry], list[CableEntry]]:
    """The entries of every content page, and those of the pages read. Pages whose
    modification time and size are those the cache saw are not read again; with `changed`
    (the pages changed since the cache was made, relative to the content folder), no other
    page is even looked at; `stats`: stat_pages(content_dir) if already made. Updates
    cache.files; the front matter of the pages read is kept in `scratch` for rendering
    (_load_page)."""
    if not (content_dir / "cables").is_dir():
        raise BuildError(f"{content_dir}: no cables/ folder; import cables first (gen import)")
    _worker.update(content_dir=content_dir, scratch=scratch)
    # Relative path -> (mtime, size, entry), in find_pages' order: the cache's record of an
    # unchanged page as it is (no new object for each of 251k pages), entry None until read.
    files: dict[str, tuple[int, int, CableEntry | None]]
    to_read: list[Path] = []
    if changed is not None:
        files = dict(cache.files)
        for relative in changed:
            path = content_dir / relative
            try:
                status = os.stat(path)
            except FileNotFoundError:
                files.pop(relative, None)
                continue
            files[relative] = (status.st_mtime_ns, status.st_size, None)
            to_read.append(path)
    else:
        stats = stat_pages(content_dir) if stats is None else stats
        known = cache.files
        if len(stats) == len(known) and all(map(eq, map(itemgetter(0), stats), known)):
            # The cache's pages, in its order: their statuses compared in C (a loop over
            # them took 0.3 s at 251k pages).
            files = dict(known)
            changed_stats = list(compress(stats, map(ne, map(itemgetter(1, 2), stats),
                                                     map(itemgetter(0, 1), known.values()))))
        else:
            files, changed_stats = {}, []
            for stat in stats:
                cached = known.get(stat[0])
                if cached is not None and cached[:2] == stat[1:]:
                    files[stat[0]] = cached
                else:
                    files[stat[0]] = (*stat[1:], None)  # (in order: it is read below)
                    changed_stats.append(stat)
        prefix = os.path.join(content_dir, "")
        for relative, mtime, size in changed_stats:
            files[relative] = (mtime, size, None)
            to_read.append(Path(prefix + relative))
    progress.total = len(files)
    progress.advance(len(files) - len(to_read))
    matter_at: dict[str, tuple[int, int, int]] = {}
    errors: list[str] = []
    read: list[CableEntry] = []
    # Shared values save ~1 KB an entry read, and finding those of the cache's 251k entries
    # costs ~0.9 s: worth it when many pages are read, not for an edit or two (gen serve has
    # them ready: prepare()).
    if cache.shared is None and len(to_read) * SHARE_RATIO >= len(cache.files):
        cache.shared = shared_values(cache)
    for results in map_chunks(_load_entries, chunks(to_read, CHUNK),
                              _jobs_for(len(to_read), jobs, alone=CHUNK)):
        for result in results:
            progress.advance()
            if isinstance(result, str):
                errors.append(result)
            else:
                entry, location = result
                if cache.shared is not None:
                    cache.shared.share(entry)
                matter_at[entry.path] = location
                files[entry.path] = (*files[entry.path][:2], entry)
                read.append(entry)
    _worker["matter_at"] = matter_at
    progress.finish()
    # (None: not readable, its error is listed)
    entries = [entry for _mtime, _size, entry in files.values() if entry is not None]
    # The cache's entries have distinct reference IDs, and so have these if no page was added
    # or removed and each page read kept its own (looking at all of them took 0.1 s at 251k).
    kept_ids = files.keys() == cache.files.keys() and all(
        (old := cache.files[entry.path][2]) is not None and
        old.reference_id == entry.reference_id for entry in read)
    if not kept_ids and len(set(map(entry_reference_id, entries))) != len(entries):
        seen: dict[str, str] = {}
        for entry in entries:
            if entry.reference_id in seen:
                errors.append(f"{content_dir / entry.path}: reference ID {entry.reference_id} "
                              f"is also used by {content_dir / seen[entry.reference_id]}")
            seen.setdefault(entry.reference_id, entry.path)
    if errors:
        shown = "\n".join(errors[:20])
        more = f"\n… and {len(errors) - 20} more" if len(errors) > 20 else ""
        raise BuildError(f"{len(errors)} content page(s) cannot be built:\n{shown}{more}")
    cache.files = files
    return entries, read


def shared_values(cache: BuildCache) -> SharedValues:
    """The values of the cache's entries, for the entries read next to share."""
    return SharedValues(entry for _mtime, _size, entry in cache.files.values() if entry)


def changed_pages(content_dir: Path, changes: Iterable[str]) -> set[str] | None:
    """The content pages (relative to `content_dir`) among changed paths; None when a change
    may concern pages in a way its path does not tell (a folder moved, say): then every page
    must be looked at. Paths outside content/cables do not concern pages."""
    prefix = os.path.join(content_dir, "")
    cables = os.path.join(prefix, "cables", "")
    pages = set()
    for change in changes:
        # The folder's real path, not the file's: a page may be a symbolic link.
        path = os.path.join(os.path.realpath(os.path.dirname(change)), os.path.basename(change))
        if not path.startswith(cables):
            continue
        if os.path.isdir(path) or not path.endswith(".md") or \
                os.path.basename(path).startswith((".", "#")):
            return None
        pages.add(path[len(prefix):])
    return pages


# -- render -------------------------------------------------------------------------------

def _template_location(error: BaseException) -> str:
    """`file, line N` of the innermost template frame in a rendering error's traceback."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"{error.filename or error.name}, line {error.lineno}"
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            return f"{frame.filename}, line {frame.lineno}"
    return "template"


def _template_error(error: jinja2.TemplateError) -> BuildError:
    return BuildError(f"{_template_location(error)}: {type(error).__name__}: "
                      f"{error.message or error}")


def _render(template: str, context: dict[str, Any]) -> str:
    env: jinja2.Environment = _worker["env"]
    try:
        return env.get_template(template).render(context)
    except jinja2.TemplateError as error:
        raise _template_error(error) from None


def _unchanged(path: str, key: bytes) -> bool:
    """Whether site/ has this page rendered from the same inputs (incremental builds)."""
    return _worker["cached_keys"].get(path) == key


def _render_cables(chunk: list[int]
                   ) -> tuple[int, int, int, tuple[list, list], list, list] | str:
    """Render the cable pages whose inputs changed, and (when the search index is made again)
    index every cable of the chunk; returns (pages, pages rendered, cables analysed for the
    index, (search lengths, term store locations), page keys, output records), or an error."""
    site: SiteContext = _worker["site"]
    output: StagedOutput = _worker["output"]
    content_dir: Path = _worker["content_dir"]
    page_key: bytes = _worker["template_keys"]["cable.html"]
    term_store = _worker["term_store"]
    indexer = ChunkIndexer(term_store) if term_store is not None else None
    rendered = analysed = 0
    keys = []
    for index in chunk:
        entry = site.archive.entries[index]
        path = site.cable_path(entry)
        file = site.urls.output_file(path)
        key = digest(page_key, entry.digest, site.cable_dependencies(index))
        keys.append((file, key))
        unchanged = _unchanged(file, key)
        if unchanged and indexer is None:
            output.keep(file)
            continue
        if unchanged and (stored := _stored_analysis(index, entry)) is not None:
            output.keep(file)
            indexer.add(*stored)  # type: ignore[union-attr]
            continue
        try:
            matter, markdown_body = _load_page(entry)
            body_html, original = render_body(markdown_body)
            if unchanged:
                output.keep(file)
            else:
                html = _render("cable.html",
                               site.cable_context(index, matter, body_html, original))
                output.write(file, html)
                rendered += 1
        except PageError as error:
            return str(error)
        except BuildError as error:
            return f"{error} (while rendering {content_dir / entry.path})"
        if indexer is not None:
            indexer.add(_analyse(site, index, path, body_html))
            analysed += 1
    indexed = indexer.write(output) if indexer is not None else ([], [])
    return len(chunk), rendered, analysed, indexed, keys, output.take_records()


def _stored_analysis(index: int, entry: CableEntry) -> tuple[SearchDocument, Location] | None:
    """The search analysis of an unchanged cable as the last indexing made it (its terms and
    result data in the term store), and where it is stored; None when there is none (a new or
    edited cable, or no index to reuse)."""
    reuse = _worker["reuse"]
    if reuse is None:
        return None
    state, positions_by_digest, stored_terms = reuse
    old = positions_by_digest.get(entry.digest)
    if old is None:
        return None
    location = state.location(old)
    document = SearchDocument(_worker["doc_ids"][index], stored_terms.terms(location),
                              state.lengths[old], stored_terms.result(location))
    return document, location


def _analyse(site: SiteContext, index: int, path: str, body_html: str) -> SearchDocument:
    """The search analysis of the cable at `index`, whose page is at `path`."""
    entry = site.archive.entries[index]
    return analyse(_worker["doc_ids"][index], reference_id=entry.reference_id, url=site.href(path),
                   subject=entry.subject, date=entry.date, origin=entry.origin,
                   classification=entry.classification,
                   tags=[(code, name) for code, _kind, name in entry.tag_details],
                   body_text=html_to_text(body_html), summary=entry.summary)


def _analyse_changed(site: SiteContext, changed: list[int]) -> dict[int, SearchDocument]:
    """The search analysis of a few cables, in this process (to patch the index)."""
    documents = {}
    for index in changed:
        entry = site.archive.entries[index]
        try:
            _matter, markdown_body = _load_page(entry)
            body_html, _original = render_body(markdown_body)
        except PageError as error:
            raise BuildError(str(error)) from None
        except BuildError as error:
            raise BuildError(f"{error} (while rendering {_worker['content_dir'] / entry.path})"
                             ) from None
        documents[index] = _analyse(site, index, site.cable_path(entry), body_html)
    return documents


def _render_lists(chunk: list[tuple[str, Any, int]]) -> tuple[int, int, list, list] | str:
    site: SiteContext = _worker["site"]
    output: StagedOutput = _worker["output"]
    page_key: bytes = _worker["template_keys"]["list.html"]
    rendered = 0
    keys = []
    for kind, list_key, page in chunk:
        path = site.list_path(kind, list_key, page)
        assert path is not None
        file = site.urls.output_file(path)
        key = digest(page_key, site.list_dependencies(kind, list_key, page))
        keys.append((file, key))
        if _unchanged(file, key):
            output.keep(file)
            continue
        try:
            html = _render("list.html", site.list_context(kind, list_key, page))
        except BuildError as error:
            return str(error)
        output.write(file, html)
        rendered += 1
    return len(chunk), rendered, keys, output.take_records()


def _list_pages(site: SiteContext) -> Iterator[tuple[str, Any, int]]:
    for kind in LIST_KINDS:
        if not site.enabled(PAGE_SWITCH[kind]):
            continue
        for key in sorted(site.list_keys(kind)):
            for page in range(1, site.page_count(kind, key) + 1):
                yield kind, key, page


def _changed_list_pages(site: SiteContext, change: ArchiveChange) -> list[tuple[str, Any, int]]:
    """The list pages a change may change: every page of the lists it reshaped, and in the
    other lists the pages showing an edited cable."""
    work = set()
    for kind, key in change.lists:
        if not site.enabled(PAGE_SWITCH[kind]):
            continue
        if (kind, key) in change.reshaped:
            work.update((kind, key, page) for page in range(1, site.page_count(kind, key) + 1))
        else:
            work.update((kind, key, page) for index in change.edited
                        if (page := site.page_showing(kind, key, index)) is not None)
    return sorted(work)


def _vanished_list_pages(site: SiteContext, change: ArchiveChange, keys: dict[str, bytes]
                         ) -> list[str]:
    """The pages in `keys` (the last build's) of the lists a change reshaped that are not
    pages of theirs now (a page is named by its oldest cable: pages move as cables come and
    go). One look at each file's name: the members of the lists reshaped by 100 cables added
    at 251k are a million."""
    folders, now = set(), set()
    for kind, key in change.reshaped:
        path = site.list_path(kind, key)
        if path is not None:
            folders.add(site.urls.pages_folder(path))
            now.update(site.urls.output_file(site.list_path(kind, key, page) or "")
                       for page in range(2, site.page_count(kind, key) + 1))
    # A further page is <pages folder><name>/index.html.
    return [file for file in keys if file.endswith("/index.html") and file not in now
            and posixpath.dirname(posixpath.dirname(file)) + "/" in folders]


def _copy_assets(config: SiteConfig, output: StagedOutput) -> dict[str, str]:
    """Copy the theme's static files under assets/ with fingerprinted names."""
    urls: dict[str, str] = {}
    for name, path in static_files(config).items():
        data = path.read_bytes()
        target = "assets/" + fingerprinted(name, data)
        output.write(target, data)
        urls[name] = config.root + target
    return urls


def _write_feeds(site: SiteContext, output: StagedOutput,
                 lists: set[tuple[str, Any]] | None = None) -> None:
    """The site's feed and those of the tags and posts; with `lists`, the feeds of the other
    tags and posts are site/'s, kept (their cables have not changed)."""
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
    for kind in ("tag", "post"):
        if not site.enabled(PAGE_SWITCH[kind]):
            continue
        for key in sorted(site.list_keys(kind)):
            page_path = site.list_path(kind, key)
            assert page_path is not None
            feed_path = site.urls.feed(page_path)
            if lists is not None and (kind, key) not in lists:
                output.keep(feed_path)
                continue
            title = f"{config.title}: {site.list_title(kind, key)[0]}"
            feed(title, page_path, site.members(kind, key), feed_path)


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
               progress: Callable[[str], Progress] | None = None,
               clean: bool = False) -> BuildReport:
    """Build config.output_dir from config.content_dir; raises BuildError on any failure.

    With the build cache (config.cache_dir) from the last build, only what changed is read,
    rendered and written; `clean` ignores the cache and builds everything."""
    session = BuildSession()
    report = session.build(config, jobs=jobs, progress=progress, clean=clean)
    session.save()
    return report


@dataclass
class _Memory:
    """What a build leaves to the next one in the same process (BuildSession)."""
    target: Path
    content_dir: Path
    cache: BuildCache | None  # None once a build has begun to change site/
    unsaved: bool = False  # the cache saved is not this one (or none is)


class BuildSession:
    """Builds of one project one after another in one process (`gen serve`). The build cache
    and the archive stay in memory between builds (loading and saving the cache take seconds
    at 251k cables); save() writes the cache when there is time. Told which paths changed, a
    build reads just those pages, and works out which pages they can change (an edited cable:
    its own page, those beside it and linking to it, its lists) instead of checking all."""

    def __init__(self) -> None:
        self._memory: _Memory | None = None
        # Pages changed since the last successful build (paths relative to the content
        # folder); None when unknown: every page is looked at.
        self._unbuilt: set[str] | None = None

    def build(self, config: SiteConfig, *, jobs: int | None = None,
              progress: Callable[[str], Progress] | None = None, clean: bool = False,
              changes: Iterable[str] | None = None) -> BuildReport:
        """Build as build_site does; `changes`: the paths changed since the last build of
        this session (as a file watcher reports them), or None when not known."""
        content_dir = (config.project_dir / config.content_dir).resolve()
        if changes is None or self._unbuilt is None:
            self._unbuilt = None
        else:
            pages = changed_pages(content_dir, changes)
            self._unbuilt = None if pages is None else self._unbuilt | pages
        memory = self._memory
        if memory is not None and (clean or memory.cache is None or
                                   memory.content_dir != content_dir or
                                   memory.target != _output_dir(config)):
            self.save()
            memory = self._memory = None
        try:
            report, self._memory = _build(config, jobs, progress, clean, memory,
                                          self._unbuilt if memory is not None else None)
        finally:
            # The archive and the cache's keys, shared with forked workers: freed now rather
            # than at the interpreter's exit, where that took seconds at 251k cables.
            for file in _worker.get("matter_files", {}).values():
                file.close()
            _worker.clear()
        self._unbuilt = set()
        return report

    def save(self, interrupted: Callable[[], bool] | None = None) -> None:
        """Save the build cache, if the one saved is not the latest build's; given up as
        soon as `interrupted()` says so (see BuildCache.save)."""
        memory = self._memory
        if memory is None or memory.cache is None or not memory.unsaved:
            return
        if not memory.cache.save(interrupted):
            return
        memory.unsaved = False
        search_state = memory.cache.search
        prune_stores(memory.cache.path.parent, search_state.folder if search_state else None)

    def prepare(self) -> None:
        """Work out now what the next build would otherwise work out first (gen serve calls it
        while builds pause): the values shared with the pages it reads, and each post's
        country, which the posts page shows (together ~1.4 s at 251k cables)."""
        memory = self._memory
        if memory is None or memory.cache is None or memory.cache.archive is None:
            return
        if memory.cache.shared is None:
            memory.cache.shared = shared_values(memory.cache)
        for origin in memory.cache.archive.by_post:
            memory.cache.archive.post_country(origin)


def _output_dir(config: SiteConfig) -> Path:
    return (config.project_dir / config.output_dir).resolve()


def _build(config: SiteConfig, jobs: int | None, progress: Callable[[str], Progress] | None,
           clean: bool, memory: _Memory | None, unbuilt: set[str] | None
           ) -> tuple[BuildReport, _Memory]:
    """One build; `memory`: what the last build in this process left, if any; `unbuilt`: the
    pages changed since it, if known. Returns the report and what this build leaves."""
    started = datetime.now(UTC)
    jobs = jobs or os.cpu_count() or 1
    progress = progress or (lambda label: Progress(label, quiet=True))
    content_dir = (config.project_dir / config.content_dir).resolve()
    target = _output_dir(config)
    if target == content_dir or content_dir.is_relative_to(target) or \
            target == config.project_dir.resolve():
        raise BuildError(f"{config.source}: output_dir {config.output_dir!r} must be a folder of "
                         "its own, not the project or content folder")
    cache_dir = (config.project_dir / config.cache_dir).resolve()
    if cache_dir == target or cache_dir.is_relative_to(target):
        raise BuildError(f"{config.source}: cache_dir {config.cache_dir!r} must not be inside "
                         f"the output folder, which every full build replaces")
    theme_dirs(config)  # fail early on an unknown theme
    recover(target)  # finish applying an interrupted incremental build first
    stats: list[PageStat] | None = None
    # The archive of the cache's site/, which an edit in place patches (in place: from here
    # on it is not the archive of that site, nor the cache's, until the build has succeeded).
    last_archive: Archive | None = None
    if memory is not None and memory.cache is not None and \
            memory.cache.path.parent == cache_dir and target.is_dir():
        cache = memory.cache
        last_archive, cache.archive = cache.archive, None
    elif clean or not target.is_dir():
        # Not even loaded when it cannot serve: at 251k cables it is a few hundred MB.
        cache = BuildCache.empty(cache_dir, target)
        memory, unbuilt = None, None  # (what changed is known only since `memory`)
    else:
        # Stat'ing 251k pages takes ~1.3 s, loading the cache and its archive ~1 s: the pages
        # are stat'ed in another process meanwhile. (The archive is wasted when pages were
        # added or removed.)
        with aside(stat_pages, content_dir) as stats_made:
            cache = BuildCache.load(cache_dir, target)
            last_archive, cache.archive = _cached_archive(cache), None
            stats = stats_made()
        memory, unbuilt = None, None

    previous = cache.digests or None
    with StagedOutput(target, previous) as output:
        files_before = cache.files
        entries, read = read_content(content_dir, jobs, progress("reading"), cache,
                                     output.scratch, unbuilt, stats)
        urls = Urls(config)
        archive, change = _update_archive(last_archive, entries, read, files_before,
                                          cache.files)
        last_archive = None  # (not kept while a new one is made)
        if archive is None:
            with long_lived():
                archive = build_archive(entries)
        urls.register("tag", list(archive.by_tag))
        urls.register("post", list(archive.by_post))
        site = SiteContext(config, urls, archive)
        asset_urls = _copy_assets(config, output)

        def asset(name: str) -> str:
            if name not in asset_urls:
                raise jinja2.TemplateError(f"asset {name!r} is not a static file of the theme")
            return asset_urls[name]

        globals_ = {
            "memo": _memo_function(),
            "site": {
                "title": config.title, "description": config.description,
                "language": config.language, "root": config.root,
                "feed_url": site.href("feed.xml") if config.pages["feeds"] else None,
                "pages": dict(config.pages),
            },
            "asset": asset,
            # Not site.href: templates and their environment make reference cycles, which
            # would keep the archive alive after the build (until the collector looks).
            "url": urls.href,
        }
        env = environment(config, globals_, cache_dir / "templates")
        # What every page is rendered from besides its own data: gen's code, the config and
        # the asset URLs, and the templates it uses.
        base = digest(code_digest(), config, sorted(asset_urls.items()))
        try:
            template_keys = {name: digest(base, name, template_digest(env, name))
                             for name in PAGE_TEMPLATES}
        except jinja2.TemplateError as error:
            raise _template_error(error) from None
        # What the search index, the feeds and the sitemap are made from: every cable file
        # (their digests cover all the data of the entries) with gen's code and the config.
        entry_digests = b"".join(map(entry_digest, archive.entries))
        content_key = digest(base, entry_digests)
        groups = _FileGroups(cache.groups if previous is not None else {}, output)
        # term_store: where the cable pass puts the terms of the cables it indexes, if it does;
        # reuse: the last index's analyses, for the cables it indexes that have not changed.
        _worker.update(site=site, output=output, content_dir=content_dir, env=env,
                       cached_keys=cache.keys, template_keys=template_keys, term_store=None,
                       reuse=None)
        search_state = cache.search
        patched = None  # (search state, lists moved, cables analysed) when patched in
        early_records = output.take_records()  # (the assets': the patch's are told apart)
        search_records: list[tuple[str, bytes]] = []  # every search file's, when remade
        if not config.pages["search"]:
            search_state = None
        elif not groups.keep("search", content_key):
            patched = _patch_search(site, output, search_state, groups, base, entry_digests,
                                    jobs)
            if patched is not None:
                search_state = patched[0]
                search_records = output.take_records()
            else:
                _worker["doc_ids"] = doc_ids(entry.created for entry in archive.entries)
                if _reusable(search_state, groups, base):
                    # Cables added or removed: the index is made again, but from the analyses
                    # of the cables that did not change (their terms stay in the store, whose
                    # records are appended to).
                    _worker["term_store"] = Path(search_state.folder)
                    _worker["reuse"] = (search_state, search_state.positions_by_digest(),
                                        StoredTerms(search_state.folder))
                else:
                    _worker["term_store"] = new_store(cache_dir)
        # Only the pages the change touches need their keys worked out, when the others'
        # keys are known to be the last build's (same templates, config and code).
        if change is None or previous is None or cache.template_keys != template_keys or \
                _worker["term_store"] is not None:
            change = None
        # page -> render key; every file produced -> digest of its bytes. An edit in place
        # starts from site/'s, and replaces or drops those of the files it makes or no longer
        # makes: carrying 278k pages' records over one by one took a second at 251k cables.
        keys: dict[str, bytes] = {} if change is None else dict(cache.keys)
        digests: dict[str, bytes] = {} if change is None else dict(previous)
        digests.update(early_records)
        digests.update(search_records)
        search_lengths = array("l")
        term_locations = array("q")  # (store, offset, size, position) after each other
        rendered = 0
        bar = progress("cable pages")
        bar.total = len(archive)
        cable_work: Iterable[int] = range(len(archive)) if change is None else \
            sorted(change.cables)
        bar.advance(len(archive) - len(cable_work))
        analysed = 0
        cable_chunks = chunks(cable_work, CHUNK) if _worker["term_store"] is None else \
            _shard_chunks(cable_work, _worker["doc_ids"], CHUNK)
        for result in map_chunks(_render_cables, cable_chunks, _jobs_for(len(cable_work), jobs)):
            if isinstance(result, str):
                raise BuildError(result)
            (done, chunk_rendered, chunk_analysed, (lengths, locations), chunk_keys,
             chunk_records) = result
            rendered += chunk_rendered
            analysed += chunk_analysed
            search_lengths.extend(lengths)
            term_locations.extend(chain.from_iterable(locations))
            keys.update(chunk_keys)
            digests.update(chunk_records)
            bar.advance(done)
        bar.finish()
        bar = progress("list pages")
        list_work = list(_list_pages(site)) if change is None else \
            _changed_list_pages(site, change)
        bar.total = len(list_work)
        for result in map_chunks(_render_lists, chunks(list_work, CHUNK),
                                 _jobs_for(len(list_work), jobs)):
            if isinstance(result, str):
                raise BuildError(result)
            done, chunk_rendered, chunk_keys, chunk_records = result
            rendered += chunk_rendered
            keys.update(chunk_keys)
            digests.update(chunk_records)
            bar.advance(done)
        bar.finish()
        if change is not None:
            for file in _vanished_list_pages(site, change, keys):
                del keys[file]
                digests.pop(file, None)
        digests.update(output.take_records())  # from here on, records are of one group each
        # The index pages show the whole archive (and the build date): their contexts cost
        # a second at 251k cables, so they are not even computed when nothing changed.
        fixed_key = digest(content_key, sorted(template_keys.items()), _build_date(started))
        if groups.keep("pages", fixed_key):
            fixed = [(path, cache.keys[path]) for path in groups.made["pages"][1]]
        else:
            fixed, fixed_rendered = _write_fixed_pages(site, output, template_keys, started)
            rendered += fixed_rendered
            digests.update(groups.record("pages", fixed_key, output.take_records()))
        keys.update(fixed)
        lists = {"filters": {"tag": archive.by_tag, "origin": archive.by_post,
                             "classification": archive.by_classification,
                             "year": archive.by_year},
                 "root": config.root}
        term_store = _worker["term_store"]
        if term_store is not None:
            bar = progress("search index")
            bar.total = BUCKETS
            digests.update(write_index(output, search_lengths, _worker["doc_ids"], jobs=jobs,
                                       advance=bar.advance, **lists))
            bar.finish()
            search_state = IndexState(
                base, content_key, str(term_store),
                paths_digest(entry.path for entry in archive.entries), entry_digests,
                search_lengths, term_locations, _worker["doc_ids"])
        elif patched is not None:
            # An edit in place: only the filter lists of the tags, posts, classifications and
            # years that gained or lost cables, unless doc ids moved.
            write_lists(output, search_state.doc_ids, **lists,
                        only=None if change is None or patched[1] else {
                            ("origin" if kind == "post" else kind, key)
                            for kind, key in change.reshaped
                            if kind in ("tag", "post", "classification", "year")})
            search_state = replace(search_state, key=content_key, entries=entry_digests)
            search_records += output.take_records()
        if term_store is not None or patched is not None:
            digests.update(output.take_records())
            if term_store is not None:  # result data included: workers wrote it
                search_records = [(path, file_digest) for path, file_digest in digests.items()
                                  if path.startswith("search/") and path not in SEARCH_PAGES]
            digests.update(groups.record("search", content_key, search_records))
        if config.pages["feeds"] and not groups.keep("feeds", content_key):
            _write_feeds(site, output, change.lists if change is not None else None)
            digests.update(groups.record("feeds", content_key, output.take_records()))
        # The sitemap lists the pages: the same pages, the same sitemap.
        if not (change is not None and keys.keys() == cache.keys.keys()
                and groups.keep_unchanged("sitemap")) and \
                not groups.keep("sitemap", content_key):
            _write_robots_and_sitemap(site, output)
            digests.update(groups.record("sitemap", content_key, output.take_records()))
        digests.update(output.take_records())  # what this process kept
        if change is not None:  # files of site/'s groups that no group makes now
            for file in groups.dropped():
                keys.pop(file, None)
                digests.pop(file, None)
        changed = len(changed_records(digests, previous)) if previous is not None else \
            len(digests)
        removed = len(previous.keys() - digests.keys()) if previous is not None else 0
        # Nothing changed: the saved cache is still exact (saving it takes seconds at 251k).
        cache_current = previous is not None and not changed and not removed and \
            cache.files == files_before and keys == cache.keys and groups.made == cache.groups
        if not cache_current:
            # site/ is about to change: until the new cache is saved, none is valid.
            cache.forget()
            if memory is not None:
                memory.cache = None
        output.commit(digests)
    if not cache_current:
        cache.keys, cache.digests = keys, digests
        cache.groups = groups.made
        cache.search = search_state
        cache.template_keys = template_keys
        cache.countries = dict(archive.countries)  # (the archive may change in a next build)
    cache.archive = archive
    seconds = (datetime.now(UTC) - started).total_seconds()
    indexed = analysed if term_store is not None else len(patched[2]) if patched else 0
    report = BuildReport(cables=len(archive), pages=len(keys), seconds=seconds, rendered=rendered,
                         changed=changed, removed=removed, incremental=previous is not None,
                         indexed=indexed, checked=len(cable_work) + len(list_work))
    return report, _Memory(target, content_dir, cache,
                           unsaved=not cache_current or (memory is not None and memory.unsaved))


def _memo_function() -> Callable[..., list]:
    """The templates' memo(macro, items, key): [macro(item) for item in items], each output
    made once per build and process for each item[key] (a cable in a list, whose row is the
    same on its tag, post, classification, year and month pages: made once, not six times)."""
    made: dict[tuple[str, Any], Any] = {}

    def memo(macro: Callable[..., Any], items: Iterable[Any], key: str) -> list:
        name = getattr(macro, "name", None)
        if name is None:
            raise jinja2.TemplateError("memo() takes a macro first")
        outputs = []
        for item in items:
            output = made.get((name, item[key]))
            if output is None:
                output = made[name, item[key]] = macro(item)
            outputs.append(output)
        return outputs

    return memo


def _jobs_for(work: int, jobs: int, alone: int = 20 * CHUNK) -> int:
    """Worker processes for `work` pages: none for `alone` pages or fewer, which take less
    time than forking workers from a main process that may hold 251k cables (the default:
    checking a page's key; reading a page costs more)."""
    return jobs if work > alone else 1


def _update_archive(last: Archive | None, entries: list[CableEntry], read: list[CableEntry],
                    files_before: dict, files: dict) -> tuple[Archive | None, ArchiveChange | None]:
    """The archive with the pages read since the `last` build's, and what that changed: the
    last one with them put in when they only edit cables in place (see update_archive), or
    one built anew when they only add cables (see cables_added); else (None, None), or the
    archive built anew and None: every page must be looked at."""
    olds = [files_before.get(entry.path, (0, 0, None))[2] for entry in read]  # as last built
    if last is None:
        return None, None
    if read and all(old is None for old in olds) and len(entries) == len(last) + len(read) and \
            len(files) == len(files_before) + len(read):  # (then no page went)
        with long_lived():
            archive = build_archive(entries)
        return archive, cables_added(last, archive, read)
    if len(files) != len(files_before) or len(entries) != len(last) or \
            any(old is None for old in olds):
        return None, None
    change = update_archive(last, [entry for entry, old in zip(read, olds, strict=True)
                                   if old.digest != entry.digest])
    return (last, change) if change is not None else (None, None)


def _cached_archive(cache: BuildCache) -> Archive | None:
    """The archive of the cache's site/: as saved with it, else made again from its entries
    (no dearer than making the new one, which an edit in place then does not need); with the
    post countries kept."""
    archive = cache.archive
    if archive is None:
        entries = [entry for _mtime, _size, entry in cache.files.values() if entry is not None]
        if not entries:
            return None
        with long_lived():
            archive = build_archive(entries)
    archive.countries.update(cache.countries)
    return archive


def _reusable(state: IndexState | None, groups: _FileGroups, base: bytes) -> bool:
    """Whether the index in site/ was made by this code and config from `state`."""
    last = groups.last.get("search")
    return state is not None and last is not None and state.key == last[0] and \
        state.base == base and Path(state.folder).is_dir()


def _patch_search(site: SiteContext, output: StagedOutput, state: IndexState | None,
                  groups: _FileGroups, base: bytes, entry_digests: bytes, jobs: int
                  ) -> tuple[IndexState, bool, list[int]] | None:
    """The search index of the last build patched for the few cables that changed, came or
    went since: its state, whether every filter list must be written again (cables came or
    went, or doc ids moved), and the cables analysed; None (nothing done) when it cannot be
    (see search/patch.py)."""
    last = groups.last.get("search")
    if last is None or state is None:
        return None
    entries = site.archive.entries
    changes = index_changes(state, base, last[0], [entry.path for entry in entries],
                           entry_digests, lambda position: entries[position].created)
    if changes is None:
        return None
    _worker["doc_ids"] = changes.doc_ids
    patched = patch_index(output, state, changes, _analyse_changed(site, changes.added),
                          last[1], jobs)
    if patched is None:
        return None
    moved = changes.sources is not None or changes.doc_ids != state.doc_ids
    return patched, moved, changes.added


def _shard_chunks(positions: Iterable[int], ids: array, size: int) -> Iterator[list[int]]:
    """Chunks of about `size` positions for the workers that index them: a result data
    shard is written whole by one of them, so a chunk ends where a shard does."""
    chunk: list[int] = []
    for position in positions:
        if len(chunk) >= size and result_shard(ids[position]) != result_shard(ids[chunk[-1]]):
            yield chunk
            chunk = []
        chunk.append(position)
    if chunk:
        yield chunk


class _FileGroups:
    """Groups of files made from the whole archive (see cache.py): kept whole, unread, when
    the key of their inputs is the last build's."""

    def __init__(self, last: dict[str, tuple[bytes, list[str]]], output: StagedOutput) -> None:
        self.last = last
        self.output = output
        self.made: dict[str, tuple[bytes, list[str]]] = {}

    def keep(self, name: str, key: bytes) -> bool:
        """Keep the group's files if `key` is unchanged; whether it was."""
        last = self.last.get(name)
        return last is not None and last[0] == key and self.keep_unchanged(name)

    def keep_unchanged(self, name: str) -> bool:
        """Keep the group's files, if the last build made it: the caller knows their inputs
        have not changed, whatever the key says; whether it did."""
        last = self.last.get(name)
        if last is None:
            return False
        self.output.keep_all(last[1])
        self.made[name] = last
        return True

    def record(self, name: str, key: bytes, records: list[tuple[str, bytes]]
               ) -> list[tuple[str, bytes]]:
        """The group was made again: these are its files' records (returned)."""
        self.made[name] = (key, [path for path, _ in records])
        return records

    def dropped(self) -> set[str]:
        """The files of the last build's groups that no group made now holds."""
        made = {path for _key, paths in self.made.values() for path in paths}
        return {path for _key, paths in self.last.values() for path in paths} - made


def _build_date(now: datetime) -> str:
    """Today, or SOURCE_DATE_EPOCH's date for reproducible builds (reproducible-builds.org)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).date().isoformat()
    return now.date().isoformat()


def _write_fixed_pages(site: SiteContext, output: StagedOutput,
                       template_keys: dict[str, bytes], started: datetime
                       ) -> tuple[list[tuple[str, bytes]], int]:
    """Home, 404, search and the index pages; returns their (path, key) and how many were
    rendered (the others had not changed)."""
    archive = site.archive
    months = _timeline_months(site)
    # Dated cables come first, oldest first (build_archive's order): the first and last dates
    # are found without looking at every cable.
    first = archive.entries[0].created if archive.entries else None
    last = next((entry.created for entry in reversed(archive.entries) if entry.created), None)
    home = {
        "counts": site.classifications(),
        "total": len(archive),
        "first": first[:10] if first else None,
        "last": last[:10] if last else None,
        "timeline_svg": timeline_svg(months),
        "top_tags": site.top("tag"),
        "top_posts": site.top("post"),
        "latest": site.latest(),
        "generated": _build_date(started),
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
    keys = []
    rendered = 0
    for path, template, context in pages:
        key = digest(template_keys[template], context)
        keys.append((path, key))
        if _unchanged(path, key):
            output.keep(path)
        else:
            output.write(path, _render(template, context))
            rendered += 1
    return keys, rendered


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
        origin = site.config.origin  # a property: computed once, not once per URL
        urls = (f"{origin}{href}" for href in _sitemap_urls(site))
        for name, xml in sitemap_files(urls, absolute):
            output.write(name, xml)
        lines.append(f"Sitemap: {absolute}sitemap.xml")
    output.write("robots.txt", "\n".join(lines) + "\n")

