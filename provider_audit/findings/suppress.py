"""Suppressions: inline ``provider-audit: ignore[CODE]`` comments and configured path ignores.

An inline comment works in any common comment syntax (``#``, ``//``, ``/* */``, ``<!-- -->``,
``--``, ``;``). After code, it covers its own line; alone on its line, it covers the next line.
Without codes it covers every finding on that line. Codes match by prefix: ``PA1`` covers PA101-PA106.
A suppression that covers nothing is reported as unused.
"""

from __future__ import annotations

from typing import Dict, List, Mapping, Sequence, Tuple

from provider_audit.findings.codes import KIND_CODES
from provider_audit.scanning.discovery import glob_match
from provider_audit.findings.types import Suppressed
from provider_audit.models import Evidence, Suppression

def code_of(e: Evidence) -> str:
    return KIND_CODES.get(e.kind, "")


def covers(codes: Sequence[str], code: str) -> bool:
    return not codes or any(code.startswith(c) for c in codes)


def apply_suppressions(evidence: Sequence[Evidence], inline: Sequence[Suppression],
                       ignore: Sequence[str] = (), per_path: Mapping[str, Sequence[str]] = (),
                       honour_inline: bool = True) -> Suppressed:
    """Split evidence into what counts and what a comment or the configuration silenced."""
    by_line: Dict[Tuple[str, int], List[Suppression]] = {}
    for s in inline:
        by_line.setdefault((s.path, s.target), []).append(s)
    used = set()
    result = Suppressed(kept=[])
    per_path = dict(per_path or {})
    for e in evidence:
        code = code_of(e)
        reason = ""
        if ignore and covers(tuple(ignore), code):
            reason = "config: ignore"
        else:
            for pattern, codes in per_path.items():
                if glob_match(e.path, pattern) and covers(tuple(codes), code):
                    reason = f"config: per-path-ignores {pattern}"
                    break
        if not reason and honour_inline:
            for s in by_line.get((e.path, e.line), ()):
                if covers(s.codes, code):
                    used.add(s)
                    reason = f"inline: {e.path}:{s.line}"
                    break
        if reason:
            result.suppressed.append((e, reason))
        else:
            result.kept.append(e)
    if honour_inline:
        result.unused = [s for s in inline if s not in used]
    return result
