"""Line patterns shared by the header and body parsers."""

from __future__ import annotations

import re

# `UNCLAS SECTION 01 OF 02 TASHKENT 000477`, `C O N F I D E N T I A L LA PAZ 002458`,
# `S e c r e t state 068250`, `UNCLASSIFIED SECTION 01 OF 01 TEHRAN 1381`.
CLASSIFICATION_LINE = re.compile(
    r"^\s*(UNCLAS(?:SIFIED)?(?:\s+E\s*F\s*T\s*O)?|LIMITED OFFICIAL USE|"
    r"C\s?O\s?N\s?F\s?I\s?D\s?E\s?N\s?T\s?I\s?A\s?L|(?:T\s?O\s?P\s+)?S\s?E\s?C\s?R\s?E\s?T)"
    r"(?:\s+(?:SECTION\s+(\d+)\s+OF\s+(\d+)))?"
    r"(?:\s+([A-Z][A-Z .'\-]*?)\s+(\d{1,8}))?\s*$",
    re.I,
)

# Section-break lines repeated inside multi-section cables: `TASHKENT 00000477 002 OF 002`,
# `BERLIN 00001395  001.2 OF 002`, `RIO DE JAN 00000365 001.2 OF 002`.
SECTION_BREAK = re.compile(
    r"^\s*[A-Z][A-Z .'\-]*\s+\d{5,8}\s+\d{3}(?:\.\d+)?\s+OF\s+\d{3}\s*$", re.I
)

# A line that only decorates: dashes, equals signs, underscores.
RULE_LINE = re.compile(r"^\s*[-=_*]{3,}[-=_* ]*$")
