"""GitHub-flavoured Markdown for job summaries (``-o "$GITHUB_STEP_SUMMARY"``) and PR comments.

Sections: the verdict and its reasons; retired and retiring models (the first table, when there are any:
what fails on which line, and the step); providers (one row each: kind, files, evidence counts, models)
with a Mermaid pie of files per provider; production usages per provider; hard-coded model ids;
provider-risk events; advice with ``file:line``; what was not counted; suppressions and skipped files
in ``<details>``.

Everything that comes from the scanned repository (paths, details, model ids) is escaped: in code
spans with a fence longer than any backtick run, ``|`` escaped inside tables; plain text has HTML
special characters as entities and Markdown punctuation backslash-escaped. A step summary may hold at
most 1 MiB, so the document is kept under ``MAX_BYTES``: when it would be larger, every long list
(usages, model ids, events, advice, skipped files) is cut to the same number of rows, the largest
that fits, each with a note saying how many rows were left out.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from typing import Any, Dict, List, Optional, Sequence, Tuple

from provider_audit.findings.suppress import code_of
from provider_audit.models import Evidence
from provider_audit.result import AuditResult
from provider_audit.risk.check import view

GITHUB_LIMIT = 1_000_000  # bytes; GitHub's step-summary limit is 1 MiB (1,048,576)
MARGIN = 16_000  # room for whatever else a step appends
MAX_BYTES = GITHUB_LIMIT - MARGIN
MAX_MODELS_IN_CELL = 10
MAX_PLACES = 10
SEVERITIES = ("critical", "high", "medium", "low")
UNATTRIBUTED = "\x00unattributed"  # production evidence with neither a provider nor a layer

_PUNCTUATION = re.compile(r"([\\`*_\[\]~|#])")


def render(result: AuditResult, max_bytes: int = MAX_BYTES) -> str:
    """The Markdown document, at most ``max_bytes`` bytes of UTF-8."""
    document = _document(result, None)
    if _size(document) <= max_bytes:
        return document
    low, high = 0, _longest_list(result)  # find the largest row limit that fits
    best: Optional[str] = None
    while low <= high:
        middle = (low + high) // 2
        candidate = _document(result, middle)
        if _size(candidate) <= max_bytes:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    if best is not None:
        return best
    return _minimal(result)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


# ------------------------------------------------------------------ escaping


def esc(text: Any) -> str:
    """Plain text for Markdown (table cells included): no HTML, no emphasis, no table breaks."""
    flat = " ".join(str(text).split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _PUNCTUATION.sub(r"\\\1", flat)


def prose(text: Any) -> str:
    """Our own sentences (reasons, advice): HTML escaped, inline code kept; ``|`` escaped for tables."""
    flat = " ".join(str(text).split())
    return flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def code(text: Any, table: bool = True) -> str:
    """An inline code span that cannot be broken out of."""
    flat = " ".join(str(text).split())
    if not flat:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    if longest or flat.startswith(" ") or flat.endswith(" "):
        flat = f" {flat} "
    if table:
        flat = flat.replace("|", "\\|")
    return f"{fence}{flat}{fence}"


def _mermaid_label(text: str) -> str:
    return " ".join(text.split()).replace('"', "'").replace("`", "'")[:80]


# ------------------------------------------------------------------ the document


def _cut(rows: Sequence[Any], limit: Optional[int]) -> Tuple[Sequence[Any], int]:
    if limit is None or len(rows) <= limit:
        return rows, 0
    return rows[:limit], len(rows) - limit


def _more(count: int, what: str) -> List[str]:
    if not count:
        return []
    return ["", f"_… and {count} more {what} not shown: the summary is capped at {GITHUB_LIMIT:,} bytes for "
                f"GitHub; `--format json` has everything._"]


def _longest_list(result: AuditResult) -> int:
    risk = result.risk
    silenced = result.suppressions
    return max(len(result.usages), len(result.advice), len(result.skipped), len(risk.matched) if risk else 0,
               len(risk.lifecycle) if risk else 0,
               len(silenced.suppressed) if silenced else 0, len(silenced.unused) if silenced else 0, 1,
               len(result.policy.comparison.new) if result.policy and result.policy.comparison else 0)


def _where(usage: Evidence) -> str:
    return f"{usage.path}:{usage.line}"


def _day(value: Optional[date]) -> str:
    return value.isoformat() if value else ""


def _document(result: AuditResult, limit: Optional[int]) -> str:
    label = result.label
    summary, lock_in = result.summary, result.lock_in
    verdict = lock_in.verdict
    usages = result.usages
    production = result.production()
    out: List[str] = [f"## provider-audit: `{verdict.upper()}`", ""]
    out += _new_for_you(result, limit)
    if result.rules is not None:
        out += [f"> **Warning:** {prose(w)}" for w in result.rules.warnings()] + \
            ([""] if result.rules.warnings() else [])
    who = ", ".join(esc(label(p)) for p in lock_in.providers)
    layers = ", ".join(esc(label(layer)) for layer in lock_in.layers)
    line = f"**Verdict: {esc(verdict)}**"
    if who:
        line += f" ({who}" + (f"; through {layers}" if layers else "") + ")"
    out.append(line + f". Scanned {summary.files_scanned} files: {summary.usages} usages, "
                      f"{len(production)} of them in production ({esc(', '.join(summary.decisive_contexts))}); "
                      f"{summary.skipped} files skipped.")
    out.append("")
    out.extend(f"- {prose(reason)}" for reason in lock_in.reasons)
    out.extend(_baseline(result, limit))

    risk = result.risk
    if risk and risk.lifecycle:  # the first table: what fails, or will, on which line
        shown_findings, hidden = _cut(risk.lifecycle, limit)
        out += ["", f"### Retired and retiring models ({len(risk.lifecycle)}, as of {esc(risk.as_of.isoformat())})",
                "", "| severity | what happens | where | step |", "| --- | --- | --- | --- |"]
        for f in shown_findings:
            places = [code(_where(e)) for e in f.evidence[:MAX_PLACES]]
            if len(f.evidence) > MAX_PLACES:
                places.append(f"+{len(f.evidence) - MAX_PLACES} more")
            flag = " (possible)" if f.possible else ""
            out.append(f"| {esc(f.severity)}{flag} | {esc(f.message)} | {', '.join(places)} | {esc(f.step)} |")
        out += _more(hidden, "models")

    if result.providers:
        out += ["", "### Providers", "",
                "| provider | kind | files | evidence | models | via layers |",
                "| --- | --- | ---: | --- | --- | --- |"]
        for p in result.providers:
            counts = ", ".join(f"{n} {esc(kind)}" for kind, n in p.counts.items())
            models = [code(m) for m in p.models[:MAX_MODELS_IN_CELL]]
            if len(p.models) > MAX_MODELS_IN_CELL:
                models.append(f"+{len(p.models) - MAX_MODELS_IN_CELL} more")
            via = ", ".join(esc(label(x)) for x in p.via_layers) or ("direct" if p.direct else "-")
            out.append(f"| {esc(p.name)} {code(p.id)} | {esc(p.kind)} | {len(p.files)} | {counts} | "
                       f"{'<br>'.join(models)} | {via} |")
        out += ["", "```mermaid", "pie showData", "    title Files per provider (production)"]
        out += [f'    "{_mermaid_label(p.name)}" : {len(p.files)}' for p in result.providers]
        out.append("```")

    groups: Dict[str, List[Evidence]] = defaultdict(list)
    for usage in production:
        key = usage.provider or (f"layer:{usage.layer}" if usage.layer else UNATTRIBUTED)
        groups[key].append(usage)
    order = [p.id for p in result.providers] + sorted(k for k in groups if k.startswith("layer:"))
    order += sorted(k for k in groups if k not in order and k != UNATTRIBUTED) + [UNATTRIBUTED]
    if groups:
        out += ["", "### Production usages"]
    for key in order:
        rows = groups.get(key)
        if not rows:
            continue
        if key == UNATTRIBUTED:
            title = "No API provider identified (local or self-hosted models?)"
        elif key.startswith("layer:"):
            title = f"{label(key[6:])} (provider-agnostic layer)"
        else:
            title = label(key)
        shown, hidden = _cut(rows, limit)
        out += ["", f"<details><summary>{esc(title)}: {len(rows)} usages</summary>", "",
                "| location | kind | evidence | notes |", "| --- | --- | --- | --- |"]
        for u in shown:
            what = u.model if u.kind == "model-id" and u.model else u.detail
            notes = []
            if u.provider and u.layer:
                notes.append(f"via {esc(label(u.layer))}")
            if u.model_vendor and u.model_vendor != u.provider:
                notes.append(f"model by {esc(u.model_vendor)}")
            if u.version:
                notes.append(f"version {code(u.version)}")
            elif u.specifier:
                notes.append(f"constraint {code(u.specifier)}")
            notes.append(esc(u.context) + ("" if u.confidence == "high" else f", {esc(u.confidence)} confidence"))
            location = f"{_where(u)}:{u.column}"
            out.append(f"| {code(location)} | {esc(u.kind)} | {code(what)} | {'; '.join(notes)} |")
        out += _more(hidden, "usages")
        out += ["", "</details>"]

    models: Dict[str, List[Evidence]] = defaultdict(list)
    for u in production:
        if u.kind == "model-id" and u.model:
            models[u.model].append(u)
    if models:
        model_rows = sorted(models.items(), key=lambda kv: (-len(kv[1]), kv[0]))
        shown_models, hidden = _cut(model_rows, limit)
        out += ["", "### Hard-coded model ids", "", "Each one is a switching cost: it changes when the model "
                "is retired or the provider is switched.", "",
                "| model id | provider | places |", "| --- | --- | --- |"]
        for model, items in shown_models:
            providers = sorted({label(u.provider) for u in items if u.provider})
            places = [code(_where(u)) for u in items[:MAX_PLACES]]
            if len(items) > MAX_PLACES:
                places.append(f"+{len(items) - MAX_PLACES} more")
            out.append(f"| {code(model)} | {esc(', '.join(providers))} | {', '.join(places)} |")
        out += _more(hidden, "model ids")

    out += _switching(result, limit)

    matched = risk.matched if risk else []
    marked = set(result.novelty.marked()) if result.novelty else set()
    if risk and matched:
        shown_events, hidden = _cut(matched, limit)
        by_severity = Counter(m.event.severity for m in matched)
        tally = ", ".join(f"{by_severity[s]} {s}" for s in SEVERITIES if by_severity[s])
        out += ["", f"### Provider-risk events ({len(matched)} of {risk.events_known} apply "
                    f"as of {esc(risk.as_of.isoformat())})", "",
                f"<details><summary>{esc(tally)}</summary>", "",
                "| impact | severity | event | state | where | step |", "| --- | --- | --- | --- | --- | --- |"]
        for m in shown_events:
            shown = view(m, result.names)
            e = m.event
            state = esc(m.state) + (" (possible)" if m.possible else "") + (" **new**" if e.id in marked else "")
            where = ", ".join(code(w) for w in shown.where[:MAX_PLACES]) or esc(shown.scope)
            out.append(f"| {esc(e.impact)} | {esc(e.severity)} | {esc(e.title)} {code(e.id)} | {state} | {where} | "
                       f"{esc(shown.step)} |")
        out += _more(hidden, "events")
        out += ["", "</details>"]
        if risk.ranking:
            out += ["", "Risk by provider: " + ", ".join(f"{esc(label(r.provider))} {r.score}"
                                                        for r in risk.ranking) + "."]
    if risk:
        note = risk.conditional_note()
        extra = [prose(note) + "."] if note else []
        if risk.informational:
            ids = ", ".join(code(m.event.id, table=False) for m in risk.informational)
            extra.append(f"{len(risk.informational)} informational events (never hits, never a gate)"
                         + (f": {ids}." if risk.show_informational else "; `--show-informational` lists them."))
        if risk.silenced:
            extra.append("Silenced by configuration: " + ", ".join(code(e.id, table=False) for e, _ in risk.silenced)
                         + ".")
        if extra:
            out += [""] + extra

    if result.advice:
        shown_steps, hidden = _cut(result.advice, limit)
        out += ["", "### Advice", ""]
        for number, step in enumerate(shown_steps, 1):
            at = ", ".join(code(where, table=False) for where in step.locations)
            out.append(f"{number}. {prose(step.text)}" + (f" At {at}." if at else ""))
        out += _more(hidden, "steps")

    elsewhere = [u for u in usages if not result.is_production(u)]
    if elsewhere:
        tally_rows: Dict[Tuple[str, str], int] = defaultdict(int)
        for u in elsewhere:
            where = u.context if u.confidence != "low" else f"{u.context}, low confidence"
            tally_rows[(u.provider or u.layer or "unknown", where)] += 1
        out += ["", "### Not counted in the verdict", "",
                "Evidence in tests, docs and examples, or at low confidence, does not decide the verdict.", "",
                "| provider or layer | where | usages |", "| --- | --- | ---: |"]
        out += [f"| {code(name)} | {esc(where)} | {n} |" for (name, where), n in sorted(tally_rows.items())]

    silenced = result.suppressions
    suppressed = silenced.suppressed if silenced else []
    unused = silenced.unused if silenced else []
    if suppressed or unused:
        shown_suppressed, hidden = _cut(suppressed, limit)
        out += ["", f"<details><summary>Suppressed ({len(suppressed)}), unused suppressions ({len(unused)})</summary>",
                ""]
        if suppressed:
            out += ["| location | code | evidence | why |", "| --- | --- | --- | --- |"]
            for e, why in shown_suppressed:
                what = e.model if e.kind == "model-id" and e.model else e.detail
                out.append(f"| {code(_where(e))} | {esc(code_of(e))} | {code(what)} | {esc(why)} |")
            out += _more(hidden, "suppressed findings")
        if unused:
            places, left = _cut(unused, limit)
            out += ["", "Unused suppressions (they match nothing; remove them): " + ", ".join(
                code(f"{u.path}:{u.line}", table=False) + (f" ({esc(', '.join(u.codes))})" if u.codes else "")
                for u in places) + (f", and {left} more" if left else "") + "."]
        out += ["", "</details>"]

    if result.skipped:
        shown_skips, hidden = _cut(result.skipped, limit)
        out += ["", f"<details><summary>Skipped or degraded files ({len(result.skipped)})</summary>", "",
                "| file | reason |", "| --- | --- |"]
        out += [f"| {code(s.path)} | {esc(s.reason)} |" for s in shown_skips]
        out += _more(hidden, "files")
        out += ["", "</details>"]

    if result.rules is not None:
        out += ["", f"Rules: {esc(result.rules.describe())}."]
    out += ["", f"<sub>provider-audit {esc(result.tool_version)}</sub>"]  # the last line (scanning/own_output.py)
    return "\n".join(out) + "\n"


def _switching(result: AuditResult, limit: Optional[int]) -> List[str]:
    """The "Switching cost" section: the estimate per provider, then each provider's features with their
    places and portability."""
    if not result.switching:
        return []
    label = result.label
    out = ["", "### Switching cost", "",
           "What moving off each provider takes: **small** is a configuration change, **medium** means a few "
           "call sites, model ids or provider-specific features to port, **large** means state or data held "
           "at the provider to migrate.", "",
           "| provider | estimate | why | call sites | model ids | features |", "| --- | --- | --- | ---: | ---: | ---: |"]
    for cost in result.switching:
        out.append(f"| {esc(cost.name)} | **{esc(cost.size)}** | {'<br>'.join(prose(r) for r in cost.reasons)} | "
                   f"{len(cost.call_sites)} | {len(cost.model_ids)} | {len(cost.features)} |")
    for cost in result.switching:
        if not cost.features:
            continue
        shown, hidden = _cut(cost.features, limit)
        out += ["", f"<details><summary>{esc(cost.name)}: {len(cost.features)} provider-specific features</summary>", "",
                "| feature | kind | places | equivalents elsewhere | moving off it |", "| --- | --- | --- | --- | --- |"]
        for use in shown:
            feature = use.feature
            places = [code(s.where) for s in use.sites[:MAX_PLACES]]
            if len(use.sites) > MAX_PLACES:
                places.append(f"+{len(use.sites) - MAX_PLACES} more")
            equivalents = "<br>".join(f"{esc(label(e.provider))}: {esc(e.feature)}" for e in feature.equivalents)
            out.append(f"| {esc(feature.name)} {code(feature.id)} | {esc(feature.kind)} | {', '.join(places)} | "
                       f"{equivalents or 'none listed'} | {prose(feature.move)} |")
        out += _more(hidden, "features")
        fallback = cost.fallback
        if fallback is not None:
            missing = [u.feature.name for u in cost.features if u.feature.id in fallback.missing]
            out += ["", f"Fallback to {esc(fallback.name)}: {fallback.places} places need work; "
                        + ("no equivalent there for " + ", ".join(esc(m) for m in missing) if missing
                           else "every feature used has an equivalent there") + "."]
        out += ["", "</details>"]
    return out


def _new_for_you(result: AuditResult, limit: Optional[int]) -> List[str]:
    """The risk items new for this repository (since its previous scan, or --since), first thing."""
    novelty = result.novelty
    headline = novelty.headline() if novelty else None
    if novelty is None or headline is None or result.risk is None:
        return []
    marked = set(novelty.marked())
    rows = [m for m in result.risk.matched if m.event.id in marked]
    shown, hidden = _cut(rows, limit)
    out = [f"**{esc(headline)}**", ""]
    if rows:
        out += ["| severity | event | state |", "| --- | --- | --- |"]
        out += [f"| {esc(m.event.severity)} | {esc(m.event.title)} {code(m.event.id)} | {esc(m.state)} |"
                for m in shown]
        out += _more(hidden, "new items")
        out.append("")
    return out


def _baseline(result: AuditResult, limit: Optional[int]) -> List[str]:
    """With a baseline: "N new since the baseline", and the new findings in a table."""
    comparison = result.policy.comparison if result.policy else None
    if comparison is None:
        return []
    n = len(comparison.new)
    out = ["", f"**{n} new since the baseline** {code(result.baseline_file or '', table=False)}: "
               f"{comparison.known} known, {comparison.resolved} resolved."]
    if comparison.new:
        shown, hidden = _cut(comparison.new, limit)
        out += ["", "| location | level | code | finding |", "| --- | --- | --- | --- |"]
        out += [f"| {code(f'{f.place.path}:{f.place.line}' if f.place else '-')} | {esc(f.level)} | "
                f"{esc(f.rule_id)} | {esc(f.title)} |" for f in shown]
        out += _more(hidden, "new findings")
    return out


def _minimal(result: AuditResult) -> str:
    """The verdict alone, for a report whose every list was cut and still does not fit."""
    lock_in = result.lock_in
    lines = [f"## provider-audit: `{lock_in.verdict.upper()}`", ""]
    lines += [f"- {prose(reason)[:1000]}" for reason in lock_in.reasons[:20]]
    comparison = result.policy.comparison if result.policy else None
    if comparison is not None:
        lines += ["", f"**{len(comparison.new)} new since the baseline**: {comparison.known} known."]
    lines += ["", "_The report is too large for a GitHub summary; `--format json` has everything._"]
    return "\n".join(lines) + "\n"
