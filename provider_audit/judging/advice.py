"""Concrete diversification steps, each tied to the evidence (file:line) that calls for it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple

from provider_audit.data.catalog import Catalog
from provider_audit.models import DECISIVE_CONTEXTS, Evidence, is_production, sdk_of
from provider_audit.judging.verdict import LockIn, ProviderFootprint

if TYPE_CHECKING:  # pragma: no cover
    from provider_audit.judging.switching import SwitchingCost
    from provider_audit.risk.events import MatchedEvent
    from provider_audit.risk.lifecycle import LifecycleFinding

MAX_LOCATIONS = 10
MAX_EVENT_STEPS = 4  # the most severe matched events get a step each; the report lists all of them
CENTRAL_KINDS = ("client", "import", "dependency")


@dataclass(frozen=True)
class Advice:
    id: str  # stable: what kind of step (route-through-layer, model-to-config, ...)
    provider: str  # "" when it concerns the whole codebase
    text: str
    locations: Tuple[str, ...]  # "path:line"


def _where(items: Sequence[Evidence]) -> Tuple[str, ...]:
    return tuple(f"{e.path}:{e.line}" for e in sorted(items, key=Evidence.sort_key))


def _owner(catalog: Catalog, e: Evidence) -> Optional[str]:
    found = catalog.sdk_owner(sdk_of(e))
    return found.provider if found else None


def _central(items: Sequence[Evidence]) -> Tuple[str, ...]:
    """Where the dependency starts: client, import and dependency sites first, a few of them."""
    central = [e for e in items if e.kind in CENTRAL_KINDS] or list(items)
    return _where(central)[:5]


def _alternatives(catalog: Catalog, provider: str, model: Optional[str] = None) -> str:
    capability = catalog.capability_of(model)
    return ", ".join(catalog.display_name(a) for a in catalog.alternatives(provider, capability))


def advise(evidence: Sequence[Evidence], prints: Sequence[ProviderFootprint], lock_in: LockIn,
           catalog: Catalog, matched: Sequence[MatchedEvent] = (),
           contexts: Sequence[str] = DECISIVE_CONTEXTS, lifecycle: Sequence["LifecycleFinding"] = ()) -> List[Advice]:
    production = [e for e in evidence if is_production(e, contexts)]
    steps: List[Advice] = []
    by_provider: Dict[str, List[Evidence]] = defaultdict(list)
    for e in production:
        if e.provider:
            by_provider[e.provider].append(e)

    if lock_in.verdict in ("single-provider", "multi-provider"):
        for fp in prints:
            calls = [e for e in by_provider[fp.id] if e.kind in ("client", "import") and e.layer is None]
            if not calls:
                continue
            alternatives = _alternatives(catalog, fp.id)
            # Any of OpenAI's SDKs (or a community client of its API) pointed at another provider.
            compatible = [e for e in calls if _owner(catalog, e) == "openai"]
            if compatible and fp.id != "openai":
                text = (f"The openai SDK already talks to {fp.name} through an OpenAI-compatible API: "
                        "a second provider is a base_url and a key away. Read both from config and "
                        "add a fallback" + (f" ({alternatives})." if alternatives else "."))
                steps.append(Advice("configure-fallback-endpoint", fp.id, text, _where(compatible)[:MAX_LOCATIONS]))
                continue
            text = (f"All {len(calls)} import/client site(s) of {fp.name} use its SDK directly: route them "
                    "through one adapter module or an agnostic layer such as LiteLLM, any-llm or LangChain, "
                    "and configure a second provider as fallback"
                    + (f" (comparable: {alternatives})." if alternatives else "."))
            steps.append(Advice("route-through-layer", fp.id, text, _where(calls)[:MAX_LOCATIONS]))
    elif lock_in.verdict == "abstracted" and len(lock_in.providers) == 1:
        only = lock_in.providers[0]
        alternatives = _alternatives(catalog, only)
        steps.append(Advice(
            "add-fallback-provider", only,
            f"The agnostic layer is in place but only {catalog.display_name(only)} is configured behind it: "
            "add a fallback model from another provider" + (f" ({alternatives})." if alternatives else "."),
            _where(by_provider[only])[:MAX_LOCATIONS]))

    retired = set()
    for f in lifecycle:  # a retired or retiring id, on its platform: the most pressing model step
        if f.kind != "model" or f.model in retired:
            continue
        retired.add(f.model)
        steps.append(Advice(
            "replace-retired-model", f.platform,
            f"Model id `{f.model}`: {f.message}. {f.step[:1].upper() + f.step[1:]}, and read it from configuration.",
            _where(list(f.evidence))[:MAX_LOCATIONS]))
    from_lifecycle = set(retired)
    event_steps = 0
    for m in matched:
        event = m.event
        when = (event.effective or event.start)
        date_text = f" on {when.isoformat()}" if when else ""
        state = {"upcoming": "takes effect", "in-effect": "took effect"}.get(m.state, "applied")
        if event.models:
            for model in sorted({e.model for e in m.evidence if e.model} - from_lifecycle):
                places = [e for e in m.evidence if e.model == model]
                retired.add(model)
                steps.append(Advice(
                    "replace-retired-model", places[0].provider or "",
                    f"Model id `{model}` is hard-coded in {len(places)} place(s) and is hit by "
                    f"\"{event.title}\" ({event.kind}, {state}{date_text}): {event.mitigation}",
                    _where(places)[:MAX_LOCATIONS]))
            continue
        if event_steps >= MAX_EVENT_STEPS or m.possible or event.severity not in ("critical", "high"):
            continue
        event_steps += 1
        steps.append(Advice(
            "mitigate-event", ", ".join(event.providers),
            f"\"{event.title}\" ({event.severity} {event.kind}, {state}{date_text}) applies because "
            f"{m.reason}: {event.mitigation}", _central(m.evidence)))

    models: Dict[str, List[Evidence]] = defaultdict(list)
    for e in production:
        if e.kind == "model-id" and e.model and e.context == "source" and e.model not in retired:
            models[e.model].append(e)
    for model, items in sorted(models.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        provider = items[0].provider or ""
        capability = catalog.capability_of(model)
        others = _alternatives(catalog, provider, model) if provider else ""
        offer = (f" Comparable {capability.name} models are offered by {others}." if capability and others else "")
        steps.append(Advice(
            "model-to-config", provider,
            f"Model id `{model}` is hard-coded in {len(items)} place(s): read it from configuration so a "
            f"retirement or a provider switch is a config change, not a code change.{offer}",
            _where(items)[:MAX_LOCATIONS]))
    return steps


def switching_advice(costs: Sequence["SwitchingCost"]) -> List[Advice]:
    """One step per provider whose switching cost is not small (``judging/switching.py``): how many places
    a fallback needs, what must be migrated, and which features the best alternative lacks."""
    steps: List[Advice] = []
    for cost in costs:
        if cost.size == "small":
            continue
        counts = [f"{len(cost.call_sites)} call site(s)" if cost.call_sites else "",
                  f"{sum(len(m.sites) for m in cost.model_ids)} model-id place(s)" if cost.model_ids else "",
                  f"{sum(len(f.sites) for f in cost.features)} feature use(s)" if cost.features else ""]
        text = (f"To add a fallback for {cost.name}, {len(cost.places)} place(s) need work "
                f"({', '.join(c for c in counts if c)}); switching cost: {cost.size}")
        held = cost.held
        if held:
            text += " (state or data to migrate: " + ", ".join(u.feature.name for u in held) + ")"
        text += "."
        fallback = cost.fallback
        if fallback is not None and cost.features:
            other = fallback.name
            if fallback.missing:
                names = [u.feature.name for u in cost.features if u.feature.id in fallback.missing]
                text += (f" {len(names)} feature(s) used have no equivalent at {other}: "
                         + ", ".join(names) + ".")
            else:
                text += f" Every feature used has an equivalent at {other}."
        steps.append(Advice("switching-cost", cost.provider, text, cost.places[:MAX_LOCATIONS]))
    return steps
