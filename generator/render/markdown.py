"""Render a page's Markdown body: the reading copy to HTML, the original text kept apart."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin

from generator.content.page import ORIGINAL_FENCE_INFO
from generator.render.reading_copy import render_reading_copy


@cache
def markdown() -> MarkdownIt:
    # Raw HTML stays off: cable text is untrusted, and the importer escapes it anyway.
    return (MarkdownIt("commonmark", {"html": False})
            .use(attrs_plugin, spans=True)
            .use(attrs_block_plugin))


def render_body(markdown_body: str) -> tuple[str, str | None]:
    """(HTML of the reading copy, the original text or None)."""
    direct = render_reading_copy(markdown_body)
    if direct is not None:  # as the importer wrote it: the same HTML, ~50x faster
        return direct
    return render_markdown(markdown_body)


def render_markdown(markdown_body: str) -> tuple[str, str | None]:
    """render_body by markdown-it, whatever the body."""
    parser = markdown()
    tokens = parser.parse(markdown_body)
    original = None
    kept = []
    for token in tokens:
        if token.type == "fence" and token.info.strip() == ORIGINAL_FENCE_INFO:
            original = token.content[:-1] if token.content.endswith("\n") else token.content
            continue
        kept.append(token)
    return parser.renderer.render(kept, parser.options, {}), original
