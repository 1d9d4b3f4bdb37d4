"""The short report: what a commit hook (``PRE_COMMIT=1``) or ``--quiet`` prints, at most ``MAX_LINES`` lines.

On a failure: the verdict and the failed policies, the few findings that decide them with
``file:line`` (with a baseline, only the new ones), what to do, and the command for the full report.
On a pass: one line. Not an ``--format`` of its own: it replaces the text report on a terminal.
"""

from __future__ import annotations

from typing import List

from provider_audit.findings.codes import Finding, findings
from provider_audit.findings.policy import LOCK_IN_POLICIES, PolicyOutcome
from provider_audit.formatters.github import _rank
from provider_audit.formatters.text import column_width
from provider_audit.result import AuditResult
from provider_audit.risk.vocabulary import SEVERITIES

MAX_LINES = 15
MAX_FINDINGS = 6
MAX_WARNINGS = 2
MAX_ADVICE = 300  # characters of the first advice step
LOCK_IN_FAILURES = LOCK_IN_POLICIES + ("any-usage",)


def short_report(result: AuditResult, code: int, command: str) -> str:
    outcome = result.policy
    assert outcome is not None
    lock_in = result.lock_in
    comparison = outcome.comparison
    who = f" ({', '.join(lock_in.providers)})" if lock_in.providers else ""
    head = f"provider-audit: {lock_in.verdict.upper()}{who}: "
    warnings = [f"  warning: {w}" for w in ((result.risk.warnings if result.risk else []) + outcome.warnings)]
    if not outcome.failed:
        since = f"; {len(comparison.new)} new since the baseline, {comparison.known} known" if comparison else ""
        return _lines([head + "policy passed" + since] + warnings[:MAX_WARNINGS])
    lines = [head + f"policy failed ({', '.join(outcome.failed)})" + ("; exit 0 (--exit-zero)" if code == 0 else "")]
    if comparison is not None:
        candidates = comparison.new
        lines.append(f"  {len(comparison.new)} new since the baseline {result.baseline_file}, "
                     f"{comparison.known} known:")
    else:
        candidates = findings(result)
        lines += [f"  {reason}" for reason in lock_in.reasons[:1]]
    deciding = deciding_findings(candidates, outcome)
    shown = deciding[:MAX_FINDINGS]
    width = column_width([_where(f) for f in shown])
    lines += [f"  {_where(f):<{width}}  {f.rule_id}  {f.title}" for f in shown]
    if len(deciding) > len(shown):
        lines.append(f"  ... and {len(deciding) - len(shown)} more")
    if comparison is not None:
        codes = sorted({f.code for f in shown})
        lines.append(f"  Meant to stay? Suppress it inline (# provider-audit: ignore[{codes[0] if len(codes) == 1 else 'CODE'}])"
                     " or record the baseline again (--write-baseline FILE).")
    elif result.advice:
        # A risk gate alone: the step for the risk (replace the retired model...), not the lock-in advice.
        risk_only = all(p.startswith("risk:") for p in outcome.failed)
        steps = [a for a in result.advice if a.id in ("replace-retired-model", "mitigate-event")] if risk_only else []
        advice = (steps or result.advice)[0].text
        lines.append("  What to do: " + (advice if len(advice) <= MAX_ADVICE else advice[:MAX_ADVICE - 3] + "..."))
    lines += warnings[:MAX_WARNINGS]
    lines.append(f"Full report: {command}")
    return _lines(lines)


def deciding_findings(candidates: List[Finding], outcome: PolicyOutcome) -> List[Finding]:
    """The findings behind the failed policies, most decisive first: the verdict, then by level and kind."""
    relevant = [f for f in candidates if _decides(f, outcome)] or list(candidates)
    return sorted(relevant, key=lambda f: (f.category != "verdict",) + _rank(f))


def _decides(finding: Finding, outcome: PolicyOutcome) -> bool:
    for policy in outcome.failed:
        if policy in LOCK_IN_FAILURES and finding.category in ("verdict", "usage"):
            return True
        if policy.startswith("risk:") and finding.category in ("event", "lifecycle"):
            severity = finding.properties.get("severity", "low")
            threshold = policy.split(":", 1)[1]
            in_effect = (finding.properties.get("state") == "in-effect" if finding.category == "event"
                         else not finding.properties.get("possible"))  # a retired model: in effect unless possible
            if in_effect and severity in SEVERITIES \
                    and SEVERITIES.index(severity) <= SEVERITIES.index(threshold):
                return True
        if policy == "allowed-providers" and set(finding.provider.split(",")) & set(outcome.disallowed):
            return True
    return False


def _where(finding: Finding) -> str:
    return f"{finding.place.path}:{finding.place.line}" if finding.place else "(repository)"


def _lines(lines: List[str]) -> str:
    if len(lines) > MAX_LINES:  # only warnings can push it over: keep the head and the command
        lines = lines[:MAX_LINES - 1] + lines[-1:]
    return "\n".join(lines) + "\n"
