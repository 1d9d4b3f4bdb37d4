"""The risk words every report and gate uses: impacts, severities, and the scopes a user declares.

In their own module so that the configuration, the policy gate and the reports do not load the event
schema, loader and matcher (``events.py``, which takes them from here) when a scan has nothing to match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import FrozenSet, Iterable, Optional, Sequence, Tuple

IMPACTS = ("breaking", "cost", "capacity", "compliance", "informational")  # also the display order
SEVERITIES = ("critical", "high", "medium", "low")
# EU member states: a user declaring one of them is in scope of an event for the EU.
EU_MEMBERS = frozenset(("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
                        "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"))


@dataclass(frozen=True)
class Scopes:
    """What the user declared about themselves (config keys ``jurisdictions``, ``customer-types``,
    ``ownership``). A key that is absent is undeclared: events scoped to it are conditional."""

    jurisdictions: Optional[FrozenSet[str]] = None
    customer_types: Optional[FrozenSet[str]] = None
    ownership: Optional[FrozenSet[str]] = None

    @classmethod
    def of(cls, jurisdictions: Optional[Iterable[str]] = None, customer_types: Optional[Iterable[str]] = None,
           ownership: Optional[Iterable[str]] = None) -> "Scopes":
        def norm(values: Optional[Iterable[str]], upper: bool) -> Optional[FrozenSet[str]]:
            if values is None:
                return None
            return frozenset(v.strip().upper() if upper else v.strip().lower() for v in values)
        return cls(norm(jurisdictions, True), norm(customer_types, False), norm(ownership, True))

    def declared(self, key: str) -> Optional[FrozenSet[str]]:
        return getattr(self, key)

    def overlap(self, key: str, wanted: Sequence[str]) -> Tuple[str, ...]:
        """The declared values of ``key`` that an event scoped to ``wanted`` covers."""
        mine = self.declared(key) or frozenset()
        targets = {w.upper() if key != "customer_types" else w.lower() for w in wanted}
        if key == "jurisdictions" and "EU" in targets:
            targets |= EU_MEMBERS
        return tuple(sorted(v for v in mine if v in targets))
