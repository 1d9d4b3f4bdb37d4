"""GitHub Actions workflow commands: one annotation per finding, ranked and capped.

``::error|warning|notice file=P,line=L,col=C,title=T::message``. Property values are escaped
(``%`` ``\\r`` ``\\n`` ``:`` ``,``), messages too (``%`` ``\\r`` ``\\n``), so a file name or a detail from
the scanned repository cannot end the command or inject another one.

GitHub shows at most 10 error and 10 warning annotations per step and 50 per job, and silently drops
the rest. So the findings of ``provider_audit.findings.codes.findings`` are ranked (the verdict first, then by
level, retired models before evidence before risk events, call sites before manifests; provider-wide
risk events are not annotated, they belong to no line) and at most ``MAX_PER_LEVEL`` of
each level, ``MAX_TOTAL`` in all, are printed; a final ``::notice::`` says how many were left out.
The verdict is always one annotation: an error on the most central evidence when it is
single-provider, a notice otherwise. Paths are relative POSIX paths from the scanned folder: run the
scan from the repository root so that they match the checkout.
"""

from __future__ import annotations

from collections import Counter
from typing import Dict, List, Optional, Tuple

from provider_audit.findings.codes import BY_ID, KIND_RANK, Finding, findings, verdict_anchor
from provider_audit.result import AuditResult

LEVELS = {"error": "error", "warning": "warning", "note": "notice"}
MAX_PER_LEVEL = {"error": 10, "warning": 10, "notice": 10}
MAX_TOTAL = 50
_SEVERITY_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}
_LEVEL_RANK = {"error": 0, "warning": 1, "notice": 2}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(level: str, message: str, file: Optional[str] = None, line: Optional[int] = None,
            col: Optional[int] = None, title: Optional[str] = None) -> str:
    props = [(key, value) for key, value in (("file", file), ("line", line), ("col", col), ("title", title))
             if value is not None and value != ""]
    head = f"::{level}"
    if props:
        head += " " + ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
    return f"{head}::{escape_data(message)}"


def _title(finding: Finding) -> str:
    if finding.category in ("event", "lifecycle"):
        return f"provider-audit {finding.code}: {finding.title}"
    return f"provider-audit {finding.code}: {BY_ID[finding.code].short}"


def _annotation(finding: Finding) -> Tuple[str, str]:
    level = LEVELS[finding.level]
    place = finding.place
    if place is None:
        return level, command(level, finding.message, title=_title(finding))
    return level, command(level, finding.message, place.path, place.line, place.column, _title(finding))


def _verdict_annotation(result: AuditResult) -> Tuple[str, str]:
    """For verdicts without a finding (none, abstracted): a notice, on the layer's central evidence if any."""
    lock_in = result.lock_in
    message = f"Verdict {lock_in.verdict}: " + "; ".join(lock_in.reasons) + "."
    title = f"provider-audit: {lock_in.verdict}"
    anchor = verdict_anchor(result)
    if anchor is None:
        return "notice", command("notice", message, title=title)
    return "notice", command("notice", message, anchor.path, max(1, anchor.line), max(1, anchor.column or 1), title)


def _rank(finding: Finding) -> tuple:
    if finding.category == "lifecycle":  # what breaks first
        detail = (-1, _SEVERITY_RANK.get(finding.properties.get("severity", ""), 9))
    elif finding.category == "event":
        detail = (1, _SEVERITY_RANK.get(finding.properties.get("severity", ""), 9))
    else:
        detail = (0, KIND_RANK.get(finding.kind, 9))
    place = finding.place
    where = (place.path, place.line, place.column) if place else ("", 0, 0)
    return (_LEVEL_RANK[LEVELS[finding.level]],) + detail + where + (finding.rule_id,)


def _select(ranked: List[Tuple[str, str]], per_level: Dict[str, int], total: int
            ) -> Tuple[List[str], Counter]:
    kept: List[str] = []
    counts: Counter = Counter()
    left: Counter = Counter()
    for level, line in ranked:
        if counts[level] < per_level[level] and len(kept) < total:
            counts[level] += 1
            kept.append(line)
        else:
            left[level] += 1
    return kept, left


def render(result: AuditResult) -> str:
    everything = findings(result)
    comparison = result.policy.comparison if result.policy else None
    tail: List[str] = []  # closing notices, which must survive the caps
    if comparison is not None:  # with a baseline, only what is new is annotated
        everything = [f for f, state in zip(everything, comparison.states(everything)) if state == "new"]
        tail.append(command(
            "notice", f"{len(comparison.new)} new since the baseline {result.baseline_file}; {comparison.known} "
                      f"known findings recorded there are not annotated, {comparison.resolved} resolved.",
            title="provider-audit: baseline"))
    # Annotations only on lines of this code: provider-wide risk events are in the job summary.
    found = [f for f in everything if f.place is not None or f.category == "verdict"]
    verdicts = [f for f in found if f.category == "verdict"]
    ranked: List[Tuple[str, str]] = [_annotation(f) for f in verdicts]
    if not ranked and comparison is None:
        ranked = [_verdict_annotation(result)]
    ranked += [_annotation(f) for f in sorted((f for f in found if f.category != "verdict"), key=_rank)]
    rules = _rules_annotations(result)  # always shown, before the closing notices
    extra = [line for _, line in rules]
    room = dict(MAX_PER_LEVEL, notice=MAX_PER_LEVEL["notice"] - len(tail))
    for level, _ in rules:
        room[level] -= 1
    reserved = len(tail) + len(extra)
    kept, left = _select(ranked, room, MAX_TOTAL - reserved)
    if left:  # make room for the closing notice, which must itself survive the caps
        room = dict(room, notice=room["notice"] - 1)
        kept, left = _select(ranked, room, MAX_TOTAL - reserved - 1)
    kept += extra
    if left:
        parts = [f"{n} {level}{'s' if n > 1 else ''}" for level, n in sorted(left.items(), key=lambda kv: _LEVEL_RANK[kv[0]])]
        kept.append(command(
            "notice",
            f"{sum(left.values())} more findings not annotated ({', '.join(parts)}): GitHub shows at most "
            f"{MAX_PER_LEVEL['error']} error and {MAX_PER_LEVEL['warning']} warning annotations per step. "
            "The job summary (--format markdown) and --format json or sarif list them all.",
            title="provider-audit: more findings"))
    return "".join(line + "\n" for line in kept + tail)


def _rules_annotations(result: AuditResult) -> List[Tuple[str, str]]:
    """One warning when the rules in use are a concern (too old, or an installed bundle unusable),
    naming them; annotations are for what needs acting on, so fresh rules are not annotated (the job
    summary and the other formats name them)."""
    warnings = result.rules.warnings() if result.rules is not None else []
    if not warnings:
        return []
    message = f"Rules: {result.rules.describe()}: " + "; ".join(warnings)
    return [("warning", command("warning", message, title="provider-audit: rules"))]
