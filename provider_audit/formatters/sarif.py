"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run. ``tool.driver.rules`` always lists the fixed codes (``RESULT_CODES``: PA001, PA002, PA101-PA107
and PA202) in that order (so their ``ruleIndex`` never moves), then one ``PA201/<event-id>`` rule per matched
risk event with a result, sorted by id, then one ``PA107/<feature-id>`` rule per provider-specific feature
used, in catalog order, whose help is the feature's portability and the switching cost of its providers.
Results are ``provider_audit.findings.codes.findings`` that sit on a line: the verdict (PA001
single-provider, level error; PA002 multi-provider, note), each place a retired or retiring model id is
written (PA202), each risk event tied to lines of this code (models, packages, surfaces, features;
provider-wide events are listed in ``runs[0].properties.providerWideRisks`` instead), and each piece of
*production* evidence
(decisive context, confidence not low); evidence in tests, docs, examples or at low confidence is not
a result. Skipped files (PA901) and suppressions that matched nothing (PA900) are
``invocations[0].toolExecutionNotifications``, described in ``tool.driver.notifications``, not results;
suppressed evidence is not reported at all.

Locations are relative POSIX paths, percent-encoded, against ``%SRCROOT%`` (the scanned folder), with
1-based ``startLine``/``startColumn``; no ``endColumn`` (the region runs to the end of the line). The
line's snippet, as the scanner redacted it, goes in ``contextRegion``. Each result carries
``partialFingerprints.primaryLocationLineHash``: the line-free fingerprint of
``provider_audit.findings.fingerprint`` plus ``:<n>`` for the n-th identical finding.

With a baseline, ``results`` holds only the findings that are new against it, each with
``baselineState: "new"``, so code scanning opens alerts for what is new and nothing else (it does not
read ``baselineState``); ``run.properties.baseline`` counts them with the findings recorded in the
baseline that are still present (``unchanged``) and gone (``absent``).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List
from urllib.parse import quote

from provider_audit.findings.codes import (BY_ID, FEATURE, HELP_URI, NOTIFICATION_CODES, REPOSITORY_URL, RESULT_CODES, SEVERE,
                                  SKIPPED, UNUSED, Code, Finding, Place, event_rule_id, feature_rule_id, findings)
from provider_audit.findings.fingerprint import occurrences
from provider_audit.result import AuditResult
from provider_audit.risk.events import MatchedEvent

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
TAGS = ["llm", "vendor-lock-in", "maintainability"]


def render(result: AuditResult) -> str:
    return json.dumps(sarif_log(result), indent=2, ensure_ascii=False) + "\n"


def to_uri(path: str) -> str:
    """A relative POSIX path as a percent-encoded URI reference: every character but unreserved ones and
    ``/`` is encoded, a backslash too (``src\\app.py`` is one file name, not ``src/app.py``)."""
    return quote(path, safe="/")


def _artifact(path: str) -> Dict[str, Any]:
    return {"uri": to_uri(path), "uriBaseId": SRCROOT}


def _location(place: Place, snippet: str = "") -> Dict[str, Any]:
    physical: Dict[str, Any] = {
        "artifactLocation": _artifact(place.path),
        "region": {"startLine": place.line, "startColumn": place.column, "endLine": place.line},
    }
    if snippet:
        physical["contextRegion"] = {"startLine": place.line, "endLine": place.line, "snippet": {"text": snippet}}
    return {"physicalLocation": physical}


def _plain(markdown: str) -> str:
    return markdown.replace("**", "").replace("`", "")


def _code_rule(code: Code) -> Dict[str, Any]:
    return {
        "id": code.id,
        "name": code.name,
        "shortDescription": {"text": code.short},
        "fullDescription": {"text": code.full},
        "help": {"text": _plain(code.help), "markdown": code.help},
        "helpUri": HELP_URI,
        "defaultConfiguration": {"level": code.level},
        "properties": {"tags": TAGS, "precision": code.precision,
                       "problem.severity": PROBLEM_SEVERITY[code.level]},
    }


