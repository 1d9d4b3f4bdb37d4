"""Inline ``provider-audit: ignore[CODE]`` comments, read from a file's text during per-file analysis.

What they silence is decided later, against the findings (``findings/suppress.py``).
"""

from __future__ import annotations

import re
from typing import Tuple

from provider_audit.models import Suppression

MARKER = "provider-audit:"

_COMMENT_RE = re.compile(
    r"(?P<lead>#|//|/\*|<!--|--|;)\s*provider-audit:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_,\s/-]*)\])?")


def find_suppressions(path: str, text: str) -> Tuple[Suppression, ...]:
    """Inline suppression comments in a file's text (cheap when the marker is absent)."""
    if MARKER not in text:
        return ()
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        if MARKER not in line:
            continue
        match = _COMMENT_RE.search(line)
        if match is None:
            continue
        codes = tuple(c.strip().upper() for c in re.split(r"[,\s]+", match.group("codes") or "") if c.strip())
        alone = not line[: match.start("lead")].strip()
        found.append(Suppression(path, number, number + 1 if alone else number, codes))
    return tuple(found)
