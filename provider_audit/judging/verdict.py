"""The footprint (who is reached, how widely) and the lock-in verdict with its reasons."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple

from provider_audit.data.catalog import Catalog
from provider_audit.models import DECISIVE_CONTEXTS, KINDS, Evidence, is_production

VERDICTS = ("none", "single-provider", "multi-provider", "abstracted")
# Evidence that shows code calling a provider's API directly (not through a layer).
DIRECT_KINDS = ("dependency", "import", "client", "endpoint")
# Evidence that marks a place where code calls an API (what "bypassing a layer" is counted in).
SITE_KINDS = ("import", "client")


@dataclass
class ProviderFootprint:
    id: str
    name: str
    kind: str
    counts: Dict[str, int] = field(default_factory=dict)  # evidence count by kind
    files: Tuple[str, ...] = ()
    models: Tuple[str, ...] = ()
    via_layers: Tuple[str, ...] = ()
    direct: bool = False  # reached without an agnostic layer


@dataclass
class LockIn:
    verdict: str
    reasons: List[str]
    providers: Tuple[str, ...]
    layers: Tuple[str, ...]


is_decisive = is_production  # the one predicate, under the name this module's callers know


def footprint(evidence: Sequence[Evidence], catalog: Catalog,
              contexts: Sequence[str] = DECISIVE_CONTEXTS) -> List[ProviderFootprint]:
    """One entry per provider that production code reaches, ordered by how much depends on it."""
    grouped: Dict[str, List[Evidence]] = defaultdict(list)
    for e in evidence:
        if e.provider and is_decisive(e, contexts):
            grouped[e.provider].append(e)
    result = []
    for provider, items in grouped.items():
        info = catalog.providers.get(provider)
        counts = Counter(e.kind for e in items)
        result.append(ProviderFootprint(
            id=provider,
            name=info.name if info else provider,
            kind=info.kind if info else "api",
            counts={k: counts[k] for k in KINDS if counts[k]},
            files=tuple(sorted({e.path for e in items})),
            models=tuple(sorted({e.model for e in items if e.model})),
            via_layers=tuple(sorted({e.layer for e in items if e.layer})),
            direct=any(e.layer is None and e.kind in DIRECT_KINDS for e in items),
        ))
    # API calls (``api-call``) matter to risk events, not to how much depends on a provider.
    result.sort(key=lambda p: (-len(p.files), -sum(n for k, n in p.counts.items() if k != "api-call"), p.id))
    return result


def layers_in_use(evidence: Sequence[Evidence], catalog: Catalog,
                  contexts: Sequence[str] = DECISIVE_CONTEXTS) -> Tuple[str, ...]:
    """Agnostic layers production code goes through; a router provider (OpenRouter) counts as one.

    A layer that is only a declared dependency, while the code calls provider SDKs directly, is not
    in the path (it may serve something else, as ``instructor`` does beside a plain OpenAI client).
    """
    decisive = [e for e in evidence if is_decisive(e, contexts)]
    direct_calls = any(e.layer is None and e.provider and e.kind in ("client", "import") for e in decisive)
    found = {e.layer for e in decisive if e.layer and (e.kind != "dependency" or not direct_calls)}
    found |= {e.provider for e in decisive if catalog.is_router(e.provider)}
    return tuple(sorted(found))


def judge(evidence: Sequence[Evidence], catalog: Catalog,
          contexts: Sequence[str] = DECISIVE_CONTEXTS) -> LockIn:
    prints = footprint(evidence, catalog, contexts)
    layers = layers_in_use(evidence, catalog, contexts)
    providers = tuple(p.id for p in prints)
    names = ", ".join(catalog.display_name(p) for p in providers)
    layer_names = ", ".join(catalog.display_name(layer) for layer in layers)
    reasons: List[str] = []
    if not providers and not layers:
        elsewhere = sorted({e.provider for e in evidence if e.provider})
        reasons.append("no production code, config or manifest reaches an LLM provider")
        if elsewhere:
            reasons.append("provider evidence appears only in tests, docs, examples or at low confidence: "
                           + ", ".join(elsewhere))
        return LockIn("none", reasons, providers, layers)

    decisive = [e for e in evidence if is_decisive(e, contexts)]
    layer_sites = sum(1 for e in decisive if e.kind in SITE_KINDS and (e.layer or catalog.is_router(e.provider)))
    direct = [e for e in decisive if e.kind in SITE_KINDS and not e.layer and e.provider
              and not catalog.is_router(e.provider)]
    bypassed = sorted({e.provider for e in direct if e.provider})
    if layers and len(direct) <= layer_sites:
        reasons.append(f"requests go through a provider-agnostic layer ({layer_names}), "
                       "so changing provider is a configuration change")
        if direct:
            reasons.append(f"but {len(direct)} import/client site(s) bypass it and call "
                           f"{', '.join(catalog.display_name(p) for p in bypassed)} directly")
        if len(providers) == 1:
            reasons.append(f"only one provider is configured behind it ({names}): add a fallback")
        return LockIn("abstracted", reasons, providers, layers)
    if layers:
        # Most call sites bypass the layer: judge the code by what it calls directly.
        reasons.append(f"a provider-agnostic layer ({layer_names}) is used at {layer_sites} site(s), but "
                       f"{len(direct)} import/client site(s) call providers directly")
        prints = [p for p in prints if p.id in bypassed] or prints
        providers = tuple(p.id for p in prints)
        names = ", ".join(catalog.display_name(p) for p in providers)

    if len(providers) == 1:
        only = prints[0]
        reasons.append(f"all direct production usage reaches one provider: {only.name} "
                       f"({len(only.files)} file(s), {sum(only.counts.values())} piece(s) of evidence)")
        reasons.append("no provider-agnostic layer (LiteLLM, any-llm, LangChain, Vercel AI SDK, OpenRouter...) "
                       "is in the path")
        return LockIn("single-provider", reasons, providers, layers)

    reasons.append(f"production code reaches {len(providers)} providers: {names}")
    main = prints[0]
    share = len(main.files) / max(1, len({f for p in prints for f in p.files}))
    if share >= 0.8:
        reasons.append(f"{main.name} carries most of it ({len(main.files)} of the files): "
                       "the others may not be a working fallback")
    return LockIn("multi-provider", reasons, providers, layers)
