"""Checking a footprint against the risk-event database: load, silence, match, rank."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from provider_audit.data.catalog import Catalog
from provider_audit.risk.events import (SEVERITIES, Event, Ignore, MatchedEvent, ProviderRisk, apply_ignores,
                                   ignore_warnings, load_events, match_events, risk_by_provider)
from provider_audit.models import DECISIVE_CONTEXTS, Evidence, reached_providers


@dataclass
class RiskCheck:
    as_of: date
    events_known: int
    matched: List[MatchedEvent]
    ranking: List[ProviderRisk]
    silenced: Tuple[Tuple[Event, Ignore], ...] = ()
    warnings: List[str] = field(default_factory=list)

    def worst_in_effect(self) -> Optional[str]:
        """The highest severity among certain, in-effect matches (what ``--fail-on risk:...`` gates on)."""
        severities = [m.event.severity for m in self.matched if m.state == "in-effect" and not m.possible]
        return min(severities, key=SEVERITIES.index) if severities else None


def load_database(catalog: Catalog, extra: Sequence[Path] = (),
                  paths: Optional[Sequence[Path]] = None) -> Tuple[Event, ...]:
    """The rules in use's events (or those of ``paths``) plus the user's files, validated against the
    catalog's provider ids."""
    vendors = {p.vendor for p in catalog.providers.values() if p.vendor}
    vendors |= {v for v in catalog.model_vendors if v}
    return load_events(paths, extra=tuple(extra), known_providers=catalog.providers.keys(), known_vendors=vendors)


def check(evidence: Sequence[Evidence], events: Sequence[Event], ignores: Sequence[Ignore], as_of: date,
          contexts: Sequence[str] = DECISIVE_CONTEXTS) -> RiskCheck:
    # Only evidence that reaches a provider's API can be hit by that provider's events: an open-weight
    # model name used for local inference has a vendor but no provider.
    # And only a provider production code reaches (models.decisive_evidence): a dependency nothing imports
    # or a table of model ids is "mentioned, not reached", and its provider's events do not apply.
    reached = reached_providers(evidence, contexts)
    evidence = [e for e in evidence if e.provider is not None and e.provider in reached]
    kept, silenced = apply_ignores(events, ignores, as_of)
    matched = match_events(kept, evidence, as_of, contexts)
    # A silenced event that would not have matched anyway need not be listed.
    silenced_matches = {m.event.id for m in match_events([e for e, _ in silenced], evidence, as_of, contexts)}
    return RiskCheck(
        as_of=as_of,
        events_known=len(events),
        matched=matched,
        ranking=risk_by_provider(matched, evidence, contexts),
        silenced=tuple((e, i) for e, i in silenced if e.id in silenced_matches),
        warnings=ignore_warnings(events, ignores, as_of),
    )
