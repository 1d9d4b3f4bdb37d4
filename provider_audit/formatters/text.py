"""The report for people: verdict and why, evidence grouped by provider, model ids, advice, skips.

Styling goes through ``click.style``; ``click.echo`` drops it when the output is not a terminal.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, List

import click

from provider_audit.report import Report

VERDICT_COLOURS = {"none": "green", "abstracted": "green", "multi-provider": "yellow", "single-provider": "red"}
MAX_ROWS_PER_PROVIDER = 25
MAX_EVENTS = 12


def render(report: Report) -> str:
    data = report.data
    out: List[str] = []
    summary = data["summary"]
    out.append(f"provider-audit {data['tool']['version']}: {summary['files_scanned']} files scanned, "
               f"{summary['usages']} usages found")
    out.append("")
    verdict = data["lock_in"]["verdict"]
    out.append("Verdict: " + click.style(verdict.upper(), fg=VERDICT_COLOURS.get(verdict), bold=True))
    out.extend(f"  - {reason}" for reason in data["lock_in"]["reasons"])

    usages = data["usages"]
    production = [u for u in usages if u["context"] in summary["decisive_contexts"] and u["confidence"] != "low"]
    by_provider: Dict[str, List[dict]] = defaultdict(list)
    for usage in production:
        by_provider[usage["provider"] or usage["layer"] or "unknown"].append(usage)
    for provider in data["providers"]:
        rows = by_provider.pop(provider["id"], [])
        counts = ", ".join(f"{n} {kind}" for kind, n in provider["evidence"].items())
        out.append("")
        out.append(click.style(f"{provider['name']}", bold=True) +
                   f" ({provider['kind']}): {len(provider['files'])} file(s); {counts}")
        out.extend(_rows(rows))
    for layer in sorted(by_provider):
        out.append("")
        out.append(click.style(f"Layer {layer}", bold=True))
        out.extend(_rows(by_provider[layer]))

    models = defaultdict(list)
    for usage in production:
        if usage["kind"] == "model-id":
            models[usage["model"]].append(f"{usage['path']}:{usage['line']}")
    if models:
        out.append("")
        out.append(click.style("Hard-coded model ids", bold=True) + " (the switching cost):")
        for model in sorted(models):
            places = models[model]
            more = f" (+{len(places) - 5} more)" if len(places) > 5 else ""
            out.append(f"  {model}: {', '.join(places[:5])}{more}")

    elsewhere = [u for u in usages if not (u["context"] in summary["decisive_contexts"] and u["confidence"] != "low")]
    if elsewhere:
        tally = defaultdict(int)
        for usage in elsewhere:
            label = usage["context"] if usage["confidence"] != "low" else f"{usage['context']}, low confidence"
            tally[(usage["provider"] or usage["layer"] or "unknown", label)] += 1
        out.append("")
        out.append(click.style("Not counted in the verdict", bold=True) + " (tests, docs, examples, low confidence):")
        out.extend(f"  {name}: {n} in {label}" for (name, label), n in sorted(tally.items()))

    risk = data.get("risk")
    if risk and risk["matched"]:
        out.append("")
        out.append(click.style(f"Risk events ({len(risk['matched'])} of {risk['events_known']} apply as of "
                               f"{risk['as_of']})", bold=True))
        for event in risk["matched"][:MAX_EVENTS]:
            when = event["effective"] or event["announced"] or "undated"
            flag = " (possible)" if event["possible"] else ""
            out.append(f"  {event['severity']:<8} {event['state']:<9} {when:<10} {event['id']}{flag}")
            out.append(f"           {event['title']}; {event['reason']}")
        if len(risk["matched"]) > MAX_EVENTS:
            out.append(f"  ... and {len(risk['matched']) - MAX_EVENTS} more (provider-audit rules show ID; --format json)")
        if risk["providers"]:
            ranking = ", ".join(f"{p['id']} {p['score']}" for p in risk["providers"])
            out.append(f"  Risk by provider: {ranking}")
    if risk and risk["silenced"]:
        out.append(f"  Silenced by config: {', '.join(s['id'] for s in risk['silenced'])}")

    if data["advice"]:
        out.append("")
        out.append(click.style("Advice", bold=True))
        for number, step in enumerate(data["advice"], 1):
            out.append(f"  {number}. {step['text']}")
            if step["locations"]:
                out.append(f"     at {', '.join(step['locations'])}")

    if data["skipped"]:
        out.append("")
        out.append(click.style(f"Skipped or degraded ({len(data['skipped'])})", bold=True))
        out.extend(f"  {s['path']}: {s['reason']}" for s in data["skipped"])
    return "\n".join(out) + "\n"


def _rows(rows: List[dict]) -> List[str]:
    lines = []
    width = max((len(f"{u['path']}:{u['line']}:{u['column']}") for u in rows[:MAX_ROWS_PER_PROVIDER]), default=0)
    for usage in rows[:MAX_ROWS_PER_PROVIDER]:
        what = usage["model"] if usage["kind"] == "model-id" else usage["detail"]
        via = f" via {usage['layer']}" if usage["layer"] and usage["provider"] else ""
        where = f"{usage['path']}:{usage['line']}:{usage['column']}"
        lines.append(f"  {where:<{width}}  {usage['kind']:<10} {what}{via}")
    if len(rows) > MAX_ROWS_PER_PROVIDER:
        lines.append(f"  ... and {len(rows) - MAX_ROWS_PER_PROVIDER} more (see --format json)")
    return lines
