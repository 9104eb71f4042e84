"""The build error as the browser shows it: a box over every page of the last good site, or a
page of its own when there is no site yet.

Error text comes from content, theme and configuration files (a YAML parser quoting the bad
line, a template name): it is untrusted and always escaped. Inline style is fine here: the
site's Content-Security-Policy lives in netlify.toml, which the development server does not
apply.
"""

from __future__ import annotations

import re
from html import escape

OVERLAY_ID = "gen-serve-error"
_BODY = re.compile(rb"<body\b[^>]*>", re.IGNORECASE)

_BOX_STYLE = ("position:fixed;z-index:2147483647;top:0;left:0;right:0;max-height:60vh;"
              "overflow:auto;margin:0;padding:1em 1.5em;background:#fff0f0;color:#600;"
              "border-bottom:4px solid #c00;font:14px/1.4 system-ui,sans-serif;"
              "box-shadow:0 2px 12px rgba(0,0,0,.3)")
_PRE_STYLE = "white-space:pre-wrap;word-break:break-word;font:13px/1.4 monospace;margin:.5em 0"


def error_box(error: str, *, has_site: bool = True) -> str:
    """The overlay: the escaped error and what happens next."""
    note = ("This is the last good build; the page reloads when the build succeeds."
            if has_site else "The page reloads when the build succeeds.")
    return (f'<div id="{OVERLAY_ID}" role="alert" style="{_BOX_STYLE}">'
            f"<strong>gen serve: the build failed</strong>"
            f'<pre style="{_PRE_STYLE}">{escape(error)}</pre>'
            f"<small>{note}</small></div>")


def inject_error(html: bytes, error: str) -> bytes:
    """`html` with the error box first thing in its body (or first thing at all)."""
    box = error_box(error).encode("utf-8")
    match = _BODY.search(html)
    at = match.end() if match else 0
    return html[:at] + box + html[at:]


def status_page(title: str, error: str | None) -> bytes:
    """A page of its own, for when there is no site to show: the first build is running or
    it failed. Its </head> lets livereload add its script, so it reloads when a build ends."""
    body = error_box(error, has_site=False) if error else f"<p>{escape(title)}…</p>"
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{escape(title)}</title></head><body>{body}</body></html>\n").encode()