def _md(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _event_rule(matched: MatchedEvent) -> Dict[str, Any]:
    event = matched.event
    level = "warning" if event.severity in SEVERE else "note"
    dates = (("announced", event.announced), ("effective", event.effective), ("ends", event.ends))
    facts = [
        f"kind: {event.kind}; severity: {event.severity}; confidence: {event.confidence or 'verified'}",
        "providers: " + ", ".join(event.providers or ["-"])
        + ("; model vendors: " + ", ".join(event.vendors) if event.vendors else ""),
        "; ".join(f"{key}: {day.isoformat()}" for key, day in dates if day) or "undated",
    ]
    for key, values in (("regions", event.regions), ("accounts", event.accounts)):
        if values:
            facts.append(f"{key}: " + ", ".join(values))
    sources = list(event.sources)
    markdown = "\n".join(
        [f"**{_md(event.title)}**", "", _md(event.summary or ""), ""]
        + [f"- {_md(fact)}" for fact in facts]
        + ["", f"**Mitigation.** {_md(event.mitigation or '')}"]
        + (["", "Sources:", ""] + [f"- <{url}>" for url in sources] if sources else []))
    text = "\n".join([event.title, "", event.summary or "", ""] + facts
                     + ["", "Mitigation: " + (event.mitigation or "")] + (["", "Sources:"] + sources if sources else []))
    rule: Dict[str, Any] = {
        "id": event_rule_id(event.id),
        "name": event.id,
        "shortDescription": {"text": event.title},
        "fullDescription": {"text": event.summary or event.title},
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["provider-risk", event.kind, event.severity],
                       "precision": "high" if (event.confidence or "verified") == "verified" else "medium",
                       "problem.severity": PROBLEM_SEVERITY[level]},
    }
    if sources:
        rule["helpUri"] = sources[0]
    return rule


def _feature_rules(found: List[Finding], result: AuditResult) -> List[Dict[str, Any]]:
    """One ``PA107/<feature-id>`` rule per feature the results use: kind, equivalents, what moving off it
    involves, and the switching cost of each provider it is used with."""
    from provider_audit.data.features import load_features

    used = {f.rule_id for f in found if f.code == FEATURE}
    rules = []
    for feature in load_features():
        rule_id = feature_rule_id(feature.id)
        if rule_id not in used:
            continue
        equivalents = [f"{result.label(e.provider)}: {e.feature}" + (f" ({e.note})" if e.note else "")
                       for e in feature.equivalents] or ["none listed"]
        switching = [f"{cost.name}: {cost.size} ({'; '.join(cost.reasons)})" for cost in result.switching
                     if any(use.feature.id == feature.id for use in cost.features)]
        facts = [f"kind: {feature.kind}", "providers: " + (", ".join(feature.providers) or "any")]
        markdown = "\n".join(
            [f"**{_md(feature.name)}**", ""] + [f"- {_md(fact)}" for fact in facts]
            + ["", "**Equivalents elsewhere.**", ""] + [f"- {_md(e)}" for e in equivalents]
            + ["", f"**Moving off it.** {_md(feature.move)}"]
            + (["", "**Switching cost.**", ""] + [f"- {_md(line)}" for line in switching] if switching else [])
            + ["", "Sources:", ""] + [f"- <{url}>" for url in feature.sources])
        text = "\n".join([feature.name, ""] + facts + ["", "Equivalents elsewhere:"] + equivalents
                         + ["", "Moving off it: " + feature.move]
                         + (["", "Switching cost:"] + switching if switching else [])
                         + ["", "Sources:"] + list(feature.sources))
        level = "warning" if feature.holds_state else "note"
        rules.append({
            "id": rule_id,
            "name": feature.id,
            "shortDescription": {"text": f"Provider-specific feature: {feature.name}"},
            "fullDescription": {"text": f"{feature.name} ({feature.kind}). {feature.move}"},
            "help": {"text": text, "markdown": markdown},
            "helpUri": feature.sources[0],
            "defaultConfiguration": {"level": level},
            "properties": {"tags": TAGS + ["provider-specific-feature", feature.kind], "precision": "medium",
                           "problem.severity": PROBLEM_SEVERITY[level]},
        })
    return rules


