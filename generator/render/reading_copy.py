"""A page body written by `gen import` rendered directly, without markdown-it.

The importer writes a narrow Markdown dialect (content/page.py): paragraphs of one line whose
Markdown characters are all backslash-escaped, each optionally under a `{#p4 .comment}`
attribute line and starting with `¶4. ` and a `[(SBU)]{.marking .marking-sbu}` span, `### `
headings, and the original text in a `cable-original` fence. markdown-it spends ~1 ms on such a
body (~4 minutes of CPU at 251k cables); this module renders it in a few hundredths of that,
to the same bytes (tests compare the two on every sample page and on generated text).

Anything outside the dialect (a page edited by hand, say) returns None, and the body goes to
markdown-it: the checks below are strict, so that only text whose rendering is certain is
rendered here.
"""

from __future__ import annotations

import re

from generator.content.page import ORIGINAL_FENCE_INFO

# Characters markdown-it may treat as syntax (commonmark preset, attrs plugins), or that would
# close a heading: in the dialect they only ever appear backslash-escaped. ("!" is syntax only
# before "[", which is always escaped.)
_SYNTAX = re.compile(r"[\\`*_\[\]<>&{}#~|\n]")  # and a line break: one line only
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")  # `\x`, x ASCII punctuation: renders x
# A paragraph's first characters must not open another block (list, quote, heading, fence,
# code, thematic break...): the importer escapes these.
_BLOCK_OPENER = re.compile(r"[-+*>#=~_`|<\s]|\d{1,9}[.)]")
_ID, _CLASS = r"[A-Za-z][A-Za-z0-9_-]*", r"\.[A-Za-z][A-Za-z0-9_-]*"
_ATTRIBUTES = re.compile(r"\{(?:#(%s)((?: %s)*)|(%s(?: %s)*))\}" % (_ID, _CLASS, _CLASS, _CLASS))
_MARKING = re.compile(r"(¶\S* )?\[\(([A-Za-z0-9/ ]+)\)\]"
                      r"\{\.marking \.marking-([a-z][a-z-]*)\}( |$)")
# Characters that markdown-it or Python treat as line ends or rewrite (\0), besides "\n".
_ODD = "\r\0\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def render_reading_copy(markdown_body: str) -> tuple[str, str | None] | None:
    """(HTML, original text) of a body in the importer's dialect, else None."""
    if any(odd in markdown_body for odd in _ODD):
        return None
    reading, original = _split_original(markdown_body)
    if reading is None:
        return None
    html = []
    for block in reading.split("\n\n") if reading else ():
        rendered = _block(block)
        if rendered is None:
            return None
        html.append(rendered)
    return "".join(html), original


def _split_original(body: str) -> tuple[str | None, str | None]:
    """(reading copy, original): the body is the reading copy, a blank line and the fence."""
    opening = body.rfind(f"{ORIGINAL_FENCE_INFO}\n")
    fence_start = body.rfind("\n", 0, opening) + 1
    fence = body[fence_start:opening]
    if opening < 0 or len(fence) < 4 or fence.strip("`") or not body.endswith(f"\n{fence}\n"):
        return None, None
    original = body[opening + len(ORIGINAL_FENCE_INFO) + 1:-len(fence) - 2]
    if fence in original:  # a line starting with it would close the fence for markdown-it
        return None, None
    reading = body[:fence_start]
    if not reading.startswith("\n") or not (reading == "\n" or reading.endswith("\n\n")):
        return None, None
    return reading[1:-2], original


def _block(block: str) -> str | None:
    if not block:
        return None
    if block.startswith("### "):
        text = _inline(block[4:])
        return f"<h3>{text}</h3>\n" if text else None
    attributes = ""
    if block.startswith("{"):
        line, _, block = block.partition("\n")
        match = _ATTRIBUTES.fullmatch(line)
        if not match or not block:
            return None
        identifier, id_classes, classes = match.groups()
        if identifier:
            attributes += f' id="{identifier}"'
        if id_classes or classes:
            attributes += f' class="{(id_classes or classes).replace(".", "").strip()}"'
    if "\n" in block:
        return None
    marking = _MARKING.match(block)
    if marking:  # `¶4. [(SBU)]{.marking .marking-sbu} text`
        pilcrow, label, css, space = marking.groups()
        rest = block[marking.end():]
        parts = [_inline(pilcrow[:-1]) if pilcrow else "",
                 _inline(rest) if rest or not space else None]
        if None in parts:
            return None
        span = f'<span class="marking marking-{css}">({label})</span>'
        text = (parts[0] + " " if pilcrow else "") + span + space + parts[1]
    else:
        text = None if _BLOCK_OPENER.match(block) else _inline(block)
    return f"<p{attributes}>{text}</p>\n" if text is not None else None


def _inline(text: str) -> str | None:
    """HTML of escaped plain text, or None if it holds any Markdown syntax."""
    if text[:1].isspace() or text[-1:].isspace():  # markdown-it would strip it
        return None
    if "\\" in text:
        if _SYNTAX.search(_ESCAPED.sub("", text)):
            return None
        text = _ESCAPED.sub(_escaped_character, text)
    elif _SYNTAX.search(text):
        return None
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace(
        '"', "&quot;")


def _escaped_character(match: re.Match) -> str:
    return match.group(1)
