"""The findings' data types: what findings, comparisons, suppressions and the gate's outcome are.

Plain data, imported by the typed result (``result.py``) and by the modules that compute them
(``codes.py``, ``baseline.py``, ``suppress.py``, ``policy.py``), which read the result: keeping the types
here keeps that import graph free of cycles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from provider_audit.data.config import Acknowledgement
from provider_audit.findings.fingerprint import occurrences
from provider_audit.models import Evidence, Suppression

if TYPE_CHECKING:  # pragma: no cover
    from provider_audit.risk.events import MatchedEvent

FAILING_LEVELS = ("error", "warning")


@dataclass(frozen=True)
class Place:
    path: str
    line: int
    column: int
    label: str = ""


@dataclass(frozen=True)
class Finding:
    """One result: the same facts for SARIF, annotations and a baseline."""

    rule_id: str  # PA103, or PA201/<event-id>
    code: str  # PA103, PA201
    level: str  # error | warning | note
    title: str  # the first sentence of ``message``, without its full stop
    message: str
    place: Optional[Place]
    fingerprint: str  # no line number in it
    category: str  # verdict | lifecycle | event | usage
    kind: str = ""  # the evidence kind for usage findings
    provider: str = ""
    snippet: str = ""  # already redacted by the scanner
    related: Tuple[Place, ...] = ()
    event: Optional["MatchedEvent"] = field(default=None, compare=False)
    properties: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass
class Comparison:
    """Findings against a baseline: the new ones, and how many are known or resolved."""

    new: List[Finding]
    known: int
    resolved: int
    new_ids: FrozenSet[str] = frozenset()  # the numbered ids (``<rule>:<fingerprint>:<n>``) of ``new``

    def fails(self) -> bool:
        """Something new that the policy would fail on is here."""
        return any(f.level in FAILING_LEVELS for f in self.new)

    def states(self, items: Sequence[Finding]) -> List[str]:
        """SARIF's ``baselineState`` of each of ``items`` (all of a result's findings, in order):
        ``new`` or ``unchanged``."""
        return ["new" if key in self.new_ids else "unchanged" for key in numbered(items)]


def numbered(items: Sequence[Finding]) -> List[str]:
    """Each finding's baseline id: ``<rule>:<fingerprint>:<n>``, n numbering identical findings in order."""
    return occurrences(f"{f.rule_id}:{f.fingerprint}" for f in items)


@dataclass
class PolicyOutcome:
    policies: Sequence[str]
    failed: List[str] = field(default_factory=list)
    disallowed: List[str] = field(default_factory=list)
    acknowledged: Optional[Acknowledgement] = None
    acknowledgement_active: bool = False
    comparison: Optional[Comparison] = None
    warnings: List[str] = field(default_factory=list)


@dataclass
class Suppressed:
    kept: List[Evidence]
    suppressed: List[Tuple[Evidence, str]] = field(default_factory=list)  # evidence and what silenced it
    unused: List[Suppression] = field(default_factory=list)
