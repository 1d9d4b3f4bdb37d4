"""Configuration: YAML, TOML, JSON, INI, Terraform, compose files, CI workflows, Dockerfiles.

Read line by line rather than parsed: every format gives its line numbers, a malformed or hostile
file (YAML aliases, deep nesting) costs nothing more than its length, and the keys that matter
(``model:``, ``base_url:``, ``OPENAI_API_KEY``, ``${{ secrets.ANTHROPIC_API_KEY }}``) are on one line.
"""

from __future__ import annotations

import re
from typing import List

from provider_audit.catalog import Catalog
from provider_audit.detectors.literals import Hit, evidence_from_hit
from provider_audit.detectors.text import keyword_lines, line_hits
from provider_audit.models import Evidence, FileReport
from provider_audit.redact import redact

LIST_ITEM_RE = re.compile(r"^\s*-\s+[\"']?([A-Za-z0-9][A-Za-z0-9._:/@+-]{1,159})[\"']?\s*(?:#.*)?$")
KEY_RE = re.compile(r"^\s*(?:-\s*)?[\"']?([A-Za-z_][A-Za-z0-9_]*)[\"']?\s*[:=]")  # no \s*-?\s*: quadratic on blanks


def detect(path: str, text: str, context: str, catalog: Catalog) -> FileReport:
    evidence: List[Evidence] = []
    for number, line in keyword_lines(text, catalog):
        hits = line_hits(line, catalog)
        item = LIST_ITEM_RE.match(line)
        if item and not any(h.kind == "model-id" for h, _ in hits):
            model = catalog.model(item.group(1))
            if model is not None:
                hits.append((Hit("model-id", model.model, model=model), item.start(1) + 1))
        key = KEY_RE.match(line)
        if key and key.group(1) in catalog.base_url_env:
            # OPENAI_BASE_URL: https://api.deepseek.com redirects the SDK: say which variable did it.
            hits = [(Hit(h.kind, f"{key.group(1)}={h.detail}", h.attribution), c) if h.kind == "endpoint" else (h, c)
                    for h, c in hits]
        if hits:
            snippet = redact(line)
            for hit, column in hits:
                evidence.append(evidence_from_hit(hit, path, number, column, context, snippet))
    return FileReport(tuple(evidence))
