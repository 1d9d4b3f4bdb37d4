"""JSON for machines: the report document, keys in a fixed order, byte-for-byte reproducible.

This is the only place the JSON report is built. Its shape is a public contract (``SCHEMA_VERSION``);
changes to it are additive.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any, Dict, Optional

from provider_audit.findings.suppress import code_of
from provider_audit.findings.types import PolicyOutcome, Suppressed
from provider_audit.models import Evidence
from provider_audit.result import AuditResult
from provider_audit.risk.check import RiskCheck
from provider_audit.risk.events import MatchedEvent

SCHEMA_VERSION = 1
# A matched risk event lists at most this many places in full (``evidence``); ``evidence_refs`` points
# at every one of them by index into ``usages``, so the report holds each piece of evidence once.
MAX_EVENT_PLACES = 20


def render(result: AuditResult) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"


def document(result: AuditResult) -> Dict[str, Any]:
    """The JSON report as plain data."""
    summary, lock_in = result.summary, result.lock_in
    data: Dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "provider-audit", "version": result.tool_version},
        "summary": {
            "files_scanned": summary.files_scanned,
            "usages": summary.usages,
            "usages_by_context": dict(summary.usages_by_context),
            "skipped": summary.skipped,
            "decisive_contexts": list(summary.decisive_contexts),
        },
        "lock_in": {
            "verdict": lock_in.verdict,
            "reasons": list(lock_in.reasons),
            "providers": list(lock_in.providers),
            "layers": list(lock_in.layers),
        },
        "providers": [
            {
                "id": fp.id,
                "name": fp.name,
                "kind": fp.kind,
                "evidence": dict(fp.counts),
                "files": list(fp.files),
                "models": list(fp.models),
                "via_layers": list(fp.via_layers),
                "direct": fp.direct,
            }
            for fp in result.providers
        ],
        "layers": [{"id": layer.id, "name": layer.name} for layer in result.layers],
        "usages": [usage(e) for e in result.usages],
        "advice": [
            {"id": a.id, "provider": a.provider or None, "text": a.text, "locations": list(a.locations)}
            for a in result.advice
        ],
        "skipped": [{"path": s.path, "reason": s.reason} for s in result.skipped],
    }
    data["switching"] = _switching(result)
    if result.risk is not None:
        index = {id(e): n for n, e in enumerate(result.usages)}
        data["risk"] = _risk_section(result.risk, index)
    if result.suppressions is not None:
        data["suppressions"] = _suppressions(result.suppressions)
    if result.policy is not None:
        data["policy"] = _policy(result.policy, result.baseline_file)
    if result.rules is not None:  # additive: which rules the risk check used, their date and age
        data["rules"] = result.rules.as_json()
    if result.novelty is not None:  # additive: risk items new or changed for this folder
        data["new_for_you"] = result.novelty.as_json()
    return data


def usage(e: Evidence) -> Dict[str, Any]:
    return {
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


def _where(e: Evidence) -> Dict[str, Any]:
    return {"path": e.path, "line": e.line, "kind": e.kind, "provider": e.provider, "detail": e.detail,
            "model": e.model}


def _day(value: Optional[date]) -> Optional[str]:
    return value.isoformat() if value else None


def _matched(m: MatchedEvent, index: Dict[int, int]) -> Dict[str, Any]:
    e = m.event
    return {
        "id": e.id, "title": e.title, "kind": e.kind, "severity": e.severity, "confidence": e.confidence,
        "status": e.status, "state": m.state, "possible": m.possible, "providers": list(e.providers),
        "vendors": list(e.vendors), "announced": _day(e.announced), "effective": _day(e.effective),
        "ends": _day(e.ends), "regions": list(e.regions), "accounts": list(e.accounts),
        "summary": e.summary, "mitigation": e.mitigation, "sources": list(e.sources), "reason": m.reason,
        "evidence": [_where(x) for x in m.evidence[:MAX_EVENT_PLACES]],
        "evidence_total": len(m.evidence),
        "evidence_refs": [index[id(x)] for x in m.evidence if id(x) in index],
    }


def _risk_section(risk: RiskCheck, index: Dict[int, int]) -> Dict[str, Any]:
    return {
        "as_of": risk.as_of.isoformat(),
        "events_known": risk.events_known,
        "matched": [_matched(m, index) for m in risk.matched],
        "providers": [{"id": r.provider, "score": r.score, "events": [m.event.id for m in r.events]}
                      for r in risk.ranking],
        "silenced": [{"id": e.id, "reason": i.reason, "until": _day(i.until)} for e, i in risk.silenced],
        "warnings": list(risk.warnings),
    }


def _switching(result: AuditResult) -> Dict[str, Any]:
    """Per provider production code reaches: what moving off it takes (``judging/switching.py``)."""
    return {"providers": [{
        "id": cost.provider,
        "name": cost.name,
        "estimate": cost.size,
        "reasons": list(cost.reasons),
        "call_sites": [{"path": s.path, "line": s.line, "kind": s.kind, "detail": s.detail} for s in cost.call_sites],
        "model_ids": [{"model": m.model, "locations": [s.where for s in m.sites]} for m in cost.model_ids],
        "features": [{
            "id": use.feature.id,
            "name": use.feature.name,
            "kind": use.feature.kind,
            "category": use.feature.category,
            "locations": [s.where for s in use.sites],
            "models": list(use.models),
            "portability": {
                "equivalents": [{"provider": e.provider, "feature": e.feature, "note": e.note or None}
                                for e in use.feature.equivalents],
                "move": use.feature.move,
            },
            "sources": list(use.feature.sources),
        } for use in cost.features],
        "fallback": None if cost.fallback is None else {
            "provider": cost.fallback.provider, "name": cost.fallback.name, "places": cost.fallback.places,
            "without_equivalent": list(cost.fallback.missing)},
    } for cost in result.switching]}


def _suppressions(silenced: Suppressed) -> Dict[str, Any]:
    return {
        "suppressed": [{**_where(e), "code": code_of(e), "reason": why} for e, why in silenced.suppressed],
        "unused": [{"path": s.path, "line": s.line, "codes": list(s.codes)} for s in silenced.unused],
    }


def _policy(outcome: PolicyOutcome, baseline_file: Optional[str]) -> Dict[str, Any]:
    data: Dict[str, Any] = {"fail_on": list(outcome.policies), "failed": list(outcome.failed),
                            "disallowed_providers": list(outcome.disallowed)}
    if outcome.acknowledged is not None:
        ack = outcome.acknowledged
        data["acknowledged_lock_in"] = {"provider": ack.provider, "reason": ack.reason,
                                        "until": ack.until.isoformat() if ack.until else None,
                                        "active": outcome.acknowledgement_active}
    if outcome.comparison is not None:
        data["baseline"] = {
            "file": baseline_file, "known": outcome.comparison.known, "resolved": outcome.comparison.resolved,
            "new": [{"rule_id": f.rule_id, "level": f.level, "title": f.title,
                     "path": f.place.path if f.place else None, "line": f.place.line if f.place else None}
                    for f in outcome.comparison.new],
        }
    return data
