"""Where every page lives: URL paths (under the site root) and the files that serve them."""

from __future__ import annotations

import posixpath
import re

from generator.config import SiteConfig


def slugify(text: str) -> str:
    """A URL-safe name: `SECRET//NOFORN` -> `secret-noforn`."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


class Urls:
    """URL paths relative to the site root (no leading slash); `href()` adds the root."""

    def __init__(self, config: SiteConfig) -> None:
        self.root = config.root
        self.patterns = config.permalinks
        self._slugs: dict[str, dict[str, str]] = {}

    def href(self, path: str) -> str:
        return self.root + path

    @staticmethod
    def output_file(path: str) -> str:
        """The file that serves a URL path: `tag/PHUM/` -> `tag/PHUM/index.html`."""
        return path + "index.html" if path == "" or path.endswith("/") else path

    @staticmethod
    def pages_folder(path: str) -> str:
        """The folder of the further pages of the list at `path`."""
        return f"{_folder(path)}page/"

    def paged(self, path: str, name: str) -> str:
        """A further page of the list at `path`, by its name (see SiteContext.list_path)."""
        return f"{self.pages_folder(path)}{name}/"

    def cable(self, reference_id: str, created: str | None) -> str:
        year, month = (created[:4], created[5:7]) if created else ("undated", "00")
        return self.patterns["cable"].format(year=year, month=month, reference_id=reference_id)

    def register(self, kind: str, names: list[str]) -> None:
        """Give each tag code or post name a unique URL slug (unique ignoring case, so that
        `PHUM` and `phum` do not share a folder on a case-insensitive disk)."""
        slugs = self._slugs.setdefault(kind, {})
        used = {slug.lower() for slug in slugs.values()}
        for name in sorted(names):
            if name in slugs:
                continue
            base = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-") or kind
            if kind == "post":
                base = base.lower()
            candidate, suffix = base, 2
            while candidate.lower() in used:
                candidate, suffix = f"{base}-{suffix}", suffix + 1
            used.add(candidate.lower())
            slugs[name] = candidate

    def tag(self, code: str) -> str:
        return self.patterns["tag"].format(tag=self._slugs["tag"][code])

    def post(self, name: str) -> str:
        return self.patterns["post"].format(post=self._slugs["post"][name])

    def classification(self, name: str) -> str:
        return self.patterns["classification"].format(classification=slugify(name))

    def year(self, year: str) -> str:
        return self.patterns["year"].format(year=year)

    def month(self, year: str, month: str) -> str:
        return self.patterns["month"].format(year=year, month=month)

    @staticmethod
    def feed(path: str) -> str:
        """The Atom feed of a list: `tag/PHUM/` -> `tag/PHUM/feed.xml`."""
        return _folder(path) + "feed.xml"


def _folder(path: str) -> str:
    """The folder of a list's further pages and feed: `tag/PHUM/` itself, or `tag/PHUM/` for
    a list at `tag/PHUM.html` (not `tag/`, which every tag's list would share)."""
    return path if path.endswith("/") else posixpath.splitext(path)[0] + "/"
