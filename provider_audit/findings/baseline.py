"""Baselines: record today's findings, then report and fail only on what is new.

A baseline stores each finding's fingerprint (see ``fingerprint.py``: no line numbers, so moving code
changes nothing), numbered by occurrence within identical findings, never a snippet or a secret.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict

from provider_audit import __version__
from provider_audit.data.safe_read import MAX_BASELINE_BYTES, InputError, read_text
from provider_audit.findings.codes import findings
from provider_audit.findings.types import Comparison, numbered
from provider_audit.redact import PrintableError

if TYPE_CHECKING:  # pragma: no cover
    from provider_audit.result import AuditResult

BASELINE_VERSION = 1


class BaselineError(PrintableError):
    """The baseline file is unreadable or not a baseline; one line, naming the file."""




def baseline_document(result: "AuditResult") -> Dict[str, Any]:
    items = findings(result)
    entries = sorted(
        ({"id": key, "rule": f.rule_id, "path": f.place.path if f.place else "", "title": f.title}
         for key, f in zip(numbered(items), items)), key=lambda e: e["id"])
    return {"schema_version": BASELINE_VERSION, "tool": {"name": "provider-audit", "version": __version__},
            "findings": entries}


def load_baseline(path: Path, follow: bool = True) -> set:
    """The finding ids recorded in ``path`` (read by ``safe_read``: a regular file, size-capped, and
    without following a link in its last component unless ``follow``: a repository's own baseline)."""
    try:
        document = json.loads(read_text(path, MAX_BASELINE_BYTES, follow=follow))
    except InputError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise BaselineError(f"{path}: not a JSON baseline: {exc}") from None
    if not isinstance(document, dict) or document.get("schema_version") != BASELINE_VERSION \
            or not isinstance(document.get("findings"), list):
        raise BaselineError(f"{path}: not a provider-audit baseline (schema_version {BASELINE_VERSION} "
                            "with a findings list); write one with --write-baseline")
    try:
        return {entry["id"] for entry in document["findings"]}
    except (TypeError, KeyError):
        raise BaselineError(f"{path}: baseline entries need an 'id'") from None


def compare(result: "AuditResult", known_ids: set) -> Comparison:
    items = findings(result)
    keys = numbered(items)
    new = [f for key, f in zip(keys, items) if key not in known_ids]
    present = set(keys)
    return Comparison(new=new, known=len(items) - len(new), resolved=len(known_ids - present),
                      new_ids=frozenset(present - known_ids))
