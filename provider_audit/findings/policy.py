"""The gate: which policies a report fails, after acknowledgements, allowed providers and a baseline."""

from __future__ import annotations

from datetime import date
from typing import List, Optional, Sequence

from provider_audit.findings.baseline import compare
from provider_audit.findings.types import PolicyOutcome
from provider_audit.data.config import Acknowledgement
from provider_audit.data.features import STATE_KINDS
from provider_audit.models import Evidence
from provider_audit.risk.vocabulary import SEVERITIES
from provider_audit.result import AuditResult

LOCK_IN_POLICIES = ("single-provider", "not-abstracted")
STATE_POLICY = "new-provider-state"


def state_uses(result: AuditResult) -> List[Evidence]:
    """Production uses of features that keep state or data at a provider (``STATE_KINDS``)."""
    from provider_audit.data.features import load_features

    features = load_features()
    return [e for e in result.production() if e.kind == "feature" and e.feature in features.features
            and features.features[e.feature].kind in STATE_KINDS]


def _lock_in_fails(policy: str, verdict: str) -> bool:
    return {"single-provider": verdict == "single-provider",
            "not-abstracted": verdict in ("single-provider", "multi-provider"),
            "any-usage": verdict != "none"}.get(policy, False)


def evaluate_policy(result: AuditResult, policies: Sequence[str], allowed: Optional[Sequence[str]],
                    acknowledged: Optional[Acknowledgement], today: date,
                    known: Optional[set] = None) -> PolicyOutcome:
    """Which of ``policies`` fail; ``allowed`` adds the allowed-providers check when configured."""
    outcome = PolicyOutcome(policies=tuple(policies), acknowledged=acknowledged)
    lock_in = result.lock_in
    if acknowledged is not None:
        matches = lock_in.verdict == "single-provider" and tuple(lock_in.providers) == (acknowledged.provider,)
        if acknowledged.expired(today):
            outcome.warnings.append(f"the acknowledged lock-in to {acknowledged.provider} expired on "
                                    f"{acknowledged.until}; it no longer passes the policy")
        elif matches:
            outcome.acknowledgement_active = True
    worst = result.risk.worst_in_effect() if result.risk else None
    for policy in policies:
        if policy == "stale-rules":
            continue  # not a finding: decided after the baseline, which cannot excuse it
        if policy.startswith("risk:"):
            threshold = policy.split(":", 1)[1]
            hit = worst is not None and SEVERITIES.index(worst) <= SEVERITIES.index(threshold)
        elif policy == STATE_POLICY:
            hit = bool(state_uses(result))
        else:
            hit = _lock_in_fails(policy, lock_in.verdict)
            if hit and policy in LOCK_IN_POLICIES and outcome.acknowledgement_active:
                hit = False
        if hit:
            outcome.failed.append(policy)
    if allowed is not None:
        outcome.disallowed = [p for p in lock_in.providers if p not in allowed]
        if outcome.disallowed:
            outcome.failed.append("allowed-providers")
    if known is not None:
        outcome.comparison = compare(result, known)
        new_disallowed = any(p in outcome.disallowed for f in outcome.comparison.new for p in f.provider.split(","))
        # With a baseline, new-provider-state fails only on a state feature use the baseline does not hold.
        new_state = any(f.properties.get("featureKind") in STATE_KINDS for f in outcome.comparison.new)
        if STATE_POLICY in outcome.failed and not new_state:
            outcome.failed.remove(STATE_POLICY)
            outcome.warnings.append(f"policy {STATE_POLICY} would fail, but every use of a provider-state "
                                    "feature is in the baseline")
        others = [p for p in outcome.failed if p != STATE_POLICY]
        if others and not outcome.comparison.fails() and not new_disallowed:
            outcome.warnings.append(f"policy would fail ({', '.join(others)}), but every failing "
                                    "finding is in the baseline")
            outcome.failed = [p for p in outcome.failed if p == STATE_POLICY]
    if "stale-rules" in policies and result.rules is not None and result.rules.stale:
        outcome.failed.append("stale-rules")
    return outcome
