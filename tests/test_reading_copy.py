"""The direct renderer of the importer's Markdown (generator/render/reading_copy.py) against
markdown-it: the same HTML and original text for every page `gen import` writes, and for any
other text either the same or None (markdown-it then renders it)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content.page import render_page
from generator.model.cable import Cable, Paragraph
from generator.render.markdown import render_body, render_markdown
from generator.render.reading_copy import render_reading_copy
from generator.structure.pages import find_pages, load_body

ROOT = Path(__file__).resolve().parent.parent


def page_body(page: str) -> str:
    return page[page.index("\n---\n", 3) + 5:]


def test_every_sample_page_is_rendered_directly_to_markdown_its_html() -> None:
    pages = find_pages(ROOT / "content")
    assert len(pages) > 500
    for path in pages:
        body = load_body(Path(path))
        assert render_reading_copy(body) == render_markdown(body), path


def test_every_corpus_cable_as_imported(corpus_cables: list[Cable]) -> None:
    for cable in corpus_cables:
        body = page_body(render_page(cable))
        assert render_reading_copy(body) == render_markdown(body), cable.reference_id


# Text with everything Markdown or HTML could make something of.
_TRICKY = st.lists(st.sampled_from(
    list("aZ09 \t.-+*_#>=~`|<>&\"'![](){}\\/:;@^%$¶…é\xa0\u0301") + [
        "1.", "1)", "{.x}", "[a](b)", "<b>", "&amp;", "{#p1}", "[(C)]{.marking .marking-c}"]),
    max_size=25).map("".join)
_MARKINGS = st.sampled_from([None, "C", "S", "SBU", "S/NF", "C//NF", "U//FOUO"])


@st.composite
def paragraphs(draw: st.DrawFn) -> Paragraph:
    kind = draw(st.sampled_from(["text", "text", "heading"]))
    return Paragraph(
        lines=draw(st.lists(_TRICKY | st.text(max_size=30), min_size=1, max_size=3)),
        number=draw(st.sampled_from([None, "1", "4", "4.A", "B", "12"])),
        marking=draw(_MARKINGS), kind=kind,
        roles=tuple(draw(st.lists(st.sampled_from(["summary", "comment"]), max_size=2,
                                  unique=True))))


@settings(max_examples=300, deadline=None)
@given(st.lists(paragraphs(), max_size=6), _TRICKY | st.text(max_size=60))
def test_generated_pages_render_as_markdown_it_renders_them(
        corpus_cables: list[Cable], blocks: list[Paragraph], original: str) -> None:
    cable = replace(corpus_cables[0], paragraphs=blocks, original=original)
    body = page_body(render_page(cable))
    direct = render_reading_copy(body)
    assert direct is None or direct == render_markdown(body)
    assert render_body(body) == render_markdown(body)


@settings(max_examples=500, deadline=None)
@given(st.lists(_TRICKY | st.text(max_size=20), max_size=8),
       st.sampled_from(["\n\n", "\n", "\n\n\n", " \n\n"]))
def test_any_other_text_is_left_to_markdown_it_or_rendered_the_same(
        pieces: list[str], separator: str) -> None:
    body = "\n" + separator.join(pieces) + "\n\n````cable-original\ntext\n````\n"
    direct = render_reading_copy(body)
    assert direct is None or direct == render_markdown(body)


def test_what_is_left_to_markdown_it() -> None:
    fence = "\n\n````cable-original\ntext\n````\n"
    for reading in ["- a list", "1. a list", "*emphasis*", "a [link](x)", "`code`", "&amp;",
                    "# heading", "### a\nb", "{#p1}\n    code", "a\nb", "{#p1 .x}\n", "a  ",
                    "{.x #p1}\ny"]:
        assert render_reading_copy("\n" + reading + fence) is None, reading
    assert render_reading_copy("\nplain\n\n```cable-original\ntext\n```\n") is None  # 3 ticks
    assert render_reading_copy("\nplain\n\n````cable-original\n````\n````\n") is None
    assert render_reading_copy("\nplain" + fence) == ("<p>plain</p>\n", "text")
