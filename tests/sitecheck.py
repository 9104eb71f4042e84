"""Read a built site with the standard library only: pages as small element trees, their links
and ids, internal URLs resolved to files, and broken links and missing `#fragment` anchors.

    site = Site(Path("site"), root="/")          # root: the URL path the site is served under
    page = site.page("cable/2008/12/08OSLO670.html")
    page.doc.find_all("a", cls="refid")          # elements, with .attrs, .text(), .classes
    site.broken_links()                          # ["tags/index.html: href '/tag/X/' -> ..."]

An internal URL is root-relative (`/tag/PHUM/`) or relative (`../PHUM/`); `…/` is served by
`…/index.html`. A root-relative URL outside the root path is reported as broken, and so is a
`javascript:` URL. Other schemes (`https:`, `mailto:`, `data:`) are external and only collected.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr"}
URL_ATTRS = {"href", "src", "action", "poster", "data"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str | None] = field(default_factory=dict)
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False)
    line: int = 0

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        """All the text inside, entities decoded, as written (whitespace kept)."""
        return "".join(child if isinstance(child, str) else child.text()
                       for child in self.children)

    def clean_text(self) -> str:
        """The text with whitespace runs collapsed, as a reader sees it."""
        return " ".join(self.text().split())

    def iter(self) -> Iterator[Element]:
        """This element and every element inside it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(self, tag: str | None = None, cls: str | None = None,
                 **attrs: str) -> list[Element]:
        return [element for element in self.iter()
                if (tag is None or element.tag == tag)
                and (cls is None or cls in element.classes)
                and all(element.attrs.get(name) == value for name, value in attrs.items())]

    def find(self, tag: str | None = None, cls: str | None = None,
             **attrs: str) -> Element | None:
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None

    def ancestors(self) -> Iterator[Element]:
        element = self.parent
        while element is not None:
            yield element
            element = element.parent


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), parent=self.stack[-1], line=self.getpos()[0])
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs), parent=self.stack[-1], line=self.getpos()[0])
        self.stack[-1].children.append(element)

    def handle_endtag(self, tag: str) -> None:
        # Close up to the matching open element; a stray end tag is ignored.
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


@dataclass
class Link:
    page: str  # the file it is on, relative to the site folder
    tag: str
    attr: str
    url: str
    element: Element = field(repr=False)


class Page:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text

    @cached_property
    def doc(self) -> Element:
        return parse_html(self.text)

    @cached_property
    def ids(self) -> set[str]:
        ids = set()
        for element in self.doc.iter():
            if element.attrs.get("id"):
                ids.add(element.attrs["id"])
            if element.tag == "a" and element.attrs.get("name"):
                ids.add(element.attrs["name"])
        return ids

    @cached_property
    def links(self) -> list[Link]:
        return [Link(self.path, element.tag, attr, value or "", element)
                for element in self.doc.iter()
                for attr, value in element.attrs.items() if attr in URL_ATTRS]

    def h1(self) -> list[str]:
        return [element.clean_text() for element in self.doc.find_all("h1")]


@dataclass
class Target:
    """Where an internal URL leads: the file (relative to the site folder) and the fragment."""

    file: str | None
    fragment: str
    problem: str | None = None


class Site:
    def __init__(self, folder: Path, root: str = "/") -> None:
        self.folder = Path(folder)
        self.root = root if root.endswith("/") else root + "/"
        self._pages: dict[str, Page] = {}

    # -- files ------------------------------------------------------------------------------

    def files(self) -> list[str]:
        """Every file of the site, relative, sorted."""
        return sorted(path.relative_to(self.folder).as_posix()
                      for path in self.folder.rglob("*") if path.is_file())

    def html_files(self) -> list[str]:
        return [name for name in self.files() if name.endswith(".html")]

    def exists(self, relative: str) -> bool:
        return (self.folder / relative).is_file()

    def page(self, relative: str) -> Page:
        if relative not in self._pages:
            text = (self.folder / relative).read_text(encoding="utf-8")
            self._pages[relative] = Page(relative, text)
        return self._pages[relative]

    def pages(self) -> Iterator[Page]:
        for name in self.html_files():
            yield self.page(name)

    # -- URLs -------------------------------------------------------------------------------

    @staticmethod
    def file_for(path: str) -> str:
        """The file that serves a site-relative URL path: `tag/X/` -> `tag/X/index.html`."""
        return path + "index.html" if path == "" or path.endswith("/") else path

    def url_of(self, relative_file: str) -> str:
        """The root-relative URL of a file: `tag/X/index.html` -> `/tag/X/`."""
        if relative_file == "index.html" or relative_file.endswith("/index.html"):
            relative_file = relative_file[: -len("index.html")]
        return self.root + relative_file

    @staticmethod
    def is_external(url: str) -> bool:
        scheme = _SCHEME.match(url)
        return bool(scheme) and scheme.group(1).lower() != "javascript" or url.startswith("//")

    def resolve(self, url: str, from_file: str) -> Target:
        """Resolve an internal URL found on `from_file` (both relative to the site folder)."""
        scheme = _SCHEME.match(url)
        if scheme and scheme.group(1).lower() == "javascript":
            return Target(None, "", "javascript: URL")
        parts = urlsplit(url)
        fragment = unquote(parts.fragment)
        path = unquote(parts.path)
        if path == "":
            return Target(from_file, fragment)  # `#frag` or `?query`: this page
        if path.startswith("/"):
            if not path.startswith(self.root):
                return Target(None, fragment, f"outside the site root {self.root}")
            site_path = path[len(self.root):]
        else:
            site_path = posixpath.join(posixpath.dirname(from_file), path)
        folder = site_path in ("", ".", "..") or site_path.endswith(("/", "/.", "/.."))
        normal = posixpath.normpath(site_path) if site_path else "."
        if normal == ".." or normal.startswith("../"):
            return Target(None, fragment, "climbs out of the site folder")
        if normal == ".":
            normal = ""
        elif folder:
            normal += "/"
        return Target(self.file_for(normal), fragment)

    def check_link(self, link: Link) -> str | None:
        """What is wrong with a link, or None."""
        if not link.url.strip():
            return "empty URL"
        if self.is_external(link.url):
            return None
        target = self.resolve(link.url.strip(), link.page)
        if target.problem:
            return target.problem
        assert target.file is not None
        if not self.exists(target.file):
            if self.exists(target.file + "/index.html"):
                return f"{target.file} is a folder (the URL needs a trailing slash)"
            return f"no file {target.file}"
        if target.fragment and target.file.endswith(".html") \
                and target.fragment not in self.page(target.file).ids:
            return f"no id {target.fragment!r} in {target.file}"
        return None

    def broken_links(self) -> list[str]:
        problems = []
        for page in self.pages():
            for link in page.links:
                problem = self.check_link(link)
                if problem:
                    problems.append(f"{page.path}: <{link.tag} {link.attr}={link.url!r}>: "
                                    f"{problem}")
        return problems

    def external_links(self) -> list[Link]:
        return [link for page in self.pages() for link in page.links
                if self.is_external(link.url)]

    def tree_hash(self) -> dict[str, str]:
        return tree_hash(self.folder)


def tree_hash(folder: Path) -> dict[str, str]:
    """File name (relative) -> sha256 of its bytes, for every file under `folder`."""
    folder = Path(folder)
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}
