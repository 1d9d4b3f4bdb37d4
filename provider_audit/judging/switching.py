"""Switching cost: for each provider production code reaches, what moving off it (or adding a fallback)
takes, as a size a person can check against the places listed.

* ``call_sites``: where the code picks the provider: client constructions and API endpoints (the
  imports, for an SDK used without a client object).
* ``model_ids``: hard-coded model ids served by the provider, each with its places.
* ``features``: provider-specific features used (``rules/features.yaml``), each with its places, its
  kind and its portability (equivalents elsewhere, what a move involves).
* ``size``:

  - ``large``: a feature keeps state or data at the provider (kind ``provider-held-state`` or
    ``data-lock-in``): threads, stored responses, tuned models, files, vector stores, knowledge bases,
    stored embeddings must be migrated or rebuilt;
  - ``medium``: otherwise, any other provider-specific feature (cost model, capability, format), or call
    sites in more than ``SMALL_CALL_FILES`` file, or more than ``SMALL_MODEL_IDS`` distinct hard-coded
    model ids;
  - ``small``: a configuration change: the call sites in one module, at most two model ids, no
    provider-specific feature.

  ``reasons`` says which rule decided, with the counts.
* ``fallback``: of the provider's catalog alternatives, the one where the fewest features used lack an
  equivalent, how many places need work, and which features have no equivalent there.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from provider_audit.data.catalog import Catalog
from provider_audit.data.features import STATE_KINDS, Feature, FeatureCatalog
from provider_audit.judging.verdict import ProviderFootprint
from provider_audit.models import DECISIVE_CONTEXTS, Evidence, is_production

SIZES = ("small", "medium", "large")
SMALL_CALL_FILES = 1  # one module chooses the provider
SMALL_MODEL_IDS = 2
_CALL_KINDS = ("client", "endpoint")


@dataclass(frozen=True)
class Site:
    path: str
    line: int
    kind: str
    detail: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class ModelUse:
    model: str
    sites: Tuple[Site, ...]


@dataclass(frozen=True)
class FeatureUse:
    feature: Feature
    sites: Tuple[Site, ...]
    models: Tuple[str, ...]  # model ids named at the uses (tuned or embedding models...)


@dataclass(frozen=True)
class Fallback:
    provider: str  # the alternative considered
    name: str
    places: int  # distinct places that need work
    missing: Tuple[str, ...]  # ids of the features used that have no equivalent there


@dataclass(frozen=True)
class SwitchingCost:
    provider: str
    name: str
    size: str  # small | medium | large
    reasons: Tuple[str, ...]
    call_sites: Tuple[Site, ...]
    model_ids: Tuple[ModelUse, ...]
    features: Tuple[FeatureUse, ...]
    fallback: Optional[Fallback] = None

    @property
    def places(self) -> Tuple[str, ...]:
        """Every distinct ``path:line`` that needs work, in report order."""
        sites = list(self.call_sites) + [s for m in self.model_ids for s in m.sites] + \
            [s for f in self.features for s in f.sites]
        return tuple(dict.fromkeys(s.where for s in sorted(sites, key=lambda s: (s.path, s.line))))

    @property
    def held(self) -> Tuple[FeatureUse, ...]:
        """The features that leave state or data to migrate."""
        return tuple(f for f in self.features if f.feature.kind in STATE_KINDS)


def _site(e: Evidence) -> Site:
    what = e.model if e.kind == "model-id" and e.model else e.detail
    return Site(e.path, e.line, e.kind, what)


def _sites(items: Sequence[Evidence]) -> Tuple[Site, ...]:
    return tuple(dict.fromkeys(_site(e) for e in sorted(items, key=Evidence.sort_key)))


def switching_costs(evidence: Sequence[Evidence], prints: Sequence[ProviderFootprint], catalog: Catalog,
                    contexts: Sequence[str] = DECISIVE_CONTEXTS,
                    features: Optional[FeatureCatalog] = None) -> List[SwitchingCost]:
    """One entry per provider production code reaches (footprint order)."""
    if features is None:
        from provider_audit.data.features import load_features

        features = load_features()
    by_provider: Dict[str, List[Evidence]] = defaultdict(list)
    for e in evidence:
        if e.provider and is_production(e, contexts):
            by_provider[e.provider].append(e)
    return [_cost(fp, by_provider.get(fp.id, []), catalog, features) for fp in prints]


def _cost(fp: ProviderFootprint, items: List[Evidence], catalog: Catalog, features: FeatureCatalog) -> SwitchingCost:
    calls = [e for e in items if e.kind in _CALL_KINDS] or [e for e in items if e.kind == "import"]
    models: Dict[str, List[Evidence]] = defaultdict(list)
    for e in items:
        if e.kind == "model-id" and e.model:
            models[e.model].append(e)
    used: Dict[str, List[Evidence]] = defaultdict(list)
    for e in items:
        if e.kind == "feature" and features.get(e.feature) is not None:
            used[e.feature or ""].append(e)
    order = {f.id: n for n, f in enumerate(features)}
    uses = tuple(FeatureUse(features.get(fid), _sites(found), tuple(sorted({e.model for e in found if e.model})))  # type: ignore[arg-type]
                 for fid, found in sorted(used.items(), key=lambda kv: (_rank(features.get(kv[0])), order[kv[0]])))
    model_uses = tuple(ModelUse(model, _sites(found)) for model, found in sorted(models.items()))
    call_sites = _sites(calls)
    size, reasons = _size(fp, call_sites, model_uses, uses)
    cost = SwitchingCost(fp.id, fp.name, size, reasons, call_sites, model_uses, uses)
    return SwitchingCost(fp.id, fp.name, size, reasons, call_sites, model_uses, uses, _fallback(cost, catalog))


def _rank(feature: Optional[Feature]) -> int:
    from provider_audit.data.features import FEATURE_KINDS

    return FEATURE_KINDS.index(feature.kind) if feature is not None else len(FEATURE_KINDS)


def _size(fp: ProviderFootprint, call_sites: Tuple[Site, ...], models: Tuple[ModelUse, ...],
          uses: Tuple[FeatureUse, ...]) -> Tuple[str, Tuple[str, ...]]:
    held = [u for u in uses if u.feature.kind in STATE_KINDS]
    others = [u for u in uses if u.feature.kind not in STATE_KINDS]
    if held:
        reasons = [f"{_kind_label(u.feature.kind)} to migrate: {u.feature.name} ({_count(len(u.sites), 'place')})"
                   + (f", model {', '.join(u.models)}" if u.models else "") for u in held]
        if others:
            reasons.append("also provider-specific: " + ", ".join(u.feature.name for u in others))
        return "large", tuple(reasons)
    reasons = []
    if others:
        reasons.append("provider-specific features to port: " + ", ".join(
            f"{u.feature.name} ({u.feature.kind})" for u in others))
    files = len({s.path for s in call_sites})
    if files > SMALL_CALL_FILES:
        reasons.append(f"{_count(len(call_sites), 'call site')} in {_count(files, 'file')} "
                       f"(more than {SMALL_CALL_FILES})")
    if len(models) > SMALL_MODEL_IDS:
        reasons.append(f"{_count(len(models), 'hard-coded model id')} (more than {SMALL_MODEL_IDS})")
    if reasons:
        return "medium", tuple(reasons)
    if not call_sites:
        how = f"through {', '.join(fp.via_layers)}" if fp.via_layers else "without a call site of its own"
        return "small", (f"reached {how}, no provider-specific feature: a configuration change",)
    return "small", (f"{_count(len(call_sites), 'call site')} in one file and "
                     f"{_count(len(models), 'hard-coded model id')}, no provider-specific feature: "
                     "a configuration change",)


def _kind_label(kind: str) -> str:
    return {"provider-held-state": "provider-held state", "data-lock-in": "data"}.get(kind, kind)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _fallback(cost: SwitchingCost, catalog: Catalog) -> Optional[Fallback]:
    alternatives = catalog.alternatives(cost.provider)
    if not alternatives:
        return None

    def missing(alternative: str) -> Tuple[str, ...]:
        return tuple(u.feature.id for u in cost.features if u.feature.equivalent_at(alternative) is None)

    best = min(alternatives, key=lambda a: len(missing(a)))  # min keeps the catalog's order on ties
    return Fallback(best, catalog.display_name(best), len(cost.places), missing(best))
