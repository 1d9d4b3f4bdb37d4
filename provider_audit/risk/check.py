"""Checking a footprint against the risk data: load, silence, match, sort into what to act on.

The result (``RiskCheck``) is typed and already decided; formatters only choose how to show it:

- ``lifecycle``: retired and retiring model ids (and deprecated SDKs) that production code sends to a
  platform (``risk.lifecycle``), most urgent first. They lead every report.
- ``matched``: the events that are *hits*: they apply to this code, are not ``informational`` and do
  not wait on a scope the user has not declared. Ordered by impact (breaking, cost, capacity,
  compliance), then severity.
- ``conditional``: events that would apply if the user declared a scope (``jurisdictions``,
  ``customer-types``, ``ownership``); counted in one line (``conditional_note``).
- ``informational``: matched but informational (news, letters, proposed rules, other companies'
  disputes, past outages): never a hit, never a gate; listed with ``--show-informational``.
- ``covered``: deprecation events naming exactly the model ids a lifecycle finding already reports
  (the finding lists them in ``related_events``), so the same retirement is not shown twice; and other
  model-scoped events whose models are all retired (their calls fail: the event is moot).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple, Union

from provider_audit.data.catalog import Catalog
from provider_audit.models import DECISIVE_CONTEXTS, Evidence, reached_providers
from provider_audit.risk.vocabulary import IMPACTS, SEVERITIES, Scopes

if TYPE_CHECKING:  # pragma: no cover - events.py and lifecycle.py load with the rules (RiskRules)
    from provider_audit.risk.events import Event, Ignore, MatchedEvent, ProviderRisk
    from provider_audit.risk.lifecycle import LifecycleFinding, LifecycleTable

RiskItem = Union["LifecycleFinding", "MatchedEvent"]


class RiskRules:
    """The risk data a scan is checked against: the events (the rules in use's and the user's files) and
    the lifecycle tables, each loaded on first use. A scan without evidence matches nothing, so it reads
    neither unless a report shows how many there are (``RiskCheck.events_known``)."""

    def __init__(self, catalog: Optional[Catalog], extra: Sequence[Path] = (),
                 events: Optional[Sequence[Event]] = None, lifecycle: Optional[LifecycleTable] = None):
        self.catalog, self.extra = catalog, tuple(extra)
        self._events = tuple(events) if events is not None else None
        self._lifecycle = lifecycle
        self._loaded_lifecycle = lifecycle is not None or catalog is None
        if self.extra and self._events is None:  # the user's files at once: a mistake stops a scan before it starts
            self._events = load_database(catalog, self.extra)  # type: ignore[arg-type]

    @classmethod
    def loaded(cls, events: Sequence[Event], lifecycle: Optional[LifecycleTable]) -> "RiskRules":
        return cls(None, events=events, lifecycle=lifecycle)

    @property
    def events(self) -> Tuple[Event, ...]:
        if self._events is None:
            assert self.catalog is not None
            self._events = load_database(self.catalog, self.extra)
        return self._events

    def load(self) -> None:
        """Load both tables now, and compile the events' model patterns (``api.run`` has this done while
        worker processes scan)."""
        from provider_audit.risk.events import prepare

        prepare(self.events)
        self.lifecycle

    @property
    def lifecycle(self) -> Optional[LifecycleTable]:
        if not self._loaded_lifecycle:
            assert self.catalog is not None
            self._lifecycle = load_lifecycle_table(self.catalog)
            self._loaded_lifecycle = True
        return self._lifecycle


@dataclass
class RiskCheck:
    as_of: date
    matched: List[MatchedEvent]  # hits only (see the module's docstring)
    ranking: List[ProviderRisk]
    silenced: Tuple[Tuple[Event, Ignore], ...] = ()
    warnings: List[str] = field(default_factory=list)
    lifecycle: List["LifecycleFinding"] = field(default_factory=list)
    conditional: List[MatchedEvent] = field(default_factory=list)
    informational: List[MatchedEvent] = field(default_factory=list)
    covered: List[MatchedEvent] = field(default_factory=list)
    scopes: Scopes = field(default_factory=Scopes)
    show_informational: bool = False  # the user asked to see informational events (--show-informational)
    rules: RiskRules = field(default_factory=lambda: RiskRules.loaded((), None))  # what was checked against

    @property
    def events_known(self) -> int:
        return len(self.rules.events)

    @property
    def lifecycle_known(self) -> int:
        """Model ids in the lifecycle table."""
        table = self.rules.lifecycle
        return sum(table.count_ids().values()) if table is not None else 0

    def worst_in_effect(self) -> Optional[str]:
        """The highest severity among certain items in effect (what ``--fail-on risk:...`` gates on):
        lifecycle findings that are not only possible, and hits in effect that are not only possible.
        Informational and conditional events never count."""
        severities = [m.event.severity for m in self.matched if m.state == "in-effect" and not m.possible]
        severities += [f.severity for f in self.lifecycle if not f.possible]
        return min(severities, key=SEVERITIES.index) if severities else None

    def items(self) -> List[RiskItem]:
        """Every item to act on, in report order: lifecycle findings (breaking), then the event hits by
        impact and severity (``match_events`` order)."""
        return list(self.lifecycle) + list(self.matched)

    def conditional_keys(self) -> Dict[str, int]:
        """Config key -> how many conditional events it would decide."""
        counts: Counter = Counter(key for m in self.conditional for key in m.conditional_on)
        return dict(sorted(counts.items()))

    def conditional_note(self) -> Optional[str]:
        """``4 conditional events not shown; set `jurisdictions`/`customer-types` to see them``."""
        if not self.conditional:
            return None
        keys = "/".join(f"`{k}`" for k in self.conditional_keys())
        n = len(self.conditional)
        return f"{n} conditional event{'s' if n != 1 else ''} not shown; set {keys} to see them"


def load_database(catalog: Catalog, extra: Sequence[Path] = (),
                  paths: Optional[Sequence[Path]] = None, screen: Optional[bool] = None) -> Tuple[Event, ...]:
    """The rules in use's events (or those of ``paths``) plus the user's files, validated against the
    catalog's provider ids (``screen``: see ``events.load_events``)."""
    from provider_audit.risk.events import load_events

    return load_events(paths, extra=tuple(extra), known_providers=catalog.providers.keys(),
                       known_vendors=catalog.vendor_ids(), screen=screen)


