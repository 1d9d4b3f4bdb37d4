"""The result of an audit, typed all the way down: what every output format renders.

``AuditResult`` is what ``provider_audit.audit()`` returns and what each formatter takes. Its JSON form
(``formatters/json_format.py``, the only place JSON is produced) is a public contract with a
``schema_version``; changes to it are additive.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from provider_audit import __version__
from provider_audit.data.catalog import Catalog
from provider_audit.findings.types import PolicyOutcome, Suppressed
from provider_audit.judging.advice import Advice, advise, switching_advice
from provider_audit.judging.switching import SwitchingCost, switching_costs
from provider_audit.judging.verdict import LockIn, ProviderFootprint, footprint, judge, layers_in_use
from provider_audit.models import CONTEXTS, DECISIVE_CONTEXTS, Evidence, ScanResult, Skip, forget_decisive, is_production
from provider_audit.risk.check import RiskCheck

if TYPE_CHECKING:  # pragma: no cover - the feed imports the rules choice, which imports nothing of ours
    from provider_audit.feed.freshness import Novelty, RulesUsed


@dataclass(frozen=True)
class Layer:
    """A provider-agnostic layer that production code goes through."""

    id: str
    name: str


@dataclass(frozen=True)
class Summary:
    files_scanned: int
    usages: int
    usages_by_context: Dict[str, int]
    skipped: int
    decisive_contexts: Tuple[str, ...]
    files_light: int = 0  # files of the other contexts read for their keyword lines only (the light pass)


@dataclass
class AuditResult:
    """Everything an audit found and decided, for one scan root."""

    root: str
    summary: Summary
    lock_in: LockIn
    providers: List[ProviderFootprint]  # the providers production code reaches, most depended on first
    layers: List[Layer]
    usages: List[Evidence]  # every piece of evidence kept (suppressed ones removed), in report order
    advice: List[Advice]
    skipped: List[Skip]
    risk: Optional[RiskCheck] = None
    suppressions: Optional[Suppressed] = None
    policy: Optional[PolicyOutcome] = None
    baseline_file: Optional[str] = None  # the baseline the policy compared against, as named by the user
    tool_version: str = __version__
    names: Dict[str, str] = field(default_factory=dict)  # display names of the providers and layers named
    cache_hits: int = 0  # files served from the result cache (not part of any report)
    switching: List[SwitchingCost] = field(default_factory=list)  # per provider reached: what moving off takes
    rules: Optional["RulesUsed"] = None  # which rules the risk check used, their date and age
    novelty: Optional["Novelty"] = None  # risk items new or changed for this folder ("new for you")

    @property
    def decisive_contexts(self) -> Tuple[str, ...]:
        return self.summary.decisive_contexts

    def is_production(self, e: Evidence) -> bool:
        return is_production(e, self.summary.decisive_contexts)

    def production(self) -> List[Evidence]:
        """The evidence that decides the verdict and becomes findings."""
        contexts = self.summary.decisive_contexts
        return [e for e in self.usages if is_production(e, contexts)]

    def label(self, provider_or_layer: str) -> str:
        return self.names.get(provider_or_layer, provider_or_layer)


def judge_scan(result: ScanResult, catalog: Catalog, contexts: Sequence[str] = DECISIVE_CONTEXTS,
               risk: Optional[RiskCheck] = None, silenced: Optional[Suppressed] = None) -> AuditResult:
    """Judge a scan's evidence: footprint, verdict, layers and advice, with the risk check and suppressions."""
    try:
        return _judge(result, catalog, contexts, risk, silenced)
    finally:
        forget_decisive()


def _judge(result: ScanResult, catalog: Catalog, contexts: Sequence[str], risk: Optional[RiskCheck],
           silenced: Optional[Suppressed]) -> AuditResult:
    evidence = tuple(result.evidence)  # one unchanging sequence: the stages below share what they derive from it
    prints = footprint(evidence, catalog, contexts)
    lock_in = judge(evidence, catalog, contexts, prints)
    costs = switching_costs(evidence, prints, catalog, contexts)
    steps = advise(evidence, prints, lock_in, catalog, risk.matched if risk else (), contexts,
                   risk.lifecycle if risk else ())
    steps += switching_advice(costs)
    layers = [Layer(layer, catalog.display_name(layer)) for layer in layers_in_use(evidence, catalog, contexts)]
    by_context = Counter(e.context for e in evidence)
    summary = Summary(
        files_scanned=result.files_scanned,
        usages=len(evidence),
        usages_by_context={c: by_context[c] for c in CONTEXTS if by_context[c]},
        skipped=len(result.skips),
        decisive_contexts=tuple(contexts),
        files_light=result.files_light,
    )
    names = {p.id: p.name for p in prints}
    names.update({layer.id: layer.name for layer in layers})
    names.update({e.provider: catalog.display_name(e.provider) for c in costs for u in c.features
                  for e in u.feature.equivalents})  # the providers switching notes name
    return AuditResult(root=result.root, summary=summary, lock_in=lock_in, providers=prints, layers=layers,
                       usages=list(evidence), advice=steps, skipped=list(result.skips), risk=risk,
                       suppressions=silenced, names=names, switching=costs)
