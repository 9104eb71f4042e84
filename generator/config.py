"""Site configuration: `gen.yaml` in the project folder, every key optional.

Unknown keys and bad values are errors that name the file, the key and what is expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CONFIG_NAME = "gen.yaml"

PAGE_KINDS = ("tags", "posts", "classifications", "dates", "feeds", "sitemap", "search")

DEFAULT_PERMALINKS = {
    "cable": "cable/{year}/{month}/{reference_id}.html",
    "tag": "tag/{tag}/",
    "post": "origin/{post}/",
    "classification": "classification/{classification}/",
    "year": "date/{year}/",
    "month": "date/{year}-{month}/",
}
_PERMALINK_FIELDS = {
    "cable": {"year", "month", "reference_id"},
    "tag": {"tag"},
    "post": {"post"},
    "classification": {"classification"},
    "year": {"year"},
    "month": {"year", "month"},
}


class ConfigError(Exception):
    pass


@dataclass
class SiteConfig:
    title: str = "Cable archive"
    description: str = "An archive of diplomatic cables."
    base_url: str = "/"
    language: str = "en"
    theme: str = "default"
    content_dir: str = "content"
    output_dir: str = "site"
    cache_dir: str = ".gen-cache"
    page_size: int = 100
    feed_size: int = 50
    permalinks: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_PERMALINKS))
    pages: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(PAGE_KINDS, True))
    project_dir: Path = field(default_factory=Path.cwd)
    source: str = "(defaults)"

    @property
    def root(self) -> str:
        """The URL path the site lives under: `/` or `/archive/`."""
        match = re.match(r"^(?:[a-z][a-z0-9+.-]*://[^/]+)?(/.*)?$", self.base_url, re.I)
        path = (match.group(1) if match else None) or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def origin(self) -> str | None:
        """Scheme and host of an absolute base URL (`https://example.org`), else None."""
        base = self.absolute_base
        return base[: len(base) - len(self.root)] if base else None

    @property
    def absolute_base(self) -> str | None:
        """The base URL with scheme and host, needed by feeds and the sitemap; None if not set."""
        if re.match(r"^[a-z][a-z0-9+.-]*://", self.base_url, re.I):
            return self.base_url.rstrip("/") + "/"
        return None


def _expect(condition: bool, source: str, key: str, what: str) -> None:
    if not condition:
        raise ConfigError(f"{source}: '{key}' must be {what}")


def load_config(project_dir: Path, path: Path | None = None) -> SiteConfig:
    """Read gen.yaml (or `path`) from the project folder; a missing default file means defaults."""
    project_dir = Path(project_dir)
    config_path = path or project_dir / CONFIG_NAME
    config = SiteConfig(project_dir=project_dir)
    if not config_path.exists():
        if path is not None:
            raise ConfigError(f"{config_path}: no such configuration file")
        return config
    source = str(config_path)
    try:
        data = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{source}{where}: not valid YAML: {error}") from error
    if data is None:
        data = {}
    _expect(isinstance(data, dict), source, "(top level)", "a mapping of keys to values")
    config.source = source
    return _apply(config, data, source)


def _apply(config: SiteConfig, data: dict[str, Any], source: str) -> SiteConfig:
    known = {"title", "description", "base_url", "language", "theme", "content_dir",
             "output_dir", "cache_dir", "page_size", "feed_size", "permalinks", "pages"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {', '.join(map(repr, unknown))}; "
                          f"known keys: {', '.join(sorted(known))}")
    for key in ("title", "description", "base_url", "language", "theme", "content_dir",
                "output_dir", "cache_dir"):
        if key in data:
            _expect(isinstance(data[key], str) and data[key].strip() != "", source, key,
                    "a non-empty string")
            setattr(config, key, data[key])
    for key in ("page_size", "feed_size"):
        if key in data:
            value = data[key]
            _expect(isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 10_000,
                    source, key, "a whole number from 1 to 10000")
            setattr(config, key, value)
    _expect(bool(re.match(r"^(?:[a-z][a-z0-9+.-]*://[^/\s]+)?(?:/[^\s]*)?$", config.base_url,
                          re.I)) or config.base_url == "/",
            source, "base_url", "a URL (https://example.org/archive/) or a path (/archive/)")
    _expect(bool(re.fullmatch(r"[A-Za-z0-9_.-]+", config.theme)), source, "theme",
            "a theme folder name")
    if "permalinks" in data:
        links = data["permalinks"]
        _expect(isinstance(links, dict), source, "permalinks", "a mapping")
        for kind, pattern in links.items():
            _expect(kind in DEFAULT_PERMALINKS, source, f"permalinks.{kind}",
                    "one of " + ", ".join(DEFAULT_PERMALINKS))
            # A folder (`tag/{tag}/`) or a file with an extension (`tag/{tag}.html`): a page
            # named `tag/PHUM` would be served without a type, and a list's further pages and
            # feed go in a folder of that name.
            _expect(isinstance(pattern, str) and not pattern.startswith("/")
                    and ".." not in pattern and bool(re.search(r"(/|\.\w+)$", pattern)),
                    source, f"permalinks.{kind}", "a relative URL pattern ending in / or in "
                    "an extension, such as " + DEFAULT_PERMALINKS[kind])
            used = set(re.findall(r"\{(\w+)\}", pattern))
            allowed = _PERMALINK_FIELDS[kind]
            _expect(used <= allowed and (kind != "cable" or "reference_id" in used), source,
                    f"permalinks.{kind}", "a pattern using only {" + "}, {".join(sorted(allowed))
                    + "}")
            config.permalinks[kind] = pattern
    if "pages" in data:
        pages = data["pages"]
        _expect(isinstance(pages, dict), source, "pages", "a mapping of page kinds to true/false")
        for kind, enabled in pages.items():
            _expect(kind in PAGE_KINDS, source, f"pages.{kind}", "one of " + ", ".join(PAGE_KINDS))
            _expect(isinstance(enabled, bool), source, f"pages.{kind}", "true or false")
            config.pages[kind] = enabled
    return config