def load_lifecycle_table(catalog: Catalog, paths: Optional[Sequence[Path]] = None,
                         screen: Optional[bool] = None) -> LifecycleTable:
    """The rules in use's lifecycle tables (or ``paths``), validated against the catalog's ids."""
    from provider_audit.risk.lifecycle import load_lifecycle

    return load_lifecycle(paths, known_providers=catalog.providers.keys(), known_vendors=catalog.vendor_ids(),
                          screen=screen)


def check(evidence: Sequence[Evidence], events: Sequence[Event], ignores: Sequence[Ignore], as_of: date,
          contexts: Sequence[str] = DECISIVE_CONTEXTS, *, lifecycle: Optional[LifecycleTable] = None,
          scopes: Optional[Scopes] = None, names: Optional[Dict[str, str]] = None) -> RiskCheck:
    from provider_audit.risk.events import apply_ignores, ignore_warnings, match_events, risk_by_provider

    scopes = scopes or Scopes()
    # Only evidence that reaches a provider's API can be hit by that provider's events: an open-weight
    # model name used for local inference has a vendor but no provider. API calls without a provider
    # are placed on their file's providers by the matcher.
    # And only a provider production code reaches (models.decisive_evidence): a dependency nothing imports
    # or a table of model ids is "mentioned, not reached", and its provider's events do not apply.
    reached = reached_providers(evidence, contexts)
    evidence = [e for e in evidence
                if (e.provider is None and e.kind == "api-call") or (e.provider is not None and e.provider in reached)]
    kept, silenced = apply_ignores(events, ignores, as_of)
    everything = match_events(kept, evidence, as_of, contexts, scopes=scopes)
    found = []
    if lifecycle is not None:
        from provider_audit.risk.lifecycle import match_lifecycle

        found = match_lifecycle(lifecycle, evidence, as_of, contexts, names)
    found, covered = _fold_covered(found, [m for m in everything if m.hit])
    covered_ids = {m.event.id for m in covered}
    hits = [m for m in everything if m.hit and m.event.id not in covered_ids]
    # A silenced event that would not have matched anyway need not be listed.
    silenced_matches = {m.event.id for m in match_events([e for e, _ in silenced], evidence, as_of, contexts,
                                                         scopes=scopes)}
    return RiskCheck(
        as_of=as_of,
        matched=hits,
        ranking=risk_by_provider(hits, evidence, contexts),
        silenced=tuple((e, i) for e, i in silenced if e.id in silenced_matches),
        warnings=ignore_warnings(events, ignores, as_of),
        lifecycle=found,
        conditional=[m for m in everything if m.conditional_on and m.event.impact != "informational"],
        informational=[m for m in everything if m.event.impact == "informational"],
        covered=covered,
        scopes=scopes,
        rules=RiskRules.loaded(events, lifecycle),
    )


