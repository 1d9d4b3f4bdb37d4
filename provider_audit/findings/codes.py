"""Stable finding codes, and which facts of a report become findings at which level.

Codes never change meaning and are never reused; a retired code keeps its number.

| code | name | what |
| --- | --- | --- |
| PA001 | single-provider-lock-in | repository level: the verdict is ``single-provider`` |
| PA002 | multi-provider-without-layer | repository level: several providers are called directly, no agnostic layer |
| PA101 | provider-sdk-dependency | a manifest or lockfile depends on a provider SDK (or an agnostic layer) |
| PA102 | provider-sdk-import | code imports a provider SDK (or an agnostic layer) |
| PA103 | provider-client-construction | code constructs a provider client |
| PA104 | provider-api-endpoint | code or config names a provider's API host or ``base_url`` |
| PA105 | provider-api-key-variable | a provider's API-key (or base-URL) variable is read or set |
| PA106 | hard-coded-model-id | a model id is written into code or config |
| PA107 | provider-specific-feature | code uses a provider-specific feature (``rules/features.yaml``); each feature is its own rule ``PA107/<feature-id>`` |
| PA201 | risk-event | a provider-risk event applies; each event is its own rule ``PA201/<event-id>`` |
| PA202 | retired-model | a model id (or SDK) production code sends to a platform is retired, or retires soon |
| PA900 | unused-suppression | a suppression comment matched nothing (a notification, not a result) |
| PA901 | file-skipped | a file was not read, or read in a degraded way (a notification, not a result) |

Feature uses use the rule id ``PA107/<feature-id>``, so each feature carries its kind and portability
(equivalents elsewhere, what a move involves) as rule help.

Matched risk events use the rule id ``PA201/<event-id>``: one rule per event, so each event carries
its own title, summary, mitigation and sources as rule help, while the ``PA2`` prefix still selects
every event (``ignore = ["PA2"]``-style prefix selection keeps working).

Which evidence becomes a finding: *production* evidence only, that is evidence in a decisive context
(``summary.decisive_contexts``, by default source, config and manifest) at a confidence other than
``low``: exactly the evidence that decides the verdict. Evidence in tests, docs and examples, and
low-confidence evidence, is listed by the text, JSON and Markdown reports but is not a finding.

Levels: the lock-in finding (PA001) is ``error``; production evidence is ``warning`` when the verdict
is single-provider and ``note`` otherwise; PA002 is ``note``; a risk event is ``warning`` when it is
in effect, certain (not only possible) and of critical or high severity, and ``note`` otherwise. A
retired model (PA202) is ``error`` when the call fails or is rerouted today (critical), ``warning``
when it shuts down within 90 days (high), ``note`` otherwise or when only some versions are affected.

PA202 findings are one per place the id is written (the line to change). Risk events tied to lines
(models, packages, surfaces, features) sit on their central evidence; provider-wide events (every use
of a provider) have no place: they are findings (baselines, policies) but not SARIF results or
annotations, and reports list them in their summaries.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from provider_audit.findings.fingerprint import fingerprint, usage_fingerprint
from provider_audit.findings.types import Finding, Place
from provider_audit.models import Evidence

if TYPE_CHECKING:  # pragma: no cover
    from provider_audit.data.features import Feature
    from provider_audit.result import AuditResult
    from provider_audit.risk.events import MatchedEvent
    from provider_audit.risk.lifecycle import LifecycleFinding

LEVELS = ("error", "warning", "note")
REPOSITORY_URL = "https://github.com/provider-audit/provider-audit"
HELP_URI = REPOSITORY_URL + "#finding-codes"


@dataclass(frozen=True)
class Code:
    id: str
    name: str  # kebab-case
    short: str  # one line
    full: str  # a paragraph
    help: str  # Markdown: what it means and what to do
    level: str  # default level: error | warning | note
    precision: str = "high"


_ROUTE = ("Route every import and client construction through one adapter module of your own, or through "
          "a provider-agnostic layer (LiteLLM, any-llm, LangChain, Vercel AI SDK...), and configure a second "
          "provider as a tested fallback.")
_MODEL = ("Read model ids from configuration, so that a model retirement or a provider switch is a "
          "configuration change, not a code change.")

CODES: Tuple[Code, ...] = (
    Code("PA001", "single-provider-lock-in", "Production code is locked in to one LLM provider",
         "All production code, configuration and manifests reach a single LLM provider and no "
         "provider-agnostic layer is in the path: an access restriction, regional block, model retirement "
         "or price change at that provider stops the application.",
         "**Single-provider lock-in.** Every piece of production evidence (SDK dependencies, imports, "
         "client construction, API endpoints, API-key variables, model ids) reaches one provider, and no "
         "agnostic layer (LiteLLM, any-llm, LangChain, Vercel AI SDK, OpenRouter...) is in the path.\n\n"
         "What to do:\n\n"
         f"- {_ROUTE}\n- {_MODEL}\n\n"
         "The result sits on the most central piece of evidence (the client construction in the file "
         "with the most evidence for the provider); its message gives the reasons and the advice for "
         "this repository. `provider-audit --fail-on` chooses whether this fails the build.",
         "error"),
    Code("PA002", "multi-provider-without-layer", "Production code calls several LLM providers directly",
         "Production code reaches two or more LLM providers, each through its own SDK, with no "
         "provider-agnostic layer: each provider is hard-wired where it is used, and one may not be a "
         "working fallback for the other.",
         "**Several providers, no layer.** More than one provider is reached, but each call site is wired "
         "to its provider's SDK.\n\nWhat to do:\n\n"
         f"- {_ROUTE}\n- Check that each provider can really take over the other's traffic.",
         "note"),
    Code("PA101", "provider-sdk-dependency", "Dependency on an LLM provider SDK",
         "A manifest or lockfile declares a package that is an LLM provider's SDK (or a provider-agnostic "
         "layer, or a layer's per-provider integration).",
         "**Provider SDK dependency.** The project depends on a package that talks to one LLM provider.\n\n"
         "Dependencies alone do not make lock-in; the imports and clients that use them do. Keep provider "
         "SDKs behind one adapter, or depend on an agnostic layer instead.",
         "note"),
    Code("PA102", "provider-sdk-import", "Import of an LLM provider SDK",
         "Code imports a module of an LLM provider's SDK (or of a provider-agnostic layer).",
         f"**Provider SDK import.** This module imports a provider's SDK directly.\n\n{_ROUTE}",
         "note"),
    Code("PA103", "provider-client-construction", "Construction of an LLM provider client",
         "Code constructs a client object of an LLM provider's SDK; the provider is decided here, in code.",
         f"**Provider client construction.** The provider is chosen in code at this line.\n\n{_ROUTE}",
         "note"),
    Code("PA104", "provider-api-endpoint", "LLM provider API endpoint",
         "Code or configuration names an LLM provider's API host or base URL (including an "
         "OpenAI-compatible SDK pointed at another provider).",
         "**Provider API endpoint.** A provider's API host is written here. Read base URLs from "
         "configuration, next to the key, so a second provider is a configuration entry.",
         "note"),
    Code("PA105", "provider-api-key-variable", "LLM provider API-key variable",
         "An environment variable or configuration key that holds a provider's API key (or base URL) is "
         "read or set. Values are never reported.",
         "**Provider API-key variable.** The code or deployment expects this provider's credentials. A "
         "fallback provider needs its own key provisioned everywhere this one is.",
         "note"),
    Code("PA106", "hard-coded-model-id", "Hard-coded LLM model id",
         "A model id is written into code or configuration. Model ids are the switching cost: each one "
         "must change when the model is retired or the provider is switched.",
         f"**Hard-coded model id.** {_MODEL} Keep a tested successor configured for every model in use.",
         "note"),
    Code("PA107", "provider-specific-feature", "Use of a provider-specific feature",
         "Code uses a feature that exists at this provider only, or only in this form: state it keeps "
         "(threads, stored responses, tuned models, files), data tied to it (vector stores, knowledge bases, "
         "stored embeddings), a cost model (prompt caching, batches), a capability or a format. These make "
         "a switch cost more than a configuration change. Each feature is reported under its own rule, "
         "PA107/<feature-id>, whose help gives its portability.",
         "**Provider-specific feature.** See the rule `PA107/<feature-id>` for the feature: its kind, the "
         "equivalents at other providers and what moving off it involves. The report's switching-cost part "
         "estimates the whole move per provider; `--fail-on new-provider-state` stops new state or data "
         "from accumulating at a provider.",
         "note"),
    Code("PA201", "risk-event", "A provider-risk event applies",
         "An event from the provider-risk database (an access restriction, regional block, retirement, "
         "price or terms change...) reaches providers, models or packages that production code uses. Each "
         "event is reported under its own rule, PA201/<event-id>, whose help gives its summary, "
         "mitigation and sources.",
         "**Provider-risk event.** See the rule `PA201/<event-id>` for the event itself. "
         "`provider-audit rules show <event-id>` prints it.",
         "warning", "medium"),
    Code("PA202", "retired-model", "A model id production code sends to a platform is retired or retiring",
         "A model id (or an SDK) that production code sends to a platform is past its shutdown on that "
         "platform (the call fails, or is rerouted to another model), shuts down soon, or is deprecated. "
         "Dates are per platform: the same model on Bedrock, Vertex AI or Azure retires on other days.",
         "**Retired or retiring model.** The message says what happens to this call and since or until "
         "when, with the vendor's replacement.\n\nWhat to do:\n\n- Replace the id with the replacement "
         f"and test it.\n- {_MODEL}", "error"),
    Code("PA900", "unused-suppression", "Suppression comment that suppresses nothing",
         "A `provider-audit: ignore` comment (or a configured ignore) matched no finding: the code it "
         "silenced moved or is gone, and a stale suppression could hide a future finding.",
         "**Unused suppression.** Remove the comment, or move it to the line it was meant for. "
         "`--ignore-suppressions` shows what every suppression hides.",
         "note"),
    Code("PA901", "file-skipped", "File skipped or read in a degraded way",
         "A file was not scanned (binary, too large, unreadable) or could only be read in part; evidence "
         "in it may be missing from the report.",
         "**File skipped.** Evidence in this file may be missing. Raise `--max-file-size`, fix the file, "
         "or exclude it explicitly.",
         "warning"),
)
BY_ID: Dict[str, Code] = {c.id: c for c in CODES}

LOCK_IN, MULTI, EVENT, RETIRED, UNUSED, SKIPPED = "PA001", "PA002", "PA201", "PA202", "PA900", "PA901"
NOTIFICATION_CODES: Tuple[str, ...] = (UNUSED, SKIPPED)  # SARIF tool notifications, not results
KIND_CODES: Dict[str, str] = {
    "dependency": "PA101", "import": "PA102", "client": "PA103",
    "endpoint": "PA104", "env-var": "PA105", "model-id": "PA106", "feature": "PA107",
}
FEATURE = "PA107"
# Codes that are SARIF rules (results); PA201 rules are made per event, PA900/PA901 are notifications.
RESULT_CODES: Tuple[str, ...] = ("PA001", "PA002", "PA101", "PA102", "PA103", "PA104", "PA105", "PA106", "PA107",
                                "PA202")
# How central a piece of evidence is: the call site first, the manifest last.
KIND_RANK = {"client": 0, "import": 1, "endpoint": 2, "model-id": 3, "env-var": 4, "dependency": 5, "feature": 6}
# Advice steps shown with a usage finding of these kinds, when the step lists the usage's path:line.
ADVICE_FOR_KINDS = {
    "route-through-layer": ("import", "client"),
    "configure-fallback-endpoint": ("import", "client", "endpoint"),
    "model-to-config": ("model-id",),
    "replace-retired-model": ("model-id",),
    "switching-cost": ("feature",),
}
LOCK_IN_ADVICE = ("route-through-layer", "configure-fallback-endpoint", "add-fallback-provider", "switching-cost")
SEVERE = ("critical", "high")


def event_rule_id(event_id: str) -> str:
    return f"{EVENT}/{event_id}"


def feature_rule_id(feature_id: str) -> str:
    return f"{FEATURE}/{feature_id}"


def central(usages: Sequence[Evidence]) -> Optional[Evidence]:
    """The most central piece of evidence: in the file holding the most of it (ties: the file with a call
    site, then by path), the client construction first, then the import, endpoint, model id..."""
    if not usages:
        return None
    per_file = Counter(u.path for u in usages)
    best_kind: Dict[str, int] = {}
    for u in usages:
        best_kind[u.path] = min(best_kind.get(u.path, 9), KIND_RANK.get(u.kind, 9))
    hub = min(per_file, key=lambda p: (-per_file[p], best_kind[p], p))
    return min((u for u in usages if u.path == hub), key=lambda u: (KIND_RANK.get(u.kind, 9), u.line, u.column))


def verdict_anchor(result: "AuditResult") -> Optional[Evidence]:
    """Where the verdict is shown: the central evidence of the agnostic layer for ``abstracted``, else of
    the main provider (the first in footprint order); None for the verdict ``none``."""
    lock_in = result.lock_in
    if lock_in.verdict == "none":
        return None
    production = result.production()
    providers, layers = lock_in.providers, lock_in.layers
    if lock_in.verdict == "abstracted":  # the layer is what matters: show it
        through = central([u for u in production if u.layer in layers or u.provider in layers])
        if through is not None:
            return through
    if providers:
        return central([u for u in production if u.provider == providers[0]]) or central(production)
    return central([u for u in production if u.layer]) or central(production)


def _place(usage: Evidence, label: str = "") -> Place:
    return Place(usage.path, max(1, int(usage.line or 1)), max(1, int(usage.column or 1)), label)


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    return text if text.endswith((".", "!", "?")) else text + "."


def _advice_for(result: "AuditResult", usage: Evidence) -> List[str]:
    where = f"{usage.path}:{usage.line}"
    return [step.text for step in result.advice
            if usage.kind in ADVICE_FOR_KINDS.get(step.id, ()) and where in step.locations]


def _usage_finding(result: "AuditResult", usage: Evidence, locked: bool) -> Finding:
    code = KIND_CODES[usage.kind]
    provider, layer = usage.provider, usage.layer
    vendor = usage.model_vendor
    if provider:
        target = result.label(provider)
    elif layer:
        target = f"{result.label(layer)}, a provider-agnostic layer"
    else:
        target = (f"model by {vendor}, " if vendor else "") + "no API provider identified"
    what = usage.model if usage.kind == "model-id" and usage.model else usage.detail
    feature = _feature(usage)
    if feature is not None:
        what = f"{feature.name}, {usage.detail.split(' ', 1)[-1]}"
    title = f"{BY_ID[code].short}: {what} ({target})"
    parts = [title + "."]
    if feature is not None:
        parts.append(f"Kind: {feature.kind}. Moving off it: {_sentence(feature.move)}")
    if usage.kind == "dependency":
        if usage.version:
            parts.append(f"Version {usage.version}.")
        elif usage.specifier:
            parts.append(f"Constraint {usage.specifier}.")
    if provider and layer:
        parts.append(f"Reached through {result.label(layer)}.")
    if vendor and provider and vendor != provider:
        parts.append(f"Model vendor: {vendor}.")
    parts.append(f"Production evidence ({usage.context}, {usage.confidence} confidence).")
    if locked:
        parts.append(f"The repository is locked in to {target} (single-provider).")
    parts.extend(_sentence(text) for text in _advice_for(result, usage))
    return Finding(
        rule_id=feature_rule_id(feature.id) if feature is not None else code, code=code,
        level="warning" if locked else "note", title=title, message=" ".join(parts),
        place=_place(usage), fingerprint=usage_fingerprint(code, usage), category="usage", kind=usage.kind,
        provider=provider or layer or "", snippet=usage.snippet or "",
        properties={k: v for k, v in (("provider", provider), ("layer", layer), ("modelVendor", vendor),
                                      ("kind", usage.kind), ("context", usage.context),
                                      ("confidence", usage.confidence),
                                      ("feature", feature.id if feature else None),
                                      ("featureKind", feature.kind if feature else None)) if v})


def _feature(usage: Evidence) -> Optional["Feature"]:
    """The catalog entry of a feature use (None for other evidence, or a feature no longer catalogued)."""
    if usage.kind != "feature":
        return None
    from provider_audit.data.features import load_features

    return load_features().get(usage.feature)


def _verdict_finding(result: "AuditResult") -> Optional[Finding]:
    lock_in = result.lock_in
    verdict = lock_in.verdict
    if verdict not in ("single-provider", "multi-provider"):
        return None
    code = LOCK_IN if verdict == "single-provider" else MULTI
    providers = lock_in.providers
    who = ", ".join(result.label(p) for p in providers)
    if code == LOCK_IN:
        title = f"Locked in to one LLM provider: {who}"
    else:
        title = f"Several LLM providers called directly, without an agnostic layer: {who}"
    steps = [s for s in result.advice if s.id in LOCK_IN_ADVICE and (s.provider or "") in providers]
    parts = [title + ".", "Verdict " + verdict + ": " + "; ".join(lock_in.reasons) + "."]
    parts.extend(_sentence(s.text) for s in steps)
    anchor = verdict_anchor(result)
    sites = [u for u in result.production() if u.provider in providers
             and u.kind in ("client", "import") and not u.layer and u is not anchor]
    related = [_place(u, f"{u.kind}: {u.detail}") for u in sites[:10]]
    return Finding(
        rule_id=code, code=code, level="error" if code == LOCK_IN else "note", title=title,
        message=" ".join(parts), place=_place(anchor) if anchor else None,
        fingerprint=fingerprint(code, ",".join(providers), "", verdict), category="verdict",
        provider=",".join(providers), snippet=(anchor.snippet or "") if anchor else "",
        related=tuple(related),
        properties={"verdict": verdict, "providers": list(providers), "layers": list(lock_in.layers)})


def event_level(m: "MatchedEvent") -> str:
    certain = m.state == "in-effect" and not m.possible
    return "warning" if certain and m.event.severity in SEVERE else "note"


def event_when(m: "MatchedEvent") -> str:
    """``in effect since 2025-06-03``, ``not in effect yet (effective 2027-01-01)``, ``ended 2025-05-13``..."""
    e = m.event
    effective = e.effective.isoformat() if e.effective else None
    announced = e.announced.isoformat() if e.announced else None
    if m.state == "upcoming":
        return "not in effect yet" + (f" (effective {effective})" if effective else
                                      f" (announced {announced})" if announced else "")
    if m.state == "ended":
        return "ended" + (f" {e.ends.isoformat()}" if e.ends else "")
    since = effective or announced
    return "in effect" + (f" since {since}" if since else "")


def lifecycle_level(f: "LifecycleFinding") -> str:
    if f.possible:
        return "note"
    return {"critical": "error", "high": "warning"}.get(f.severity, "note")


def _lifecycle_findings(result: "AuditResult") -> List[Finding]:
    """PA202: one per place a retired or retiring id is written."""
    if result.risk is None:
        return []
    found = []
    for f in result.risk.lifecycle:
        entry = f.entry
        title = f.message[:1].upper() + f.message[1:]
        parts = [_sentence(title), _sentence(f.step[:1].upper() + f.step[1:])]
        if f.related_events:
            parts.append(f"Also reported by {', '.join(f.related_events)}.")
        parts.append(f"Source: {entry.source} (checked {entry.checked.isoformat()}).")
        for e in f.evidence:
            found.append(Finding(
                rule_id=RETIRED, code=RETIRED, level=lifecycle_level(f), title=title, message=" ".join(parts),
                place=_place(e), fingerprint=fingerprint(RETIRED, f.platform, e.path, f.model), category="lifecycle",
                kind=e.kind, provider=f.platform, snippet=e.snippet or "",
                properties={k: v for k, v in (("severity", f.severity), ("phase", f.phase), ("platform", f.platform),
                                              ("model", f.model), ("daysToShutdown", f.days),
                                              ("replacement", entry.replacement), ("possible", f.possible))
                            if v is not None}))
    return found


def _event_findings(result: "AuditResult") -> List[Finding]:
    if result.risk is None:
        return []
    found = []
    for m in result.risk.matched:
        event = m.event
        evidence = list(m.evidence)
        # Provider-wide events (every use of a provider) belong to no line: no place, so no SARIF
        # result and no annotation stacked on one line; reports list them in their summaries.
        anchor = central(evidence) if m.tied_to_lines else None
        rule_id = event_rule_id(event.id)
        title = " ".join(str(event.title).split()).rstrip(".")
        parts = [
            f"{title}.",
            f"{event.severity.capitalize()} {event.kind}, {event_when(m)}"
            + (", possibly: only a declared version range may be affected" if m.possible else "") + ".",
            f"Why it applies: {m.reason}." if m.reason else "",
            f"Mitigation: {_sentence(event.mitigation)}" if event.mitigation else "",
        ]
        related = tuple(_place(u, u.kind) for u in evidence if u is not anchor)[:10] if anchor else ()
        found.append(Finding(
            rule_id=rule_id, code=EVENT, level=event_level(m), title=title,
            message=" ".join(p for p in parts if p), place=_place(anchor) if anchor else None,
            fingerprint=fingerprint(rule_id, ",".join(event.providers), "", ""), category="event",
            provider=",".join(event.providers), snippet=(anchor.snippet or "") if anchor else "",
            related=related, event=m,
            properties={"severity": event.severity, "state": m.state, "possible": bool(m.possible),
                        "impact": event.impact, "providerWide": anchor is None}))
    return found


def findings(result: "AuditResult") -> List[Finding]:
    """Every finding of a result, in a fixed order: the verdict, retired models, risk events, then evidence
    by path and line."""
    locked = result.lock_in.verdict == "single-provider"
    found: List[Finding] = []
    verdict = _verdict_finding(result)
    if verdict is not None:
        found.append(verdict)
    found.extend(_lifecycle_findings(result))
    found.extend(_event_findings(result))
    found.extend(_usage_finding(result, u, locked) for u in result.production() if u.kind in KIND_CODES)
    return found
