"""The footprint (who is reached, how widely) and the lock-in verdict with its reasons.

A provider is *reached* only with decisive evidence in production (``decisive``): a client, an API call
or import, an endpoint, a key or endpoint variable that production code reads or deployment config
injects, or a model id sent through a known client (one of its provider in the same file, or an agnostic
layer in that file: a model table or a constant nothing sends is not a request).
Weak evidence alone (a dependency never imported, a model id in a constant or data-like file nothing
sends) and evidence outside production make a provider *mentioned, not reached* (``mentioned``): listed,
never counted, and never a second provider.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Set, Tuple

from provider_audit.data.catalog import Catalog
from provider_audit.models import DECISIVE_CONTEXTS, KINDS, Evidence, decisive_evidence, is_production

VERDICTS = ("none", "single-provider", "multi-provider", "abstracted")
# Evidence that shows code calling a provider's API directly (not through a layer).
DIRECT_KINDS = ("dependency", "import", "client", "endpoint")
# Evidence that marks a place where code calls an API (what "bypassing a layer" is counted in).
SITE_KINDS = ("import", "client")
# What a layer is seen in the request path by: its imports, clients and gateway hosts (its variables
# alone, a Helicone key for logging, put nothing in the path; nor does a dependency nothing imports).
LAYER_KINDS = ("import", "client", "endpoint", "model-id")


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


@dataclass(frozen=True)
class Mention:
    """A provider named somewhere that production code does not reach, and why it does not count."""

    id: str
    name: str
    why: str
    files: Tuple[str, ...]
    contexts: Tuple[str, ...] = ()  # where it is named


@dataclass
class LockIn:
    verdict: str
    reasons: List[str]
    providers: Tuple[str, ...]
    layers: Tuple[str, ...]
    mentioned: Tuple[Mention, ...] = ()  # mentioned, not reached: never in ``providers``


is_decisive = is_production  # the one predicate, under the name this module's callers know


def decisive(evidence: Sequence[Evidence], catalog: Catalog,
             contexts: Sequence[str] = DECISIVE_CONTEXTS) -> List[Evidence]:
    """The production evidence that shows a provider really reached (``models.decisive_evidence``)."""
    return decisive_evidence(evidence, contexts)


def reached(evidence: Sequence[Evidence], catalog: Catalog,
            contexts: Sequence[str] = DECISIVE_CONTEXTS) -> Set[str]:
    """The providers production code reaches."""
    return {e.provider for e in decisive(evidence, catalog, contexts) if e.provider}


def mentioned(evidence: Sequence[Evidence], catalog: Catalog,
              contexts: Sequence[str] = DECISIVE_CONTEXTS) -> Tuple[Mention, ...]:
    """Providers named in the scan that production code does not reach, each with why not."""
    hit = reached(evidence, catalog, contexts)
    grouped: Dict[str, List[Evidence]] = defaultdict(list)
    for e in evidence:
        if e.provider and e.provider not in hit:
            grouped[e.provider].append(e)
    result = []
    for provider, items in sorted(grouped.items()):
        production = [e for e in items if is_production(e, contexts)]
        shown = production or items
        result.append(Mention(provider, catalog.display_name(provider), _why(shown, bool(production)),
                              tuple(sorted({e.path for e in shown})), tuple(sorted({e.context for e in shown}))))
    return tuple(result)


_OUTSIDE = {"test": "tests", "example": "examples", "docs": "docs", "auxiliary": "code beside the main app "
            "(eval, benchmarks, legacy, scripts)", "data": "data files (results, recordings, dumps)"}


def _why(items: Sequence[Evidence], production: bool) -> str:
    if production:
        kinds = {e.kind for e in items}
        if kinds == {"dependency"}:
            return "a declared dependency that no production code imports or calls"
        if kinds <= {"dependency", "model-id", "feature"}:
            sent = " and API calls" if "feature" in kinds else ""
            return f"model ids{sent} that no client of it sends" + (" (and a dependency)" if "dependency" in kinds else "")
        return "evidence too weak to count"
    where = sorted({_OUTSIDE.get(e.context, e.context) for e in items if e.confidence != "low"})
    if where:
        return "only in " + ", ".join(where)
    return "only as weak hints (low confidence: shared package or variable names, commented-out lines, type-only imports, mock servers)"


def footprint(evidence: Sequence[Evidence], catalog: Catalog,
              contexts: Sequence[str] = DECISIVE_CONTEXTS) -> List[ProviderFootprint]:
    """One entry per provider that production code reaches, ordered by how much depends on it; its
    counts include the weaker production evidence (the dependency, model ids) behind it."""
    hit = reached(evidence, catalog, contexts)
    grouped: Dict[str, List[Evidence]] = defaultdict(list)
    for e in evidence:
        if e.provider in hit and is_decisive(e, contexts):
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
    """Agnostic layers production code goes through; a router provider (OpenRouter, or an OpenAI-compatible
    endpoint configured at run time) counts as one.

    A layer that is only a declared dependency is not in the path (nothing imports it, or it serves
    something else, as ``instructor`` does beside a plain OpenAI client); nor is a layer seen only through
    its variables (a Helicone key for logging).
    """
    found = {e.layer for e in evidence if e.layer and e.kind in LAYER_KINDS and is_decisive(e, contexts)}
    found |= {e.provider for e in decisive(evidence, catalog, contexts) if catalog.is_router(e.provider)}
    return tuple(sorted(found))


def _sites(evidence: Sequence[Evidence], catalog: Catalog, contexts: Sequence[str]) -> Tuple[Set[str], Set[str]]:
    """Files that call through a layer (or a router), and files that call a provider directly: a client or
    an import of its SDK, and, in a file without a layer, an endpoint or the endpoint variable read
    (``OLLAMA_BASE_URL``). A file can be both: ``import litellm`` beside ``OpenAI()`` bypasses it."""
    through: Set[str] = set()
    for e in evidence:
        if is_decisive(e, contexts) and e.kind in ("import", "client") and (e.layer or catalog.is_router(e.provider)):
            through.add(e.path)
    direct: Set[str] = set()
    for e in decisive(evidence, catalog, contexts):
        if e.layer or catalog.is_router(e.provider):
            continue
        if e.kind in ("import", "client"):
            direct.add(e.path)
        elif e.path not in through and (e.kind == "endpoint" or (
                e.kind == "env-var" and e.context == "source" and catalog.endpoint_env(e.detail))):
            direct.add(e.path)
    return through, direct


def judge(evidence: Sequence[Evidence], catalog: Catalog,
          contexts: Sequence[str] = DECISIVE_CONTEXTS, prints: Optional[List[ProviderFootprint]] = None) -> LockIn:
    """The lock-in verdict and its reasons; ``prints``: ``footprint(evidence, catalog, contexts)``, if known."""
    prints = footprint(evidence, catalog, contexts) if prints is None else prints
    layers = layers_in_use(evidence, catalog, contexts)
    aside = mentioned(evidence, catalog, contexts)
    providers = tuple(p.id for p in prints)
    names = ", ".join(catalog.display_name(p) for p in providers)
    layer_names = ", ".join(catalog.display_name(layer) for layer in layers)
    reasons: List[str] = []
    if not providers and not layers:
        reasons.append("no production code, config or manifest reaches an LLM provider")
        if aside:
            reasons.append("mentioned, not reached: " + _mentions(aside))
        return LockIn("none", reasons, providers, layers, aside)

    through, direct = _sites(evidence, catalog, contexts)
    bypassed = sorted({e.provider for e in decisive(evidence, catalog, contexts)
                       if e.path in direct and e.provider})
    # Tests, examples and docs were never counted; what production or code beside it names is worth a word.
    told = [m for m in aside if not set(m.contexts) <= _NEVER_PRODUCTION]
    note = ["mentioned, not reached (not counted): " + _mentions(told)] if told else []
    if layers and len(direct) < max(1, len(through)):
        reasons.append(f"requests go through a provider-agnostic layer ({layer_names}), "
                       "so changing provider is a configuration change")
        if direct:
            reasons.append(f"but {len(direct)} file(s) bypass it and call "
                           f"{', '.join(catalog.display_name(p) for p in bypassed)} directly")
        if len(providers) == 1:
            reasons.append(f"only one provider is configured behind it ({names}): add a fallback")
        return LockIn("abstracted", reasons + note, providers, layers, aside)
    if layers:
        # As many files bypass the layer as use it: judge the code by every provider it reaches.
        reasons.append(f"a provider-agnostic layer ({layer_names}) is used in {len(through)} file(s), but "
                       f"{len(direct)} file(s) call providers directly")

    if len(providers) == 1:
        only = prints[0]
        reasons.append(f"all direct production usage reaches one provider: {only.name} "
                       f"({len(only.files)} file(s), {sum(only.counts.values())} piece(s) of evidence)")
        reasons.append("no provider-agnostic layer (LiteLLM, any-llm, LangChain, Vercel AI SDK, OpenRouter...) "
                       "is in the path")
        return LockIn("single-provider", reasons + note, providers, layers, aside)

    reasons.append(f"production code reaches {len(providers)} providers: {names}")
    main = prints[0]
    share = len(main.files) / max(1, len({f for p in prints for f in p.files}))
    if share >= 0.8:
        reasons.append(f"{main.name} carries most of it ({len(main.files)} of the files): "
                       "the others may not be a working fallback")
    return LockIn("multi-provider", reasons + note, providers, layers, aside)


_NEVER_PRODUCTION = frozenset({"test", "example", "docs"})


def _mentions(items: Sequence[Mention]) -> str:
    return "; ".join(f"{m.name} ({m.why})" for m in items)
