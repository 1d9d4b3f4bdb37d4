"""The report: one plain, ordered structure that every output format renders.

Its JSON form is a public contract (``schema_version``); changes to it are additive.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from provider_audit import __version__
from provider_audit.judging.advice import Advice, advise
from provider_audit.data.catalog import Catalog
from provider_audit.risk.events import MatchedEvent
from provider_audit.models import CONTEXTS, DECISIVE_CONTEXTS, Evidence, ScanResult
from provider_audit.risk.check import RiskCheck
from provider_audit.findings.suppress import Suppressed, code_of
from provider_audit.judging.verdict import LockIn, footprint, judge, layers_in_use

SCHEMA_VERSION = 1


@dataclass
class Report:
    result: ScanResult
    lock_in: LockIn
    data: Dict[str, Any]  # the JSON document
    advice: List[Advice]
    risk: Optional[RiskCheck] = None


def build_report(result: ScanResult, catalog: Catalog, contexts: Sequence[str] = DECISIVE_CONTEXTS,
                 risk: Optional[RiskCheck] = None, silenced: Optional[Suppressed] = None) -> Report:
    evidence = result.evidence
    prints = footprint(evidence, catalog, contexts)
    lock_in = judge(evidence, catalog, contexts)
    steps = advise(evidence, prints, lock_in, catalog, risk.matched if risk else (), contexts)
    layers = layers_in_use(evidence, catalog, contexts)
    by_context = Counter(e.context for e in evidence)
    data: Dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "provider-audit", "version": __version__},
        "summary": {
            "files_scanned": result.files_scanned,
            "usages": len(evidence),
            "usages_by_context": {c: by_context[c] for c in CONTEXTS if by_context[c]},
            "skipped": len(result.skips),
            "decisive_contexts": list(contexts),
        },
        "lock_in": {
            "verdict": lock_in.verdict,
            "reasons": lock_in.reasons,
            "providers": list(lock_in.providers),
            "layers": list(lock_in.layers),
        },
        "providers": [
            {
                "id": fp.id,
                "name": fp.name,
                "kind": fp.kind,
                "evidence": fp.counts,
                "files": list(fp.files),
                "models": list(fp.models),
                "via_layers": list(fp.via_layers),
                "direct": fp.direct,
            }
            for fp in prints
        ],
        "layers": [{"id": layer, "name": catalog.display_name(layer)} for layer in layers],
        "usages": [
            {
                "provider": e.provider,
                "model_vendor": e.model_vendor,
                "layer": e.layer,
                "kind": e.kind,
                "path": e.path,
                "line": e.line,
                "column": e.column,
                "detail": e.detail,
                "model": e.model,
                "version": e.version,
                "specifier": e.specifier or None,
                "context": e.context,
                "confidence": e.confidence,
                "snippet": e.snippet,
            }
            for e in evidence
        ],
        "advice": [
            {"id": a.id, "provider": a.provider or None, "text": a.text, "locations": list(a.locations)}
            for a in steps
        ],
        "skipped": [{"path": s.path, "reason": s.reason} for s in result.skips],
    }
    if risk is not None:
        data["risk"] = _risk_section(risk)
    if silenced is not None:
        data["suppressions"] = {
            "suppressed": [{**_where(e), "code": code_of(e), "reason": why} for e, why in silenced.suppressed],
            "unused": [{"path": s.path, "line": s.line, "codes": list(s.codes)} for s in silenced.unused],
        }
    return Report(result, lock_in, data, steps, risk)


def _where(e: Evidence) -> Dict[str, Any]:
    return {"path": e.path, "line": e.line, "kind": e.kind, "provider": e.provider, "detail": e.detail,
            "model": e.model}


def _day(value) -> Optional[str]:
    return value.isoformat() if value else None


def _matched(m: MatchedEvent) -> Dict[str, Any]:
    e = m.event
    return {
        "id": e.id, "title": e.title, "kind": e.kind, "severity": e.severity, "confidence": e.confidence,
        "status": e.status, "state": m.state, "possible": m.possible, "providers": list(e.providers),
        "vendors": list(e.vendors), "announced": _day(e.announced), "effective": _day(e.effective),
        "ends": _day(e.ends), "regions": list(e.regions), "accounts": list(e.accounts),
        "summary": e.summary, "mitigation": e.mitigation, "sources": list(e.sources), "reason": m.reason,
        "evidence": [_where(x) for x in m.evidence],
    }


def _risk_section(risk: RiskCheck) -> Dict[str, Any]:
    return {
        "as_of": risk.as_of.isoformat(),
        "events_known": risk.events_known,
        "matched": [_matched(m) for m in risk.matched],
        "providers": [{"id": r.provider, "score": r.score, "events": [m.event.id for m in r.events]}
                      for r in risk.ranking],
        "silenced": [{"id": e.id, "reason": i.reason, "until": _day(i.until)} for e, i in risk.silenced],
        "warnings": list(risk.warnings),
    }
