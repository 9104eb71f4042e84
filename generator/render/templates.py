"""The theme: Jinja2 templates and static files, looked up by name through the theme chain
(the configured theme, then the default theme), with fingerprinted asset URLs."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.meta

from generator.config import SiteConfig

BUNDLED_THEMES = Path(__file__).resolve().parent.parent.parent / "themes"


class ThemeError(Exception):
    pass


def theme_dirs(config: SiteConfig) -> list[Path]:
    """Theme folders in lookup order: the project's, then gen's, for the theme then default."""
    candidates = []
    for name in dict.fromkeys([config.theme, "default"]):
        candidates += [config.project_dir / "themes" / name, BUNDLED_THEMES / name]
    found = list(dict.fromkeys(path.resolve() for path in candidates if path.is_dir()))
    if not any(path.name == config.theme for path in found):
        raise ThemeError(f"{config.source}: theme {config.theme!r} not found in "
                         f"{config.project_dir / 'themes'} or {BUNDLED_THEMES}")
    return found


def static_files(config: SiteConfig) -> dict[str, Path]:
    """Static file name -> the file that wins (earlier theme folders override later ones)."""
    files: dict[str, Path] = {}
    for folder in reversed(theme_dirs(config)):
        static = folder / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    files[path.relative_to(static).as_posix()] = path
    return files


def fingerprinted(name: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:10]
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"


class PageEnvironment(jinja2.Environment):
    """`x.name` on a mapping is its item `name` first, then its attribute (Jinja's order is
    the reverse). Page contexts are dicts: Jinja's getattr failed with an AttributeError
    before finding the item, ~360 times a cable page (~5% of a build). A theme that wants a
    dict's method where the dict has an item of that name writes `x["name"]` — see
    themes/README.md."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for this process's next builds (gen serve): Jinja
    compiles a template again only when its source changed (it checks)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()
# (name, file, source) -> the templates it extends, includes or imports
_REFERENCES: dict[tuple[str, str | None, str], list[str]] = {}


def environment(config: SiteConfig, globals_: dict) -> jinja2.Environment:
    loaders = [jinja2.FileSystemLoader(str(folder / "templates"))
               for folder in theme_dirs(config)]
    env = PageEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_COMPILED,
    )
    env.globals.update(globals_)
    return env


def template_digest(env: jinja2.Environment, name: str) -> bytes:
    """Digest of a template and of every template it extends, includes or imports: what a
    page rendered from it depends on, so that a template change re-renders only its pages."""
    hasher = hashlib.blake2b(digest_size=16)
    seen: set[str] = set()
    pending = [name]
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        source, filename, _uptodate = env.loader.get_source(env, current)
        hasher.update(f"{current}\0{filename}\0".encode() + source.encode("utf-8") + b"\0")
        key = (current, filename, source)
        if key not in _REFERENCES:  # parsed once per process and source
            _REFERENCES[key] = sorted(
                referenced for referenced in
                jinja2.meta.find_referenced_templates(env.parse(source, current, filename))
                if referenced is not None)
        pending += _REFERENCES[key]
    return hasher.digest()
