"""Write stage, part 1: a Cable -> one Markdown page (YAML front matter, reading copy, original).

Page layout:

    ---
    <front matter, the fields documented in the README>
    import_digest: <sha256 of the page without this line>
    ---
    <reading copy: one Markdown paragraph per cable paragraph>

    ````cable-original
    <header and body as received, newlines normalised>
    ````

The reading copy escapes everything Markdown would interpret, so only the cable's text renders.
Paragraph anchors, markings and SUMMARY/COMMENT roles use attribute syntax
(`{#p4 .comment}`, `[(SBU)]{.marking}`) from mdit-py-plugins' attrs plugins.
"""

from __future__ import annotations

import hashlib
import os
import re

from generator.content.front_matter import dump as dump_front_matter
from generator.content.front_matter import load as load_front_matter
from generator.model.cable import Cable, Paragraph

ORIGINAL_FENCE_INFO = "cable-original"
DIGEST_KEY = "import_digest"

# `#` everywhere, not only at a line start: a trailing ` #` would close an ATX heading.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>{}&|~#])")
_BLOCK_START = re.compile(r"^([+\-=>]|\d{1,9}(?=[.)]))")
_DIGEST_LINE = re.compile(r"^%s: ([0-9a-f]{64})\n" % DIGEST_KEY, re.M)

def escape_line(line: str) -> str:
    """Escape one line of cable text so that Markdown renders it as plain text."""
    line = _INLINE_SPECIAL.sub(r"\\\1", line.strip())
    match = _BLOCK_START.match(line)
    if match:
        if match.group(1)[0].isdigit():
            end = match.end()
            line = line[:end] + "\\" + line[end:]
        else:
            line = "\\" + line
    return line


def page_path(cable: Cable) -> str:
    """Where a cable's page lives under content/: `cables/YYYY/MM/REFID.md`."""
    if cable.created and re.match(r"^\d{4}-\d{2}", cable.created):
        return f"cables/{cable.created[:4]}/{cable.created[5:7]}/{cable.reference_id}.md"
    return f"cables/undated/{cable.reference_id}.md"


def front_matter(cable: Cable) -> dict:
    """The page's front matter: every field, always present, null or empty when unknown."""
    return {
        "reference_id": cable.reference_id,
        "created": cable.created,
        "released": cable.released,
        "classification": cable.classification,
        "captions": cable.captions,
        "origin": cable.origin,
        "precedence": cable.precedence,
        "transmission_id": cable.transmission_id,
        "from": cable.sender.to_dict() if cable.sender else None,
        "to": [station.to_dict() for station in cable.to],
        "info": [station.to_dict() for station in cable.info],
        "handling": cable.handling,
        "eo12958": cable.eo12958,
        "classified_by": cable.classified_by,
        "tags": [tag.to_dict() for tag in cable.tags],
        "subject": cable.subject,
        "references": [reference.to_dict() for reference in cable.references],
        "signer": cable.signer,
        "summary": cable.summary,
        "partial": cable.partial,
        "sections": cable.sections,
        "source": {
            "format": cable.source.format,
            "file": os.path.basename(cable.source.path),
            **({"row": cable.source.row} if cable.source.row is not None else {}),
        },
    }


def _paragraph_markdown(paragraph: Paragraph, anchor: str | None) -> str:
    if paragraph.kind == "heading":
        return "### " + escape_line(" ".join(paragraph.lines))
    attributes = []
    if anchor:
        attributes.append("#" + anchor)
    attributes.extend("." + role for role in paragraph.roles)
    lines = [escape_line(line) for line in paragraph.lines if line.strip()]
    prefix = ""
    if paragraph.number:
        prefix = f"¶{paragraph.number}. "
    if paragraph.marking:
        css = re.sub(r"[^a-z]+", "-", paragraph.marking.lower()).strip("-")
        prefix += f"[({paragraph.marking})]{{.marking .marking-{css}}} "
    if lines:
        lines[0] = prefix + lines[0]
    else:
        lines = [prefix.rstrip()]
    # One line per paragraph: it renders the same as the cable's wrapped lines (soft breaks),
    # and Markdown parsers then test each paragraph once instead of once per line.
    text = " ".join(lines)
    return ("{" + " ".join(attributes) + "}\n" + text) if attributes else text


def reading_copy(cable: Cable) -> str:
    blocks = []
    used: set[str] = set()
    for paragraph in cable.paragraphs:
        anchor = None
        if paragraph.number:
            anchor = f"p{paragraph.number}"
            suffix = 2
            while anchor in used:
                anchor = f"p{paragraph.number}-{suffix}"
                suffix += 1
            used.add(anchor)
        blocks.append(_paragraph_markdown(paragraph, anchor))
    return "\n\n".join(blocks)


def _fence(text: str) -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(4, longest + 1)


def render_page(cable: Cable) -> str:
    fence = _fence(cable.original)
    matter = dump_front_matter(front_matter(cable))
    body = reading_copy(cable)
    rest = (
        f"---\n\n{body}\n\n" if body else "---\n\n"
    ) + f"{fence}{ORIGINAL_FENCE_INFO}\n{cable.original}\n{fence}\n"
    unsigned = "---\n" + matter + rest
    digest = hashlib.sha256(unsigned.encode("utf-8")).hexdigest()
    return "---\n" + matter + f"{DIGEST_KEY}: {digest}\n" + rest


def is_unedited(page_text: str) -> bool:
    """True when a page is exactly as gen wrote it (its digest still matches)."""
    match = _DIGEST_LINE.search(page_text)
    if not match:
        return False
    unsigned = page_text[: match.start()] + page_text[match.end():]
    return hashlib.sha256(unsigned.encode("utf-8")).hexdigest() == match.group(1)


def split_page(page_text: str) -> tuple[dict, str]:
    """A page -> (front matter, Markdown body). Raises ValueError when there is no front matter."""
    if not page_text.startswith("---\n"):
        raise ValueError("page does not start with a '---' front matter line")
    end = page_text.find("\n---\n", 3)
    if end < 0:
        raise ValueError("front matter is not closed by a '---' line")
    matter = load_front_matter(page_text[4:end])
    if not isinstance(matter, dict):
        raise ValueError("front matter is not a mapping")
    return matter, page_text[end + 5 :]


def original_text(markdown_body: str) -> str | None:
    """The original cable text stored in a page's `cable-original` fence."""
    match = re.search(
        r"^(`{4,})%s\n(.*?)\n\1\n?\Z" % re.escape(ORIGINAL_FENCE_INFO), markdown_body, re.S | re.M
    )
    return match.group(2) if match else None
