"""The routing header: transmission ID, DE line, DTG, FM, TO and INFO recipients."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.model.cable import Station
from generator.model.glossary import routing_for_station
from generator.parse.patterns import CLASSIFICATION_LINE

PRECEDENCE_LETTERS = {"Z": "FLASH", "O": "IMMEDIATE", "P": "PRIORITY", "R": "ROUTINE"}
_PRECEDENCE_WORDS = ("NIACT IMMEDIATE", "IMMEDIATE", "PRIORITY", "ROUTINE", "FLASH")
_MONTHS = {m: i for i, m in enumerate(
    "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}

_TRANSMISSION = re.compile(r"^(VZCZC[A-Z0-9]{3,})")
_DE_LINE = re.compile(r"^DE\s+([A-Z]{4,7})\s+#?(\d+)(?:/(\d+))?(?:\s+(\d+))?")
_DTG = re.compile(
    r"^([ZOPR])(?:\s+[ZOPR])?\s+(\d{2})(\d{2})(\d{2})Z\s+([A-Z]{3})\s+(\d{2,4})\b", re.I
)
# Lines that carry no field we keep: ZNR/ZNY security lines, BT/NNNN, the relay precedence
# line (`PP RUEHDBU`) and its continuation lines of bare routing indicators.
_SKIPPED = re.compile(r"^(?:ZN[RY]\b|ZZH|BT$|NNNN$|[ZOPR]{2}\s+[A-Z]{4,}|(?:[A-Z]{5,7}\s*)+$)")
_RECIPIENT = re.compile(r"^(?:([A-Z]{4,8})/)?(.+?)$")


@dataclass
class RoutingHeader:
    transmission_id: str | None = None
    origin_routing: str | None = None
    precedence: str | None = None
    created: str | None = None  # from the DTG, ISO 8601 UTC
    sender: Station | None = None
    to: list[Station] = field(default_factory=list)
    info: list[Station] = field(default_factory=list)
    lines_used: int = 0  # how many leading lines belong to the routing header


def dtg_to_iso(day: str, hour: str, minute: str, month: str, year: str) -> str | None:
    month_number = _MONTHS.get(month.upper())
    if not month_number:
        return None
    if len(year) == 2:
        year = ("20" if int(year) <= 50 else "19") + year
    if not (1 <= int(day) <= 31 and int(hour) <= 23 and int(minute) <= 59):
        return None
    return f"{year}-{month_number:02d}-{int(day):02d}T{hour}:{minute}Z"


def parse_station(text: str) -> Station | None:
    """`RUEHC/SECSTATE WASHDC PRIORITY 7265` -> Station(name, routing, precedence, serial)."""
    text = " ".join(text.split())
    if not text:
        return None
    match = _RECIPIENT.match(text)
    routing, rest = (match.group(1), match.group(2)) if match else (None, text)
    serial = None
    serial_match = re.search(r"\s(\d{1,6})$", rest)
    if serial_match:
        serial = serial_match.group(1)
        rest = rest[: serial_match.start()]
    precedence = None
    for word in _PRECEDENCE_WORDS:
        if rest.endswith(" " + word):
            precedence = word
            rest = rest[: -len(word) - 1]
            break
    name = rest.strip()
    if not name:
        return None
    return Station(name=name, routing=routing or routing_for_station(name),
                   precedence=precedence, serial=serial)


def parse_routing_header(lines: list[str]) -> RoutingHeader:
    """Read the routing lines at the top of a cable; stops at the first line that is not one."""
    header = RoutingHeader()
    target: list[Station] | None = None
    index = 0
    for index, raw_line in enumerate(lines):
        line = raw_line.strip()
        if not line:
            if header.sender or header.to:
                # A blank line after the address lines ends the routing header.
                if target is not None:
                    target = None
                    continue
            continue
        upper = line.upper()
        if CLASSIFICATION_LINE.match(line):
            index -= 1
            break
        match = _TRANSMISSION.match(upper)
        if match and header.transmission_id is None:
            header.transmission_id = match.group(1)
            continue
        match = _DE_LINE.match(upper)
        if match:
            header.origin_routing = match.group(1)
            continue
        if _SKIPPED.match(upper) and not (header.sender or header.to):
            continue
        match = _DTG.match(upper)
        if match and header.created is None:
            header.precedence = PRECEDENCE_LETTERS.get(match.group(1).upper())
            header.created = dtg_to_iso(*match.group(2, 3, 4, 5, 6))
            continue
        if upper.startswith("FM "):
            name = line[3:].strip()
            header.sender = Station(name=name, routing=header.origin_routing
                                    or routing_for_station(name))
            target = None
            continue
        if upper.startswith("TO "):
            target = header.to
            line = line[3:]
        elif upper.startswith("INFO "):
            target = header.info
            line = line[5:]
        elif target is None:
            index -= 1
            break
        station = parse_station(line)
        if station:
            target.append(station)
    else:
        index = len(lines) - 1
    header.lines_used = index + 1
    if header.precedence is None and header.to and header.to[0].precedence:
        header.precedence = header.to[0].precedence
    return header
