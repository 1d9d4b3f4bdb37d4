"""What a string literal can tell, wherever it was found: a model id, an API host, a key variable."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, List, Optional

from provider_audit.data.catalog import Attribution, Catalog, ModelMatch
from provider_audit.detectors.surfaces import path_surfaces
from provider_audit.models import Evidence

URL_RE = re.compile(r"(?:https?|wss?)://(?:[^@/\s'\"`<>]+@)?(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?")
BARE_HOST_RE = re.compile(r"(?<![\w.@/-])((?:[a-z0-9-]+\.)+[a-z]{2,})(?::(\d{1,5}))?(?![\w-])", re.IGNORECASE)
ENV_NAME_RE = re.compile(r"[A-Z][A-Z0-9_]{2,}")


@dataclass(frozen=True)
class Hit:
    kind: str  # endpoint, env-var, model-id, api-call
    detail: str
    attribution: Optional[Attribution] = None
    model: Optional[ModelMatch] = None
    surface: Optional[str] = None  # api-call: the API surface a REST path names


def hosts_in(text: str, catalog: Catalog) -> Iterator[Hit]:
    """Known API hosts named in ``text``, in URLs or bare."""
    seen = set()
    for match in URL_RE.finditer(text):
        host, port = match.group(1), match.group(2)
        found = catalog.host(host, int(port) if port else None)
        if found is not None and host.lower() not in seen:
            seen.add(host.lower())
            yield Hit("endpoint", _host_label(host, port), found)
    for match in BARE_HOST_RE.finditer(text):
        host, port = match.group(1), match.group(2)
        if host.lower() in seen:
            continue
        found = catalog.host(host, int(port) if port else None)
        if found is not None:
            seen.add(host.lower())
            yield Hit("endpoint", _host_label(host, port), found)


def _host_label(host: str, port: Optional[str]) -> str:
    return f"{host.lower()}:{port}" if port else host.lower()


def classify_string(value: str, catalog: Catalog, expect_model: bool = False) -> List[Hit]:
    """Evidence a whole string literal gives: it is a model id, a key variable name, or holds a host."""
    hits: List[Hit] = []
    if len(value) <= 160:
        found_env = catalog.env_var(value) if ENV_NAME_RE.fullmatch(value) else None
        if found_env is not None:
            hits.append(Hit("env-var", value, found_env))
        else:
            model = catalog.model(value, expected=expect_model)
            if model is not None:
                hits.append(Hit("model-id", value, model=model))
    if "." in value:
        hits.extend(hosts_in(value, catalog))
    if "/v1/" in value:  # a REST path of a particular surface: /v1/assistants, /v1/fine_tuning/jobs
        host = next((h.attribution for h in hits if h.kind == "endpoint" and h.attribution), None)
        for path, surface in path_surfaces(value):
            hits.append(Hit("api-call", path, host or Attribution(None), surface=surface))
    return hits


def evidence_from_hit(hit: Hit, path: str, line: int, column: int, context: str, snippet: str,
                      confidence: Optional[str] = None) -> Evidence:
    """Turn a hit into evidence. A model id's provider may still be unknown (None): the scan fills it in."""
    if hit.model is not None:
        low = hit.model.ambiguous
        return Evidence("model-id", path, line, column, context, hit.model.provider, hit.model.vendor,
                        detail=hit.detail, model=hit.model.model,
                        confidence=confidence or ("medium" if low else "high"), snippet=snippet)
    attribution = hit.attribution
    assert attribution is not None
    level = "low" if attribution.confidence == "low" else (confidence or attribution.confidence)
    return Evidence(hit.kind, path, line, column, context, attribution.provider, attribution.vendor,
                    attribution.layer, detail=hit.detail, confidence=level, snippet=snippet, surface=hit.surface)
