"""A page's front matter: YAML, written in one narrow block style, and read directly when it
is in that style, else by PyYAML.

PyYAML's constructor is Python: 0.38 ms for a typical cable's front matter, 95 s of CPU for
251k cables, on every clean build. The direct reader takes the lines gen's importer writes
(`key: value`, nested mappings indented by two, `- ` sequences, plain and quoted one-line
scalars, `[]`) and resolves plain scalars with PyYAML's own rules (null, bool, int); anything
else (comments, blank lines, tabs, anchors, block or multi-line scalars, floats, dates ...)
is left to PyYAML, which also gives the errors. Same result either way (tests).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# libyaml's emitter is several times faster than the pure-Python one.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_BOOLS = yaml.constructor.SafeConstructor.bool_values
_NULL, _BOOL, _INT = (f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int"))
_PLAIN_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?")
# What PyYAML's reader refuses, and what the direct reader leaves to it: tabs, line breaks
# other than \n (CR, NEL, U+2028/9), byte order marks.
_UNUSUAL = re.compile("[^\x0a\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                      "\U00010000-\U0010ffff]")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_PLAIN_KEYS: set[str] = set()  # keys seen to be strings (not null, bool ...): a few dozen


class _Unusual(Exception):
    """Not in the importer's style: PyYAML reads it."""


def dump(fields: dict) -> str:
    """Front matter text: block style, keys in the given order, no line ever wrapped."""
    return yaml.dump(fields, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=1_000_000, default_flow_style=False)


def load(text: str) -> Any:
    """The front matter `text` as PyYAML's safe loader reads it; raises yaml.YAMLError."""
    try:
        return _direct(text)
    except _Unusual:
        return yaml.load(text, Loader=_Loader)


def _direct(text: str) -> dict:
    if not text or _UNUSUAL.search(text):
        raise _Unusual
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    matter, end = _mapping(lines, 0, 0)
    if end != len(lines):
        raise _Unusual
    return matter


def _mapping(lines: list[str], start: int, indent: int) -> tuple[dict, int]:
    """The mapping whose keys start at column `indent`, from line `start`; and the line after."""
    result: dict = {}
    at = start
    while at < len(lines):
        line = lines[at]
        if len(line) - len(line.lstrip(" ")) != indent or line.startswith("- ", indent):
            if at == start:
                raise _Unusual
            break  # the mapping ended: less indented, or the next item of a sequence
        match = _KEY.fullmatch(line, indent)
        if not match:
            raise _Unusual
        key, text = match.groups()
        if key not in _PLAIN_KEYS:
            if _resolve(key) is not key or len(_PLAIN_KEYS) > 1000:
                raise _Unusual
            _PLAIN_KEYS.add(key)
        at += 1
        if text is not None:
            result[key] = _scalar(text)
        elif at < len(lines) and lines[at].startswith("- ", indent) and \
                lines[at][:indent].strip(" ") == "":
            result[key], at = _sequence(lines, at, indent)
        elif at < len(lines) and lines[at].startswith(" " * (indent + 2)):
            result[key], at = _mapping(lines, at, indent + 2)
        else:
            result[key] = None
    return result, at


def _sequence(lines: list[str], start: int, indent: int) -> tuple[list, int]:
    """The `- ` items at column `indent`, from line `start`; and the line after."""
    result: list = []
    at = start
    prefix = " " * indent + "- "
    while at < len(lines) and lines[at].startswith(prefix):
        item = lines[at][len(prefix):]
        if _KEY.fullmatch(item):  # a mapping: its first key here, the others below
            lines[at] = " " * (indent + 2) + item
            value, at = _mapping(lines, at, indent + 2)
            result.append(value)
        else:
            result.append(_scalar(item))
            at += 1
    return result, at


def _scalar(text: str) -> Any:
    if text == "[]":
        return []
    if text == "{}":
        return {}
    first = text[:1]
    if first == "'":
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != "'" or "'" in inner.replace("''", ""):
            raise _Unusual
        return inner.replace("''", "'")
    if first == '"':
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != '"' or '"' in inner or "\\" in inner:
            raise _Unusual
        return inner
    if not first or first in _INDICATORS or first == " " or text[-1] in " :" or \
            ": " in text or " #" in text:
        raise _Unusual
    return _resolve(text)


def _resolve(text: str) -> Any:
    """A plain scalar's value by PyYAML's implicit resolvers: null, bool, simple int, or
    the text itself (the very object: keys are checked with `is`)."""
    for tag, pattern in _RESOLVERS.get(text[0], ()):
        if pattern.match(text):
            if tag == _NULL:
                return None
            if tag == _BOOL:
                return _BOOLS[text.lower()]
            if tag == _INT and _PLAIN_INT.fullmatch(text):
                return int(text)
            raise _Unusual  # a float, a date, an octal or sexagesimal int ...
    return text
