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
from provider_audit.models import CONTEXTS, Evidence
from provider_audit.result import AuditResult
from provider_audit.risk.check import RiskCheck
from provider_audit.risk.events import SCOPE_KEYS, MatchedEvent
from provider_audit.risk.lifecycle import LifecycleFinding

SCHEMA_VERSION = 1
# A matched risk event lists at most this many places in full (``evidence``); ``evidence_refs`` points
# at every one of them by index into ``usages``, so the report holds each piece of evidence once.
MAX_EVENT_PLACES = 20


# ``json.dumps(u, ensure_ascii=False)``, with one encoder for all the usages (``dumps`` with any
# non-default argument builds a new encoder at every call).
_ONE_LINE = json.JSONEncoder(ensure_ascii=False).encode


def render(result: AuditResult) -> str:
    """The document indented, except ``usages``: one usage a line (a large repository has tens of
    thousands; one key a line made vercel/ai's report 5.5 MB, a quarter of it indentation). Every
    other key is exactly ``json.dumps(document, indent=2)``'s (strings hold no raw line breaks)."""
    parts = []
    for key, value in document(result).items():
        if key == "usages" and value:
            body = "[\n" + ",\n".join("    " + _ONE_LINE(u) for u in value) + "\n  ]"
        else:
            body = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        parts.append(f"  {json.dumps(key)}: {body}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


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
            # Files of the other contexts (tests, examples, docs...) read for their keyword lines only:
            # their evidence is reported in its context but never decides, so no parser runs on them.
            "light_pass": {"contexts": [c for c in CONTEXTS if c not in summary.decisive_contexts],
                           "files": summary.files_light},
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
        # Providers named somewhere that production code does not reach: never in providers[] (additive key).
        "mentioned": [{"id": m.id, "name": m.name, "why": m.why, "files": list(m.files), "contexts": list(m.contexts)}
                      for m in lock_in.mentioned],
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
        "surface": e.surface,
        "feature": e.feature,
        "default_of": e.default_of,
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
        # schema_version 1, additive: events schema 2 and scoping
        "impact": e.impact, "status_as_of": _day(e.status_as_of), "superseded_by": e.superseded_by,
        "source_types": [r.type for r in e.references], "checked": _day(e.checked),
        "surfaces": list(e.surfaces), "features": list(e.features),
        "jurisdictions": list(e.jurisdictions), "customer_types": list(e.customer_types),
        "ownership": list(e.ownership), "surfaces_used": list(m.surfaces), "features_used": list(m.features),
        "scopes_matched": {key: list(values) for key, values in m.scopes},
        "conditional_on": list(m.conditional_on), "tied_to_lines": m.tied_to_lines,
    }


def _lifecycle(f: LifecycleFinding, index: Dict[int, int]) -> Dict[str, Any]:
    entry = f.entry
    return {
        "kind": f.kind, "model": f.model, "platform": f.platform, "phase": f.phase, "severity": f.severity,
        "impact": f.impact, "possible": f.possible, "days_to_shutdown": f.days,
        "deprecated": _day(entry.deprecated), "shutdown": _day(entry.shutdown),
        "at_shutdown": getattr(entry, "at_shutdown", None), "reroute_to": getattr(entry, "reroute_to", None),
        "replacement": entry.replacement, "versions": list(getattr(entry, "versions", ())),
        "message": f.message, "step": f.step, "source": entry.source, "checked": _day(entry.checked),
        "related_events": list(f.related_events),
        "evidence": [_where(x) for x in f.evidence[:MAX_EVENT_PLACES]],
        "evidence_total": len(f.evidence),
        "evidence_refs": [index[id(x)] for x in f.evidence if id(x) in index],
    }


def _brief(m: MatchedEvent) -> Dict[str, Any]:
    e = m.event
    return {"id": e.id, "title": e.title, "kind": e.kind, "impact": e.impact, "severity": e.severity,
            "state": m.state, "conditional_on": list(m.conditional_on), "reason": m.reason}


def _risk_section(risk: RiskCheck, index: Dict[int, int]) -> Dict[str, Any]:
    return {
        "as_of": risk.as_of.isoformat(),
        "events_known": risk.events_known,
        "matched": [_matched(m, index) for m in risk.matched],
        "providers": [{"id": r.provider, "score": r.score, "events": [m.event.id for m in r.events]}
                      for r in risk.ranking],
        "silenced": [{"id": e.id, "reason": i.reason, "until": _day(i.until)} for e, i in risk.silenced],
        "warnings": list(risk.warnings),
        # schema_version 1, additive: model lifecycle and scoped events
        "lifecycle": [_lifecycle(f, index) for f in risk.lifecycle],
        "lifecycle_ids_known": risk.lifecycle_known,
        "conditional": [_brief(m) for m in risk.conditional],
        "conditional_note": risk.conditional_note(),
        "informational": [_brief(m) for m in risk.informational],
        "covered_by_lifecycle": [m.event.id for m in risk.covered],
        "scopes": {key.replace("_", "-"): (sorted(v) if v is not None else None)
                   for key, v in ((k, risk.scopes.declared(k)) for k in SCOPE_KEYS)},
        "worst_in_effect": risk.worst_in_effect(),
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