def _result(finding: Finding, index: int, line_hash: str) -> Dict[str, Any]:
    result: Dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": index,
        "level": finding.level,
        "message": {"text": finding.message},
        "locations": [_location(finding.place, finding.snippet)] if finding.place else [],
        "partialFingerprints": {"primaryLocationLineHash": line_hash},
    }
    if finding.related:
        result["relatedLocations"] = [
            {"id": number, **_location(place), "message": {"text": place.label or "evidence"}}
            for number, place in enumerate(finding.related)]
    if finding.properties:
        result["properties"] = dict(finding.properties)
    return result


def _notifications(result: AuditResult) -> List[Dict[str, Any]]:
    """Skipped files (PA901, warning), then suppressions that matched nothing (PA900, note)."""
    index = {code: n for n, code in enumerate(NOTIFICATION_CODES)}
    found = [{
        "level": "warning",
        "message": {"text": f"{skip.path}: {skip.reason}"},
        "locations": [{"physicalLocation": {"artifactLocation": _artifact(skip.path)}}],
        "descriptor": {"id": SKIPPED, "index": index[SKIPPED]},
    } for skip in result.skipped]
    for unused in (result.suppressions.unused if result.suppressions else ()):
        codes = ", ".join(unused.codes) or "every code"
        line = max(1, int(unused.line or 1))
        found.append({
            "level": "note",
            "message": {"text": f"{unused.path}:{line}: suppression ({codes}) matched no finding"},
            "locations": [_location(Place(unused.path, line, 1))],
            "descriptor": {"id": UNUSED, "index": index[UNUSED]},
        })
    return found


def sarif_log(result: AuditResult) -> Dict[str, Any]:
    """The SARIF log (a dict) for an audit result."""
    everything = findings(result)
    # Results only for what sits on a line of this code: provider-wide risk events go to the run's
    # properties (``providerWideRisks``), never stacked on one line.
    found = [f for f in everything if f.place is not None or f.category == "verdict"]
    wide = [f.event for f in everything if f.category == "event" and f.place is None and f.event is not None]
    rules: List[Dict[str, Any]] = [_code_rule(BY_ID[code]) for code in RESULT_CODES]
    events = {f.rule_id: f.event for f in found if f.event is not None}
    rules.extend(_event_rule(events[rule_id]) for rule_id in sorted(events))
    rules.extend(_feature_rules(found, result))
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    hashes = occurrences(f.fingerprint for f in found)
    version = result.tool_version
    descriptors = [{key: value for key, value in _code_rule(BY_ID[code]).items() if key != "properties"}
                   for code in NOTIFICATION_CODES]
    lock_in = result.lock_in
    summary = result.summary
    results = [_result(f, index[f.rule_id], line_hash) for f, line_hash in zip(found, hashes)]
    comparison = result.policy.comparison if result.policy else None
    if comparison is not None:
        results = [dict(r, baselineState="new") for r, state in zip(results, comparison.states(found)) if state == "new"]
    run: Dict[str, Any] = {
        "tool": {"driver": {
            "name": "provider-audit",
            "version": version,
            "semanticVersion": version,
            "informationUri": REPOSITORY_URL,
            "rules": rules,
            "notifications": descriptors,
            **({"properties": {"rules": result.rules.as_json()}} if result.rules is not None else {}),
        }},
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": _notifications(result),
        }],
        "results": results,
        "properties": {
            "verdict": lock_in.verdict,
            "providers": list(lock_in.providers),
            "layers": list(lock_in.layers),
            "reasons": list(lock_in.reasons),
            "summary": {"files_scanned": summary.files_scanned, "usages": summary.usages,
                        "usages_by_context": dict(summary.usages_by_context), "skipped": summary.skipped,
                        "decisive_contexts": list(summary.decisive_contexts)},
            **({"newForYou": result.novelty.as_json()} if result.novelty is not None else {}),
            "providerWideRisks": [{"id": m.event.id, "title": m.event.title, "impact": m.event.impact,
                                   "severity": m.event.severity, "state": m.state, "reason": m.reason}
                                  for m in wide],
        },
    }
    if comparison is not None:
        run["properties"]["baseline"] = {"file": result.baseline_file, "new": len(comparison.new),
                                         "unchanged": comparison.known, "absent": comparison.resolved}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}

