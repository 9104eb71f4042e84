"""The direct front matter reader (generator/content/front_matter.py) against PyYAML: the same
values, of the same types, for every page `gen import` writes; for any other text the same
values or, where PyYAML refuses the text, an error too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content import front_matter
from generator.content.page import front_matter as cable_fields
from generator.model.cable import Cable
from generator.structure.pages import find_pages

ROOT = Path(__file__).resolve().parent.parent


def pyyaml(text: str) -> Any:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def same(a: Any, b: Any) -> bool:
    """Equal, with the same types all the way down (True == 1, but not here), keys in order."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))
    return a == b


def matter_of(page: str) -> str:
    return page[4:page.index("\n---\n", 3)]


def test_every_sample_page() -> None:
    direct = 0
    for path in find_pages(ROOT / "content"):
        text = matter_of(Path(path).read_text(encoding="utf-8"))
        assert same(front_matter.load(text), pyyaml(text)), path
        try:
            front_matter._direct(text)
            direct += 1
        except front_matter._Unusual:
            pass
    # Only summaries quoted over several lines are left to PyYAML (43 of 599 pages).
    assert direct >= 550


def test_every_corpus_cable_as_imported(corpus_cables: list[Cable]) -> None:
    for cable in corpus_cables:
        text = front_matter.dump(cable_fields(cable))
        assert same(front_matter.load(text), pyyaml(text)), cable.reference_id


# Values shaped like the importer's fields, with text that YAML would take for something else.
_TRICKY = ["", " ", "null", "~", "Yes", "off", "0695", "012", "1_000", "1:20", "0x1f", "-3",
           "+4", "3.5", ".inf", "1e3", "2019-05-31", "2009-06-09T08:11Z", "2001-12-14 21:59:43",
           "<<", "=", "- a", "a: b", "a #b", "a#b", "'q'", '"d"', "#x", "&a", "*a", "!t", "@",
           "`", "%", "[1]", "{a: 1}", "a\nb", "a\n\nb", "tab\there", "\x85", "\u2028", "é’",
           "x'", "'", "it''s", "back\\slash", "trailing ", " leading", "colon:", "DECL: 05/31"]
_SCALARS = (st.sampled_from(_TRICKY) | st.text(max_size=12) | st.integers(-10**6, 10**6)
            | st.booleans() | st.none())
_KEYS = st.sampled_from(["name", "code", "text", "on", "null", "yes", "row", "x_1", "to"])
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(_KEYS, inner, max_size=3), max_leaves=12)


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(_KEYS, _VALUES, min_size=1, max_size=6))
def test_written_front_matter_reads_back_as_pyyaml_reads_it(fields: dict) -> None:
    text = front_matter.dump(fields)
    assert same(front_matter.load(text), pyyaml(text)), text


# Values and lines of the style the importer never writes.
_VALUE_TEXTS = [
    "", " value", " a #b", " a#b", " a: b", " a:", " 1:20", " 012", " 0695", " -3", " 3.5",
    " yes", " ~", " 'q'", " 'it''s'", " 'x'''", " 'open", " 'a' 'b'", " 'a'b'", ' "d"',
    ' "e\\tf"', ' "g', ' "h"i"', " []", " {}", " [1]", " &a x", " *a", " |", " >", "  two",
    " v ", " \t", " é’", " %x", " @x", " `x"]
_LINES = st.tuples(
    st.sampled_from(["", "", "  ", "    ", " "]),
    st.sampled_from(["", "", "- ", "-"]),
    st.sampled_from(["name:", "code:", "on:", "null:", "name", "a b:", "#c", ""]),
    st.sampled_from(_VALUE_TEXTS),
).map("".join)


def assert_read_as_pyyaml_reads(text: str) -> None:
    """The same values as PyYAML; an error where PyYAML gives one."""
    try:
        expected = pyyaml(text)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            front_matter.load(text)
        return
    assert same(front_matter.load(text), expected), text


@pytest.mark.parametrize("value", _VALUE_TEXTS)
def test_each_kind_of_value(value: str) -> None:
    for text in (f"name:{value}", f"-{value}", f"- name:{value}", f"top:\n  name:{value}",
                 f"top:\n- a:{value}\n  b: 1", f"name:{value}\nname: again"):
        assert_read_as_pyyaml_reads(text)


@settings(max_examples=4000, deadline=None)
@given(st.lists(_LINES, min_size=1, max_size=8).map("\n".join))
def test_any_text_reads_as_pyyaml_reads_it_or_fails_as_it_does(text: str) -> None:
    assert_read_as_pyyaml_reads(text)
