"""Stable fingerprints for findings: what a finding *is*, not where it currently sits.

A fingerprint hashes (code, provider, path, detail) and deliberately leaves out the line and column,
so moving code (adding lines above it, reformatting) keeps the fingerprint; renaming the file,
switching provider or changing the model id makes a new one. SARIF uses it for
``partialFingerprints.primaryLocationLineHash``; a baseline can store it instead of the finding.

Two identical findings in one file (the same model id twice) share a fingerprint; ``occurrences``
numbers them in file order, as GitHub does for its own line hashes (``<hash>:1``, ``<hash>:2``).
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Iterable, List, Optional

if TYPE_CHECKING:  # pragma: no cover
    from provider_audit.models import Evidence

_SEPARATOR = "\x1f"  # ASCII unit separator: cannot occur in paths, ids or details as reported


def fingerprint(code: str, provider: Optional[str], path: str, detail: Optional[str]) -> str:
    """SHA-256 (hex) of the finding's identity; no line number in it."""
    payload = _SEPARATOR.join((code, provider or "", path, detail or ""))
    import hashlib  # here: a scan starts its workers before any finding exists

    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def usage_identity(usage: "Evidence") -> tuple:
    """(provider, path, detail) of one piece of evidence, as fingerprinted.

    The provider slot holds the provider, or the layer for evidence of a pure agnostic layer; the
    detail slot holds the model id for model-id evidence and the detail (package, import, class,
    host or variable) otherwise.
    """
    provider = usage.provider or usage.layer or ""
    detail = usage.model if usage.kind == "model-id" and usage.model else usage.detail
    return provider, usage.path, detail or ""


def usage_fingerprint(code: str, usage: "Evidence") -> str:
    """The fingerprint of one usage reported under ``code``."""
    provider, path, detail = usage_identity(usage)
    return fingerprint(code, provider, path, detail)


def occurrences(prints: Iterable[str]) -> List[str]:
    """``<hash>:<n>``: the n-th finding with that hash, in the order given (1-based)."""
    seen: Counter = Counter()
    numbered = []
    for value in prints:
        seen[value] += 1
        numbered.append(f"{value}:{seen[value]}")
    return numbered
