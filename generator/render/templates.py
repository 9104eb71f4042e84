"""The theme: Jinja2 templates and static files, looked up by name through the theme chain
(the configured theme, then the default theme), with fingerprinted asset URLs."""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import suppress
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
    """Compiled templates kept in memory for this process's next builds (gen serve), and in
    `folder` (the build cache's) for the next processes: compiling the theme took ~0.1 s of
    every `gen build`. Jinja compiles a template again when its source changed (it checks)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self.folder: Path | None = None

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._get(bucket.key)
        if code is None:
            return
        try:
            bucket.bytecode_from_string(code)
        except Exception:  # a damaged file: the template is compiled again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._put(bucket.key, bucket.bytecode_to_string())

    def referenced(self, env: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> list[str]:
        """The templates a template's source extends, includes or imports (parsing the theme
        for them took ~0.07 s of every `gen build`: kept like the compiled code). Kept under
        the template's name with its source's checksum, as Jinja keeps compiled code, so that
        editing a template replaces its file instead of adding one."""
        key = "refs-" + hashlib.sha1(f"{name}\0{filename}".encode()).hexdigest()
        checksum = hashlib.sha1(source.encode()).hexdigest()
        stored = self._get(key)
        if stored is not None:
            with suppress(ValueError, KeyError, TypeError):  # a damaged file: parsed again
                kept = json.loads(stored)
                if isinstance(kept, dict) and kept.get("source") == checksum:
                    return list(kept["templates"])
        names = sorted(referenced for referenced in
                       jinja2.meta.find_referenced_templates(env.parse(source, name, filename))
                       if referenced is not None)
        self._put(key, json.dumps({"source": checksum, "templates": names}).encode())
        return names

    def _get(self, key: str) -> bytes | None:
        if key not in self._code and self.folder is not None:
            with suppress(OSError):
                self._code[key] = (self.folder / key).read_bytes()
        return self._code.get(key)

    def _put(self, key: str, data: bytes) -> None:
        self._code[key] = data
        if self.folder is not None:
            with suppress(OSError):  # only ever a saving
                self.folder.mkdir(parents=True, exist_ok=True)
                temporary = self.folder / f"{key}.{os.getpid()}.tmp"
                temporary.write_bytes(data)
                os.replace(temporary, self.folder / key)


_COMPILED = _CompiledTemplates()


def environment(config: SiteConfig, globals_: dict, compiled: Path | None = None
                ) -> jinja2.Environment:
    """The theme's environment; `compiled`: a folder to keep compiled templates in."""
    _COMPILED.folder = compiled
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
        pending += _COMPILED.referenced(env, current, filename, source)
    return hasher.digest()
