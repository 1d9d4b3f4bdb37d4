"""Decisions that need more than one piece of evidence: where model ids and redirected SDKs really go.

* A model id is served by the provider its file's clients talk to (``gpt-4o`` beside ``AzureOpenAI``
  is Azure's), else by its vendor's own API.
* An SDK whose every client is pointed at another provider (the ``openai`` SDK with DeepSeek's
  ``base_url``, or ``OPENAI_BASE_URL`` set in ``.env``) is that provider's dependency, not OpenAI's.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, Iterable, List, Optional, Sequence, Set

from provider_audit.data.catalog import COMPATIBLE, Catalog
from provider_audit.judging.features import place_features
from provider_audit.models import DECISIVE_CONTEXTS, Evidence, is_production, sdk_of, sorted_evidence

_ROUTED_KINDS = ("client", "endpoint")


def finalize(evidence: Iterable[Evidence], catalog: Catalog,
             contexts: Sequence[str] = DECISIVE_CONTEXTS) -> List[Evidence]:
    """Attribute what the detectors left open, across files; ``contexts``: the decisive contexts."""
    items = list(evidence)  # each step decides item by item, whatever the order; duplicates go at the end
    items = _redirect_default_clients(items, catalog)
    items = _place_compatible_clients(items, catalog)
    items = _place_models(items, catalog, contexts)
    items = _redirect_sdks(items, catalog, contexts)
    items = place_features(items, catalog)  # judging/features.py: the provider each feature use belongs to
    return sorted_evidence(items)


def _place_compatible_clients(items: List[Evidence], catalog: Catalog) -> List[Evidence]:
    """An OpenAI-compatible client configured at run time, in an adapter that says whose it is: the one
    provider whose endpoint the same file names (``https://api.x.ai/v1/models`` beside the client), else
    the provider its file or folder is named after (``providers/deepseek.py``, ``api/ollama/ollama.go``).
    Otherwise it stays ``openai-compatible``."""
    if not any(e.kind == "client" and e.provider == COMPATIBLE and e.endpoint == "<configurable>" for e in items):
        return items
    endpoints: Dict[str, Set[str]] = defaultdict(set)
    for e in items:
        if e.kind == "endpoint" and e.provider and e.confidence != "low" and not catalog.is_router(e.provider):
            endpoints[e.path].add(e.provider)
    out = []
    for e in items:
        if e.kind == "client" and e.provider == COMPATIBLE and e.endpoint == "<configurable>":
            named = endpoints.get(e.path, set())
            provider = next(iter(named)) if len(named) == 1 else _named_by_path(e.path, catalog)
            if provider is not None:
                e = e.but(provider=provider, model_vendor=_vendor(catalog, provider))
        out.append(e)
    return out


def _named_by_path(path: str, catalog: Catalog) -> Optional[str]:
    """The provider the file's folder or name spells (its id or a routing prefix), if exactly one does."""
    words = set()
    for part in path.lower().split("/")[-3:]:
        stem = part.rsplit(".", 1)[0]
        words.add(stem)
        words.update(w for w in stem.replace("-", "_").split("_") if w)
    found = {catalog.model_prefixes.get(w) or (w if w in catalog.providers else None) for w in words}
    found = {p for p in found if p and p != COMPATIBLE and catalog.providers.get(p) is not None
             and catalog.providers[p].kind != "platform" and p not in ("openai", "meta", "google")}
    return next(iter(found)) if len(found) == 1 else None


def _redirect_default_clients(items: List[Evidence], catalog: Catalog) -> List[Evidence]:
    """Clients built with the default endpoint follow ``OPENAI_BASE_URL`` and its kind when it is set."""
    targets: Dict[str, Set[Optional[str]]] = defaultdict(set)
    for e in items:
        if e.kind == "endpoint" and "=" in e.detail:
            redirected = catalog.redirects(e.detail.split("=", 1)[0])
            if redirected is not None:
                targets[redirected].add(e.provider)
    if not targets:
        return items
    out = []
    for e in items:
        moved = targets.get(e.provider or "")
        if e.kind == "client" and moved and len(moved) == 1 and "=" not in e.detail:
            (provider,) = moved
            out.append(e.but(provider=provider, model_vendor=_vendor(catalog, provider)))
        else:
            out.append(e)
    return out


def _place_models(items: List[Evidence], catalog: Catalog, contexts: Sequence[str]) -> List[Evidence]:
    """Give each model id without a provider of its own the service that serves it.

    In order: the client on its own line (``groq("llama3-8b-8192")`` beside an ``openai(...)`` call); the
    one provider its file's clients talk to (or, in a file without clients, the one provider whose
    endpoint it calls, or the one local server whose SDK it imports: ``ollama.chat(model="llama3.2")``); for "prefix/model" ids, the service the prefix names when an agnostic layer
    (which reads such prefixes) is in production use, or the router when one is; for plain ids, the
    vendor's own API. A prefixed id with none of these (a Hugging Face repo name passed to local
    inference) keeps no provider.
    """
    by_file: Dict[str, Set[str]] = defaultdict(set)
    by_line: Dict[tuple, Set[str]] = defaultdict(set)
    endpoints: Dict[str, Set[str]] = defaultdict(set)
    local: Dict[str, Set[str]] = defaultdict(set)  # a local server's SDK imported (``ollama.chat(model=...)``)
    placed = {e.path for e in items if e.kind == "model-id" and e.provider is None}  # the files to place ids in
    if not placed:
        return items
    for e in items:
        if e.path in placed and e.provider and e.confidence != "low":
            if e.kind == "client":
                by_file[e.path].add(e.provider)
                by_line[(e.path, e.line)].add(e.provider)
            elif e.kind == "endpoint":
                endpoints[e.path].add(e.provider)
            elif e.kind == "import" and e.layer is None and \
                    getattr(catalog.providers.get(e.provider), "kind", None) == "local":
                local[e.path].add(e.provider)
    production = [e for e in items if e.context in contexts and e.confidence != "low"]  # is_production, inlined
    layers = any(e.layer is not None and e.kind in ("dependency", "import", "client") for e in production)
    router_ids = {e.provider for e in production if e.kind != "model-id" and e.provider != COMPATIBLE
                  and catalog.is_router(e.provider)}
    routers = len(router_ids) == 1
    out = []
    for e in items:
        if e.kind == "model-id" and e.provider is None:
            clients = by_line.get((e.path, e.line)) or by_file.get(e.path)
            only_endpoints = not clients
            clients = clients or endpoints.get(e.path) or local.get(e.path, set())
            model = e.model or ""
            # Only "service/model" or "service:model" ids can name a service (catalog.model is costly).
            # Besides an endpoint the file merely names (no client), a layer reads the prefix itself:
            # litellm sends "anthropic/..." to Anthropic even beside OLLAMA_API_BASE; a router's endpoint
            # keeps its own namespace ("anthropic/..." on OpenRouter).
            slashed = "/" in model or ":" in model
            named = slashed and (len(clients) != 1 or (only_endpoints and layers
                                                        and not any(catalog.is_router(p) for p in clients)))
            match = catalog.model(model, expected=True) if named else None
            prefixed = match is not None and match.prefix_provider is not None
            if prefixed and layers and only_endpoints and len(clients) == 1 \
                    and match.prefix_provider not in clients:
                provider = match.prefix_provider
            elif len(clients) == 1:
                provider = next(iter(clients))
            elif prefixed and layers:
                provider = match.prefix_provider
            elif prefixed and routers:
                provider = next(iter(router_ids))
            elif prefixed:
                provider = None
            else:
                provider = catalog.default_provider(e.model_vendor)
            if provider is not None:
                e = e.but(provider=provider)
        out.append(e)
    return out


def _redirect_sdks(items: List[Evidence], catalog: Catalog, contexts: Sequence[str]) -> List[Evidence]:
    """An SDK whose clients all go elsewhere follows them: its dependencies, its imports (a layer's
    integration too: ``langchain_openai`` whose ``ChatOpenAI`` is pointed at a configured endpoint), and
    the key variable it reads by default (``OPENAI_API_KEY`` for an openai SDK pointed at DeepSeek).
    Clients in production decide where a production SDK goes; tests only when production has none."""
    clients: Dict[str, Set[Optional[str]]] = defaultdict(set)
    for production in (True, False):
        for e in items:
            if e.kind == "client" and e.confidence != "low" and is_production(e, contexts) == production:
                clients[_sdk_key(e)].add(e.provider)
        if clients:
            break
    # provider -> where the clients of SDKs that default to it really go
    defaults: Dict[str, Set[Optional[str]]] = defaultdict(set)
    for root, routed in clients.items():
        owner = catalog.sdk_owner(root)
        if owner is not None:
            defaults[owner.provider or ""] |= routed
    # An API call on a client made elsewhere (attributed to its file's SDK, ``package`` set) follows too.
    moved = [_follow(e, clients.get(_sdk_key(e)))
             if (e.kind in ("dependency", "import") or (e.kind == "api-call" and e.package)) and e.provider
             else e for e in items]
    # The key variable follows too, unless something else still reaches its provider directly.
    still = {e.provider for e in moved if e.kind in ("client", "import", "dependency", "endpoint")}
    return [_follow(e, defaults.get(e.provider or "")) if e.kind == "env-var" and e.provider not in still else e
            for e in moved]


def _sdk_key(e: Evidence) -> str:
    """The SDK a piece of evidence comes from, with Python's ``-``/``_`` spellings made one."""
    return sdk_of(e).replace("-", "_")


def _follow(e: Evidence, routed: Optional[Set[Optional[str]]]) -> Evidence:
    if not routed or e.provider in routed:
        return e
    known = sorted(p for p in routed if p)
    if len(known) == 1:
        return e.but(provider=known[0], model_vendor=None)
    # One SDK, several providers: the clients carry the providers, this is just the library.
    return e.but(confidence="low")


def _vendor(catalog: Catalog, provider: Optional[str]) -> Optional[str]:
    info = catalog.providers.get(provider or "")
    return info.vendor if info else None
