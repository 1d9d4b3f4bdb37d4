"""``.env`` files: variable names and, from their values, hosts and model ids. Values are never shown."""

from __future__ import annotations

import re
from typing import List

from provider_audit.data.catalog import Catalog
from provider_audit.detectors.literals import Hit, evidence_from_hit, hosts_in, redirect_endpoint
from provider_audit.models import Evidence, FileReport

ASSIGNMENT_RE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$")


def detect(path: str, text: str, context: str, catalog: Catalog) -> FileReport:
    evidence: List[Evidence] = []
    for number, line in enumerate(text.splitlines(), 1):
        match = ASSIGNMENT_RE.match(line)
        if not match:
            continue
        name, value = match.group(1), _unquote(match.group(2))
        snippet = f"{name}=…" if value else f"{name}="
        hits: List[Hit] = []
        attribution = catalog.env_var(name)
        if attribution is not None:
            hits.append(Hit("env-var", name, attribution))
        redirected = redirect_endpoint(name, value, catalog)
        if redirected is not None:
            hits.append(redirected)
        for hit in hosts_in(value, catalog):
            # OPENAI_BASE_URL=https://api.deepseek.com redirects the SDK: say which variable did it.
            redirect = name in catalog.base_url_env
            hits.append(Hit(hit.kind, f"{name}={hit.detail}", hit.attribution) if redirect else hit)
        if "model" in name.lower() or name.lower().endswith(("_deployment", "_engine")):
            model = catalog.model(value, expected=True)
            if model is not None:
                hits.append(Hit("model-id", value, model=model))
        for hit in hits:
            evidence.append(evidence_from_hit(hit, path, number, match.start(1) + 1, context, snippet))
    return FileReport(tuple(evidence))


def _unquote(value: str) -> str:
    value = value.strip()
    if value[:1] in ("'", '"') and value[-1:] == value[:1] and len(value) >= 2:
        return value[1:-1]
    return value.split(" #", 1)[0].strip()
