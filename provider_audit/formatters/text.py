"""The report for people: verdict and why, evidence grouped by provider, model ids, advice, skips.

Styling goes through ``click.style``; ``click.echo`` drops it when the output is not a terminal.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Set

import click

from provider_audit.findings.suppress import code_of
from provider_audit.models import Evidence
from provider_audit.result import AuditResult
from provider_audit.risk.check import RiskCheck, view

VERDICT_COLOURS = {"none": "green", "abstracted": "green", "multi-provider": "yellow", "single-provider": "red"}
MAX_ROWS_PER_PROVIDER = 25
MAX_ITEMS = 12
MAX_PLACES = 5
SEVERITY_COLOURS = {"critical": "red", "high": "red", "medium": "yellow", "low": None}
MAX_NEW = 25
MAX_SUPPRESSED = 10


def render(result: AuditResult) -> str:
    out: List[str] = []
    summary = result.summary
    out.append(f"provider-audit {result.tool_version}: {summary.files_scanned} files scanned, "
               f"{summary.usages} usages found")
    out.append("")
    verdict = result.lock_in.verdict
    out.append("Verdict: " + click.style(verdict.upper(), fg=VERDICT_COLOURS.get(verdict), bold=True))
    out.extend(f"  - {reason}" for reason in result.lock_in.reasons)
    if result.risk is not None:
        out.extend(_risk(result.risk, result.names, set(result.novelty.marked()) if result.novelty else set()))
    out.extend(_baseline(result))

    usages = result.usages
    production = result.production()
    by_provider: Dict[str, List[Evidence]] = defaultdict(list)
    for usage in production:
        by_provider[usage.provider or usage.layer or "unknown"].append(usage)
    for provider in result.providers:
        rows = by_provider.pop(provider.id, [])
        counts = ", ".join(f"{n} {kind}" for kind, n in provider.counts.items())
        out.append("")
        out.append(click.style(f"{provider.name}", bold=True) +
                   f" ({provider.kind}): {len(provider.files)} file(s); {counts}")
        out.extend(_rows(rows))
    for layer in sorted(by_provider):
        out.append("")
        out.append(click.style(f"Layer {layer}", bold=True))
        out.extend(_rows(by_provider[layer]))

    models = defaultdict(list)
    for usage in production:
        if usage.kind == "model-id":
            models[usage.model].append(f"{usage.path}:{usage.line}")
    if models:
        out.append("")
        out.append(click.style("Hard-coded model ids", bold=True) + " (the switching cost):")
        for model in sorted(models):
            places = models[model]
            more = f" (+{len(places) - 5} more)" if len(places) > 5 else ""
            out.append(f"  {model}: {', '.join(places[:5])}{more}")

    out.extend(_switching(result))

    elsewhere = [u for u in usages if not result.is_production(u)]
    if elsewhere:
        tally: Dict[tuple, int] = defaultdict(int)
        for usage in elsewhere:
            label = usage.context if usage.confidence != "low" else f"{usage.context}, low confidence"
            tally[(usage.provider or usage.layer or "unknown", label)] += 1
        out.append("")
        out.append(click.style("Not counted in the verdict", bold=True) + " (tests, docs, examples, low confidence):")
        out.extend(f"  {name}: {n} in {label}" for (name, label), n in sorted(tally.items()))

    marked = set(result.novelty.marked()) if result.novelty else set()
    headline = result.novelty.headline() if result.novelty else None
    if headline:
        out.append("")
        out.append(click.style("New for you: " + headline, bold=True))
        for m in (result.risk.matched if result.risk else []):
            if m.event.id in marked:
                out.append(f"  {m.event.severity:<8} {m.event.id}: {m.event.title}")

    if result.advice:
        out.append("")
        out.append(click.style("Advice", bold=True))
        for number, step in enumerate(result.advice, 1):
            out.append(f"  {number}. {step.text}")
            if step.locations:
                out.append(f"     at {', '.join(step.locations)}")

    out.extend(_suppressions(result))

    if result.skipped:
        out.append("")
        out.append(click.style(f"Skipped or degraded ({len(result.skipped)})", bold=True))
        out.extend(f"  {s.path}: {s.reason}" for s in result.skipped)
    if result.rules is not None:
        out.append("")
        out.append(f"Rules: {result.rules.describe()}")
        out.extend(f"  warning: {w}" for w in result.rules.warnings())
    return "\n".join(out) + "\n"


def _risk(risk: RiskCheck, names: Dict[str, str], marked: Set[str] = frozenset()) -> List[str]:
    """Risk, what breaks first: lifecycle findings, then events by impact (breaking, cost, capacity,
    compliance), each with where (file:line, or provider-wide) and one step."""
    items = risk.items()
    out = ["", click.style(f"Risk as of {risk.as_of.isoformat()}: ", bold=True)
           + (f"{len(items)} item{'s' if len(items) != 1 else ''} to act on" if items else "nothing to act on")]
    for item in items[:MAX_ITEMS]:
        shown = view(item, names)
        head = click.style(f"{shown.severity.upper():<8}", fg=SEVERITY_COLOURS.get(shown.severity), bold=True)
        flag = (" (possible)" if shown.possible else "") + (" [new]" if shown.ident in marked else "")
        out.append(f"  {head} {shown.impact:<11} {shown.title}{flag}")
        if shown.where:
            more = f" (+{len(shown.where) - MAX_PLACES} more)" if len(shown.where) > MAX_PLACES else ""
            out.append(f"           at {', '.join(shown.where[:MAX_PLACES])}{more} [{shown.ident}]")
        else:
            out.append(f"           {shown.scope} [{shown.ident}]")
        out.append(f"           step: {shown.step}")
    if len(items) > MAX_ITEMS:
        out.append(f"  ... and {len(items) - MAX_ITEMS} more (--format json)")
    note = risk.conditional_note()
    if note:
        out.append(f"  {note}")
    if risk.informational:
        n = len(risk.informational)
        if risk.show_informational:
            out.append(f"  Informational ({n}; never a hit, never a gate):")
            out.extend(f"    {m.event.id}: {' '.join(m.event.title.split())}" for m in risk.informational)
        else:
            out.append(f"  {n} informational event{'s' if n != 1 else ''} not shown (--show-informational)")
    if risk.silenced:
        out.append(f"  Silenced by config: {', '.join(e.id for e, _ in risk.silenced)}")
    return out


MAX_COLUMN = 60  # a place column is padded to its longest entry up to this; a longer one overflows its own row


def column_width(places: List[str]) -> int:
    """The width to pad a column of ``places`` to: one 3,000-character path must not pad every row."""
    return min(max((len(p) for p in places), default=0), MAX_COLUMN)


def _baseline(result: AuditResult) -> List[str]:
    """With a baseline: the new findings first, under their own heading; the known ones counted."""
    comparison = result.policy.comparison if result.policy else None
    if comparison is None:
        return []
    known = (f"{comparison.known} known finding{'' if comparison.known == 1 else 's'} recorded in the baseline, "
             f"{comparison.resolved} resolved since")
    if not comparison.new:
        return ["", click.style(f"Nothing new since the baseline {result.baseline_file}", bold=True) + f": {known}."]
    shown = comparison.new[:MAX_NEW]
    places = [f"{f.place.path}:{f.place.line}:{f.place.column}" if f.place else "(repository)" for f in shown]
    width = column_width(places)
    out = ["", click.style(f"New since the baseline {result.baseline_file} ({len(comparison.new)})", bold=True)]
    out += [f"  {place:<{width}}  {f.level:<7}  {f.rule_id}  {f.title}" for place, f in zip(places, shown)]
    if len(comparison.new) > MAX_NEW:
        out.append(f"  ... and {len(comparison.new) - MAX_NEW} more (see --format json)")
    out.append(f"  {known}.")
    return out


def _suppressions(result: AuditResult) -> List[str]:
    """What suppressions silenced (used), then the unused ones (PA900) with file:line and codes."""
    silenced = result.suppressions
    if silenced is None or not (silenced.suppressed or silenced.unused):
        return []
    out = ["", click.style(f"Suppressions: {len(silenced.suppressed)} used, {len(silenced.unused)} unused", bold=True)]
    used = silenced.suppressed[:MAX_SUPPRESSED]
    places = [f"{e.path}:{e.line}" for e, _ in used] + [f"{s.path}:{s.line}" for s in silenced.unused]
    width = column_width(places)
    for (e, why), place in zip(used, places):
        what = e.model if e.kind == "model-id" and e.model else e.detail
        out.append(f"  {place:<{width}}  {code_of(e)}  {what} (silenced by {why})")
    if len(silenced.suppressed) > MAX_SUPPRESSED:
        out.append(f"  ... and {len(silenced.suppressed) - MAX_SUPPRESSED} more silenced (see --format json)")
    if silenced.unused:
        out.append("  Unused (PA900): these match nothing; remove them or move them to the line they were meant for")
    for s, place in zip(silenced.unused, places[len(used):]):
        out.append(f"  {place:<{width}}  PA900  ignore[{', '.join(s.codes)}]" if s.codes else
                   f"  {place:<{width}}  PA900  ignore (every code)")
    return out


def _rows(rows: List[Evidence]) -> List[str]:
    lines = []
    width = column_width([f"{u.path}:{u.line}:{u.column}" for u in rows[:MAX_ROWS_PER_PROVIDER]])
    for usage in rows[:MAX_ROWS_PER_PROVIDER]:
        what = usage.model if usage.kind == "model-id" else usage.detail
        via = f" via {usage.layer}" if usage.layer and usage.provider else ""
        where = f"{usage.path}:{usage.line}:{usage.column}"
        lines.append(f"  {where:<{width}}  {usage.kind:<10} {what}{via}")
    if len(rows) > MAX_ROWS_PER_PROVIDER:
        lines.append(f"  ... and {len(rows) - MAX_ROWS_PER_PROVIDER} more (see --format json)")
    return lines


SIZE_COLOURS = {"small": "green", "medium": "yellow", "large": "red"}
MAX_PLACES = 5


def _places(places: List[str]) -> str:
    more = f" (+{len(places) - MAX_PLACES} more)" if len(places) > MAX_PLACES else ""
    return ", ".join(places[:MAX_PLACES]) + more


def _switching(result: AuditResult) -> List[str]:
    """The "Switching cost" part: per provider, the estimate and why, then each feature with its portability."""
    if not result.switching:
        return []
    out = ["", click.style("Switching cost", bold=True) + " (per provider reached by production code):"]
    for cost in result.switching:
        out.append(f"  {cost.name}: " + click.style(cost.size.upper(), fg=SIZE_COLOURS.get(cost.size), bold=True))
        out.extend(f"    - {reason}" for reason in cost.reasons)
        sites = [s.where for s in cost.call_sites]
        models = [f"{m.model} ({_places([s.where for s in m.sites])})" for m in cost.model_ids]
        out.append(f"    call sites: {_places(sites) if sites else 'none'}")
        if models:
            out.append(f"    model ids: {'; '.join(models)}")
        for use in cost.features:
            feature = use.feature
            out.append(f"    {feature.name} [{feature.kind}] at {_places([s.where for s in use.sites])}")
            if use.models:
                out.append(f"      models: {', '.join(use.models)}")
            equivalents = "; ".join(f"{result.label(e.provider)}: {e.feature}" for e in feature.equivalents)
            out.append(f"      equivalents: {equivalents or 'none listed'}")
            out.append(f"      moving: {feature.move}")
        fallback = cost.fallback
        if fallback is not None and cost.features:
            missing = [u.feature.name for u in cost.features if u.feature.id in fallback.missing]
            out.append(f"    fallback to {fallback.name}: {fallback.places} place(s) need work"
                       + (f"; no equivalent there for {', '.join(missing)}" if missing else
                          "; every feature used has an equivalent there"))
    return out
