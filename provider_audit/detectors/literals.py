"""What a string literal can tell, wherever it was found: a model id, an API host, a key variable."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, List, Optional

from provider_audit.data.catalog import COMPATIBLE, Attribution, Catalog, ModelMatch
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
    if "." in value or "://" in value:  # http://localhost:11434 has no dot
        hits.extend(hosts_in(value, catalog))
    if "/v1/" in value:  # a REST path of a particular surface: /v1/assistants, /v1/fine_tuning/jobs
        host = next((h.attribution for h in hits if h.kind == "endpoint" and h.attribution), None)
        for path, surface in path_surfaces(value):
            hits.append(Hit("api-call", path, host or Attribution(None), surface=surface))
    return hits


@dataclass(frozen=True)
class EndpointText:
    """What an endpoint setting's text says: a known host (``hit``), a URL on a host the catalog does not
    know (``host``), or nothing that can be read statically."""

    state: str  # "host", "unknown" or "configurable"
    hit: Optional[Hit] = None
    host: str = ""

    @property
    def label(self) -> str:
        """The endpoint as client evidence shows it: the host, ``<unknown host: h>`` or ``<configurable>``."""
        if self.state == "host" and self.hit is not None:
            return self.hit.detail
        if self.state == "unknown":
            return f"<unknown host: {self.host}>" if self.host else "<unknown host>"
        return "<configurable>"


AZURE_DEPLOYMENTS = "/openai/deployments/"


def read_endpoint(value: str, catalog: Catalog) -> EndpointText:
    """The endpoint a URL (possibly with ``{placeholders}``) names. Azure OpenAI's data-plane path
    (``{endpoint}/openai/deployments/{name}``) is Azure's whatever the host."""
    from provider_audit.detectors.text import placeholder_hosts  # text imports this module

    hits = [h for h, _ in placeholder_hosts(value, catalog) if h.attribution]
    hits = hits or ([h for h in hosts_in(value, catalog) if h.attribution is not None]
                    if ("." in value or ":" in value) else [])
    if hits:
        return EndpointText("host", hits[0])
    if AZURE_DEPLOYMENTS in value and "azure-openai" in catalog.providers:
        return EndpointText("host", Hit("endpoint", AZURE_DEPLOYMENTS, Attribution("azure-openai", None, None, "high")))
    match = URL_RE.match(value.strip())
    if match:
        host = match.group(1).lower() + (f":{match.group(2)}" if match.group(2) else "")
        if "{" not in host and "$" not in host and "<" not in host:
            return EndpointText("unknown", host=host)
    return EndpointText("configurable")


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

# SDKs that speak the OpenAI wire format to whatever endpoint they are given.
_COMPATIBLE_SDK_PROVIDERS = frozenset({"openai"})


def unresolved_client(attribution: Attribution, detail: str, catalog: Catalog) -> Attribution:
    """An OpenAI-compatible client whose endpoint is set at run time or is a host the catalog does not
    know reaches ``openai-compatible``, not OpenAI: no vendor, no vendor's risk events. Other SDKs keep
    their provider (an Anthropic client behind a proxy still speaks to Claude)."""
    compatible = attribution.provider in _COMPATIBLE_SDK_PROVIDERS or (
        attribution.provider is None and "Compatible" in detail)
    if not compatible or COMPATIBLE not in catalog.providers:
        return attribution
    return Attribution(COMPATIBLE, None, attribution.layer, attribution.confidence)


def named_endpoint(name: str, catalog: Catalog) -> Optional[Hit]:
    """An endpoint read from a variable whose name says whose it is (``AZURE_OPENAI_ENDPOINT``)."""
    provider = catalog.endpoint_env(name)
    if provider is None:
        return None
    info = catalog.providers[provider]
    return Hit("endpoint", f"${name}", Attribution(provider, info.vendor))


def redirect_endpoint(name: str, value: str, catalog: Catalog) -> Optional[Hit]:
    """``OPENAI_BASE_URL=<value>`` in configuration: the OpenAI SDK is sent to ``value``. A known host is
    ``hosts_in``'s; a value that names no known host (an in-cluster service, a template, an unknown URL)
    makes the default clients ``openai-compatible``."""
    value = value.strip().strip("'\"")
    if not value or catalog.redirects(name) != "openai" or COMPATIBLE not in catalog.providers:
        return None
    read = read_endpoint(value, catalog)
    if read.state == "host":
        return None
    return Hit("endpoint", f"{name}={read.label}", Attribution(COMPATIBLE))


def named_by_variable(hit: Hit, attribution: Attribution) -> bool:
    """An endpoint known only by its variable's name (``$OPENAI_ENDPOINT``) re-attributes only a generic
    OpenAI-compatible client: ``AzureOpenAI(azure_endpoint=os.getenv("OPENAI_ENDPOINT"))`` stays Azure's."""
    return not hit.detail.startswith("$") or attribution.provider in _COMPATIBLE_SDK_PROVIDERS or (
        attribution.provider is None)
