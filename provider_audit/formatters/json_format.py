"""JSON for machines: the report document, keys in a fixed order, byte-for-byte reproducible."""

from __future__ import annotations

import json

from provider_audit.report import Report


def render(report: Report) -> str:
    return json.dumps(report.data, indent=2, ensure_ascii=False) + "\n"
