"""Which provider each feature use belongs to, decided once the rest of the evidence is attributed.

The detectors record a feature use without a provider (``detectors/features.py``). Here, after model
ids are placed and redirected SDKs followed (``attribution.finalize``), each use gets:

* the first provider of its feature that the file reaches (clients first, then imports, endpoints,
  model ids and key variables), at high confidence;
* for a feature of any provider (embeddings stored next to the call): the provider of the evidence on
  the same line, else the file's first provider;
* else, for a standalone rule (``high`` from the detector): the feature's first provider, at medium
  confidence (a file that receives its client from elsewhere still depends on the feature); and a
  gated use in a file where a standalone use named one of its feature's providers gets that provider,
  at medium confidence too;
* else nothing: a gated rule in a file reaching none of the feature's providers is not reported.

So a feature never adds a provider to the report that the file does not reach, except through a rule
distinctive enough to name the provider by itself.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

from provider_audit.data.catalog import Catalog
from provider_audit.data.features import STANDALONE, FeatureCatalog
from provider_audit.models import Evidence

# The order in which a file's evidence says which provider it reaches.
_REACH_ORDER = ("client", "import", "endpoint", "model-id", "env-var", "dependency")


def place_features(items: List[Evidence], catalog: Catalog, features: Optional[FeatureCatalog] = None) -> List[Evidence]:
    """``items`` with every feature use attributed (or dropped when nothing it reaches offers it)."""
    if not any(e.kind == "feature" for e in items):
        return items
    if features is None:
        from provider_audit.data.features import load_features

        features = load_features()
    # Only the files with feature uses matter below: the rest of the evidence is passed over once.
    with_features = {e.path for e in items if e.kind == "feature"}
    reach: Dict[str, List[Tuple[int, str]]] = defaultdict(list)
    lines: Dict[Tuple[str, int], str] = {}
    for e in items:
        if e.path in with_features and e.kind in _REACH_ORDER and e.provider and e.confidence != "low":
            reach[e.path].append((_REACH_ORDER.index(e.kind), e.provider))
            lines.setdefault((e.path, e.line), e.provider)
    # A standalone use names its provider by itself: the file reaches that provider for the other uses too.
    named: Dict[str, List[Tuple[int, str]]] = defaultdict(list)
    for e in items:
        feature = features.get(e.feature) if e.kind == "feature" else None
        if feature is not None and not feature.any_provider and e.confidence == STANDALONE \
                and not any(p in feature.providers for _, p in reach.get(e.path, ())):
            named[e.path].append((len(_REACH_ORDER), feature.providers[0]))
    out = []
    for e in items:
        if e.kind != "feature":
            out.append(e)
            continue
        feature = features.get(e.feature)
        if feature is None:  # a cached result from an older catalog
            continue
        reached = _ordered(reach.get(e.path, ()))
        if feature.any_provider:
            provider = lines.get((e.path, e.line)) or (reached[0] if reached else None)
            confidence = "high"
        else:
            provider = next((p for p in reached if p in feature.providers), None)
            confidence = "high"
            if provider is None:
                provider = next((p for p in _ordered(named.get(e.path, ())) if p in feature.providers), None)
                confidence = "medium"
        if provider is None:
            continue
        info = catalog.providers.get(provider)
        out.append(e.but(provider=provider, model_vendor=info.vendor if info else None, confidence=confidence))
    return out


def _ordered(found: Sequence[Tuple[int, str]]) -> List[str]:
    """Providers by their strongest evidence kind, then by first appearance."""
    best: Dict[str, Tuple[int, int]] = {}
    for position, (rank, provider) in enumerate(found):
        if provider not in best or rank < best[provider][0]:
            best[provider] = (rank, best.get(provider, (rank, position))[1])
    return sorted(best, key=lambda p: best[p])