def check_rules(evidence: Sequence[Evidence], rules: RiskRules, ignores: Sequence[Ignore], as_of: date,
                contexts: Sequence[str] = DECISIVE_CONTEXTS, *, scopes: Optional[Scopes] = None,
                names: Optional[Dict[str, str]] = None) -> RiskCheck:
    """``check`` against ``rules``. Without evidence no event or lifecycle entry can match: the result is
    empty and the rules are not loaded for it (ignores still need the event ids, for their warnings)."""
    if not evidence and not ignores:
        return RiskCheck(as_of=as_of, matched=[], ranking=[], scopes=scopes or Scopes(), rules=rules)
    risk = check(evidence, rules.events, ignores, as_of, contexts, lifecycle=rules.lifecycle, scopes=scopes,
                 names=names)
    risk.rules = rules
    return risk


def _fold_covered(found: List[LifecycleFinding], hits: List[MatchedEvent]
                  ) -> Tuple[List[LifecycleFinding], List[MatchedEvent]]:
    """Events that only name model ids already reported by lifecycle findings, folded into the findings:
    a deprecation event says the same as the finding (which says it better: per platform, with the date
    and the replacement); any other event about models whose calls already fail (retired, for certain)
    is moot for this code (extended-access pricing of a model past its end of life)."""
    by_evidence: Dict[Evidence, int] = {}
    for index, finding in enumerate(found):
        for e in finding.evidence:
            by_evidence[e] = index
    related: Dict[int, List[str]] = {}
    covered: List[MatchedEvent] = []
    for m in hits:
        e = m.event
        if not e.models or e.packages or e.surfaces or e.features:
            continue
        owners = {by_evidence.get(x) for x in m.evidence}
        if e.kind != "deprecation" and not all(
                o is not None and found[o].phase == "retired" and not found[o].possible for o in owners):
            continue
        if m.evidence and None not in owners:
            covered.append(m)
            for owner in owners:
                related.setdefault(owner, []).append(e.id)  # type: ignore[arg-type]
    out = [dataclasses.replace(f, related_events=tuple(sorted(set(f.related_events) | set(related.get(i, ())))))
           if i in related else f for i, f in enumerate(found)]
    return out, covered


def impact_rank(item: RiskItem) -> int:
    """Position of an item's impact in ``IMPACTS`` (lifecycle findings are breaking)."""
    impact = item.impact
    return IMPACTS.index(impact) if impact in IMPACTS else len(IMPACTS)


@dataclass(frozen=True)
class ItemView:
    """One risk item as every report shows it: the same words in text, Markdown and annotations."""

    severity: str
    impact: str
    title: str  # what happens, one line
    where: Tuple[str, ...]  # path:line of each place it is tied to; empty for provider-wide items
    scope: str  # "model-id on <platform>", "provider-wide (openai: 3 files)", "uses assistants"...
    step: str  # one concrete step
    ident: str  # the event id, or "<platform>:<model>"
    possible: bool = False

    @property
    def tied(self) -> bool:
        return bool(self.where)


def first_sentence(text: str) -> str:
    """The first sentence of a mitigation: one concrete step."""
    flat = " ".join(text.split())
    for end in (". ", "; "):
        at = flat.find(end)
        if 0 < at < 240:
            return flat[:at + 1].rstrip(";") if end == ". " else flat[:at] + "."
    return flat if flat.endswith(".") else flat + "."


def view(item: RiskItem, names: Optional[Dict[str, str]] = None) -> ItemView:
    from provider_audit.risk.events import MatchedEvent  # loaded by now: there are items

    names = names or {}
    if not isinstance(item, MatchedEvent):  # a LifecycleFinding
        where = tuple(f"{e.path}:{e.line}" for e in item.evidence)
        what = "SDK" if item.kind == "sdk" else "model id"
        return ItemView(item.severity, item.impact, item.message, where,
                        f"{what} on {names.get(item.platform, item.platform)}", _cap(item.step),
                        f"{item.platform}:{item.model}", item.possible)
    event = item.event
    where = tuple(dict.fromkeys(f"{e.path}:{e.line}" for e in item.evidence)) if item.tied_to_lines else ()
    if where:
        scope = item.reason
    else:
        reached = sorted({e.provider for e in item.evidence if e.provider})
        files = len({e.path for e in item.evidence})
        scope = (f"provider-wide: every use of {', '.join(names.get(p, p) for p in reached)} "
                 f"({files} file{'s' if files != 1 else ''})")
        scoped = "; ".join(f"{k.replace('_', '-')} {', '.join(v)}" for k, v in item.scopes)
        scope += f"; {scoped}" if scoped else ""
    title = " ".join(event.title.split()).rstrip(".")
    if item.state == "upcoming":
        when = event.effective.isoformat() if event.effective else "date not set"
        title += f" (not in effect yet: {when})"
    return ItemView(event.severity, event.impact, title, where, scope, first_sentence(event.mitigation), event.id,
                    item.possible)


def _cap(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."
