"""Classification levels and captions, normalised to the forms WikiLeaks used."""

from __future__ import annotations

import re

# Handling captions seen on their own line below the classification line.
CAPTIONS = {
    "SIPDIS", "NOFORN", "SENSITIVE", "EXDIS", "NODIS", "LIMDIS", "STADIS", "ROGER",
    "CHEROKEE", "DISSENT", "NOCONTRACT", "ORCON", "PROPIN", "FOR OFFICIAL USE ONLY",
    "SENSITIVE BUT UNCLASSIFIED", "DS CHANNEL", "DEA CHANNEL", "EXDIS - DISTRIBUTE AS NODIS",
}
_CAPTION_PATTERN = re.compile(
    r"^(?:%s|CX[A-Z]+:?|REL (?:TO )?[A-Z ,]+|[A-Z]+ CHANNEL)$"
    % "|".join(re.escape(c) for c in sorted(CAPTIONS, key=len, reverse=True))
)


def level_from_line(word: str) -> str | None:
    """`UNCLAS`, `C O N F I D E N T I A L`, `S e c r e t` ... -> a level, else None."""
    compact = re.sub(r"\s+", "", word).upper()
    if compact in ("UNCLAS", "UNCLASSIFIED", "UNCLASEFTO", "UNCLASSIFIEDEFTO"):
        return "UNCLASSIFIED"
    if compact == "LIMITEDOFFICIALUSE":
        return "LIMITED OFFICIAL USE"
    if compact == "CONFIDENTIAL":
        return "CONFIDENTIAL"
    if compact == "SECRET":
        return "SECRET"
    if compact == "TOPSECRET":
        return "TOP SECRET"
    return None


def caption_of(line: str) -> str | None:
    text = " ".join(line.strip().upper().split()).rstrip(".")
    return text.rstrip(":") if text and _CAPTION_PATTERN.match(text) else None


def normalise(level: str | None, captions: list[str]) -> str | None:
    """A level plus captions -> `UNCLASSIFIED//FOR OFFICIAL USE ONLY`, `SECRET//NOFORN` ..."""
    if level is None:
        return None
    if level == "UNCLASSIFIED" and (
        "SENSITIVE" in captions
        or "FOR OFFICIAL USE ONLY" in captions
        or "SENSITIVE BUT UNCLASSIFIED" in captions
    ):
        return "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    if level in ("CONFIDENTIAL", "SECRET", "TOP SECRET") and "NOFORN" in captions:
        return level + "//NOFORN"
    return level


def normalise_label(label: str) -> str | None:
    """A classification as a wrapper wrote it (`Secret//Noforn`, `UNCLASSIFIED//FOUO`)."""
    text = " ".join(label.strip().upper().split())
    if not text:
        return None
    base, _, rest = text.partition("//")
    level = level_from_line(base)
    if level is None:
        return text
    if rest in ("FOUO", "FOR OFFICIAL USE ONLY", "SBU"):
        return "UNCLASSIFIED//FOR OFFICIAL USE ONLY" if level == "UNCLASSIFIED" else level
    return f"{level}//{rest}" if rest else level
