"""Provider-risk events: the rule schema, a strict loader, and the matching engine.

Rule files (``rules/events/*.yaml``; user files use the same format), schema version 2::

    schema_version: 2
    events:
      - id: openai-2025-08-assistants-api-sunset  # kebab-case, unique across all files
        providers: [openai]         # API services hit (known provider ids)
        vendors: []                 # optional: model vendors hit wherever their models are served
        kind: deprecation           # see KINDS
        impact: breaking            # breaking | cost | capacity | compliance | informational
        title: one line
        summary: 1-3 sentences, our own words
        announced: 2025-08-26       # ISO date or null (key required)
        effective: 2026-08-26       # ISO date or null (key required)
        ends: null                  # optional: when it was lifted or ended
        status: in-effect           # see STATUSES
        status_as_of: 2026-12-07    # the day the status was last confirmed (or null)
        history:                    # optional, oldest first
          - {date: 2025-08-26, status: scheduled, note: "..."}
        superseded_by: null         # optional: the id of the event that replaces this one
        confidence: verified        # verified (needs an official source) | reported
        severity: high              # critical | high | medium | low
        applies_to:                 # optional narrowing; every key given must hold
          models: ['gpt-4-0314']    # regexes, full match, case-insensitive (validation.regex_problem)
          packages:                 # dependency names; versions (SpecifierSet) for pypi only
            - {ecosystem: pypi, name: openai, versions: "<1.0"}
          surfaces: [assistants]    # SURFACES: only where the code uses one of them
          features: [streaming]     # FEATURES: only where the code uses one of them
          jurisdictions: [EU]       # ISO 3166 codes or EU: only for users who declare one
          customer_types: [public-sector]   # only for users who declare one
          ownership: [CN]           # only for users who declare one
        mitigation: concrete step(s)
        sources:                    # typed; official = vendor page, government publication, court record
          - {url: "https://...", type: official}
        checked: 2026-12-07         # optional: when the event was last checked against its sources
        override: true              # user files only: replace fields of an earlier event with this id

Version 1 files still load: ``status: reported`` reads as ``in-effect``, plain source URLs as
``press`` sources, ``regions`` as ``jurisdictions`` and ``accounts`` as ``customer_types``; the
impact follows the kind (``V1_IMPACT``). Only version 2 files must back ``verified`` with an official
source (a version 1 file cannot type its sources).

Matching (``match_events``): an event applies to the code when

1. its window holds: start (``announced``, else ``effective``) <= as_of and its state as of that day
   (``Event.state``) is ``upcoming`` or ``in-effect``: ``paused`` and ``enjoined`` events are
   ``suspended``; ``lifted``, ``superseded`` and ``ended`` ones, or those past ``ends``, are ``ended``;
2. production evidence (``models.is_production``) reaches it: ``evidence.model_vendor`` in ``vendors``,
   or ``evidence.provider`` in ``providers`` (for an event with ``vendors``, a listed platform that is not
   one of them is reached only through those vendors' models);
3. with ``models``: a production model-id item (or its tail after any '/' or ':') full-matches a
   pattern; the item must itself reach the event or have no provider;
4. with ``packages``: a production dependency names the package, at an affected version when
   ``versions`` is given (a declared range that may overlap is a *possible* match);
5. with ``surfaces``: the code reaching it uses one of them (``api-call``, dependency and import
   evidence carry ``surface``). ``api`` and ``chat`` are any API use; ``consumer-app`` and
   ``subscription`` are never used by code; ``coding-agent`` and ``agent-sdk`` only by code that
   depends on or imports those packages;
6. with ``features``: the code reaching it uses one of them (``evidence.feature``).

Then the user's scopes (``Scopes``): an event with ``jurisdictions``, ``customer_types`` or
``ownership`` is a hit only when the user declared that key with an overlapping value (a declared
EU member state overlaps ``EU``); a key not declared makes the match *conditional*
(``MatchedEvent.conditional_on``); a declared key without overlap drops it. ``informational``
events are matched like the others but are never hits (``check.RiskCheck`` keeps them apart).

``risk_by_provider`` scores each provider reached by production evidence:
``sum(weight) * (1 + log2(1 + files))``, weight = critical 8, high 4, medium 2, low 1, halved for
``confidence: reported``; ``files`` = distinct files with production evidence for that provider.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from provider_audit._compat import canonicalize_name, safe_load_yaml
from provider_audit.data.catalog import ECOSYSTEMS, MODEL_FLAGS, load_catalog, model_pattern_keywords
from provider_audit.data.resources import in_rules_in_use, rules_dir
from provider_audit.data.safe_read import Confined, InputError, InputPath, is_folder, list_folder, read_text
from provider_audit.redact import printable
from provider_audit.data.validation import Shape, close_hint
from provider_audit.data.validation import regex_problem as _screen
from provider_audit.models import DECISIVE_CONTEXTS, Evidence, is_production, sorted_evidence
from provider_audit.risk.vocabulary import IMPACTS, SEVERITIES, Scopes

SCHEMA_VERSION = 2
SCHEMA_VERSIONS = (1, 2)
KINDS = ("access-restriction", "verification-requirement", "regional-block", "export-control",
         "government-ban", "deprecation", "pricing-change", "rate-limit", "terms-change",
         "regulatory-action", "outage", "legal-dispute")
STATUSES = ("announced", "scheduled", "in-effect", "paused", "enjoined", "lifted", "superseded", "ended")
V1_STATUSES = ("announced", "in-effect", "lifted", "reported")
SUSPENDED_STATUSES = ("paused", "enjoined")
ENDED_STATUSES = ("lifted", "superseded", "ended")
CONFIDENCES = ("verified", "reported")
SOURCE_TYPES = ("official", "press")
SEVERITY_WEIGHTS = {"critical": 8, "high": 4, "medium": 2, "low": 1}
STATES = ("upcoming", "in-effect", "suspended", "ended")
SURFACES = ("api", "chat", "completions", "assistants", "responses", "realtime", "batch", "fine-tuning", "files",
            "embeddings", "images", "audio", "moderation", "vector-stores", "evals", "prompts", "agent-builder",
            "consumer-app", "subscription", "coding-agent", "agent-sdk")
NON_API_SURFACES = ("consumer-app", "subscription", "coding-agent", "agent-sdk")  # never plain API code
ANY_API_SURFACES = ("api", "chat")  # any API use of the provider
FEATURES = ("streaming", "reasoning-summaries", "image-generation", "web-search", "file-search",
            "code-interpreter", "computer-use", "function-calling", "structured-outputs", "prompt-caching")
# Provider-specific features (``rules/features.yaml``, evidence of kind ``feature``) that are an API surface
# events can be scoped to: the feature catalog's detections (Python, JS/TS, Go, JVM) count too. The event
# feature a catalog entry is comes from the catalog itself (its ``category``, from the same vocabulary as
# ``FEATURES``), so a new catalog entry reaches events without a second list to keep in step.
CATALOG_SURFACES = {
    "openai-assistants": "assistants", "openai-vector-stores": "vector-stores", "openai-responses-state": "responses",
    "openai-batch": "batch", "openai-realtime": "realtime", "anthropic-message-batches": "batch",
    "anthropic-files-api": "files", "gemini-live": "realtime", "gemini-batch": "batch", "stored-embeddings": "embeddings",
}
SCOPE_KEYS = ("jurisdictions", "customer_types", "ownership")  # event keys; config keys are kebab-case
CONFIG_KEYS = {"jurisdictions": "jurisdictions", "customer_types": "customer-types", "ownership": "ownership"}
# Version 1 files have no impact: it follows the kind.
V1_IMPACT = {"deprecation": "breaking", "access-restriction": "breaking", "verification-requirement": "breaking",
             "regional-block": "breaking", "export-control": "breaking", "government-ban": "breaking",
             "pricing-change": "cost", "rate-limit": "capacity", "terms-change": "compliance",
             "regulatory-action": "compliance", "outage": "informational", "legal-dispute": "informational"}


def known_names(known_providers: Optional[Iterable[str]],
                known_vendors: Optional[Iterable[str]]) -> Tuple[FrozenSet[str], FrozenSet[str]]:
    """(provider ids, provider ids and model vendors) that rule files may name: those given, else the
    shipped catalog's (the one list of providers is ``rules/providers.yaml``)."""
    catalog = load_catalog() if known_providers is None or known_vendors is None else None
    known = frozenset(known_providers) if known_providers is not None else frozenset(catalog.providers)
    vendors = frozenset(known_vendors) if known_vendors is not None else catalog.vendor_ids()
    return known, known | vendors

_COMMON = ("id", "providers", "kind", "title", "summary", "announced", "effective", "status", "confidence",
           "severity", "mitigation", "sources")
_REQUIRED = {1: _COMMON, 2: _COMMON + ("impact", "status_as_of")}
_OPTIONAL = {1: ("vendors", "ends", "applies_to", "override"),
             2: ("vendors", "ends", "applies_to", "override", "history", "superseded_by", "checked")}
_APPLIES_KEYS = {1: ("models", "packages", "regions", "accounts"),
                 2: ("models", "packages", "surfaces", "features") + SCOPE_KEYS}
_PACKAGE_KEYS = ("ecosystem", "name", "versions")
_HISTORY_KEYS = ("date", "status", "note")
_SOURCE_KEYS = ("url", "type")
_DATE_KEYS = ("announced", "effective", "ends", "status_as_of", "checked")
_ID_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_COUNTRY_RE = re.compile(r"[A-Z]{2}")
_MAX_PATTERN = 200


def regex_problem(pattern: str) -> Optional[str]:
    """Why a model pattern is unacceptable (the shared screen, ``validation.regex_problem``)."""
    return _screen(pattern, max_length=_MAX_PATTERN)


class RulesError(Exception):
    """A rule file is unreadable or invalid; ``str()`` names the file, entry and key."""

    def __init__(self, file: object, entry_id: Optional[str], key: Optional[str], message: str,
                 index: Optional[int] = None) -> None:
        self.file, self.entry_id, self.key, self.message, self.index = str(file), entry_id, key, message, index
        super().__init__(str(self))

    def __str__(self) -> str:
        """One printable line: the file, the key and a quoted value may hold anything."""
        parts = [self.file]
        if self.entry_id is not None:
            parts.append(f"event '{self.entry_id}'")
        elif self.index is not None:
            parts.append(f"event #{self.index}")
        if self.key is not None:
            parts.append(f"key '{self.key}'")
        return printable(": ".join(parts + [self.message]))


@dataclass(frozen=True)
class PackageRule:
    ecosystem: str
    name: str
    versions: str = ""  # SpecifierSet text (pypi only); "" = any version


@dataclass(frozen=True)
class SourceRef:
    url: str
    type: str  # official | press


@dataclass(frozen=True)
class StatusChange:
    date: date
    status: str
    note: str = ""


@dataclass(frozen=True)
class Event:
    id: str
    providers: Tuple[str, ...]
    kind: str
    title: str
    summary: str
    announced: Optional[date]
    effective: Optional[date]
    status: str
    confidence: str
    severity: str
    mitigation: str
    sources: Tuple[str, ...]  # the URLs, in order (``references`` has their types)
    vendors: Tuple[str, ...] = ()
    ends: Optional[date] = None
    models: Tuple[str, ...] = ()
    packages: Tuple[PackageRule, ...] = ()
    impact: str = "breaking"
    status_as_of: Optional[date] = None
    history: Tuple[StatusChange, ...] = ()
    superseded_by: Optional[str] = None
    checked: Optional[date] = None
    references: Tuple[SourceRef, ...] = ()
    surfaces: Tuple[str, ...] = ()
    features: Tuple[str, ...] = ()
    jurisdictions: Tuple[str, ...] = ()
    customer_types: Tuple[str, ...] = ()
    ownership: Tuple[str, ...] = ()
    schema_version: int = SCHEMA_VERSION
    file: str = field(default="", compare=False)

    # v1 names, still read by callers that show them
    @property
    def regions(self) -> Tuple[str, ...]:
        return self.jurisdictions

    @property
    def accounts(self) -> Tuple[str, ...]:
        return self.customer_types

    @property
    def scoped(self) -> bool:
        """Whether the event is scoped to something only the user can declare."""
        return bool(self.jurisdictions or self.customer_types or self.ownership)

    @property
    def start(self) -> Optional[date]:
        """From when the event is known: its announcement, else its effective day. An event recorded
        as announced ahead of an effective day, with no announcement date captured, is known before it."""
        if self.announced or self.status in ("announced", "scheduled"):
            return self.announced
        return self.effective

    def status_on(self, as_of: date) -> str:
        """The status as of a day. The recorded status holds from the day it began: ``ends`` for a
        lifted/superseded/ended event, else the last ``history`` entry with that status, else always.
        Before that day, the latest history entry on or before it; else ``in-effect`` once effective."""
        # ``ends`` is the last day in effect
        since = self.ends + timedelta(days=1) if self.status in ENDED_STATUSES and self.ends else None
        if since is None:
            since = next((h.date for h in reversed(self.history) if h.status == self.status), None)
        if since is None or as_of >= since:
            return self.status
        prior = [h for h in self.history if h.date <= as_of]
        if prior:
            return prior[-1].status
        return "in-effect" if self.effective and self.effective <= as_of else "announced"

    def state(self, as_of: date) -> str:
        """``upcoming``, ``in-effect``, ``suspended`` (paused, enjoined) or ``ended`` as of a day."""
        status = self.status_on(as_of)
        if (self.ends and self.ends < as_of) or status in ENDED_STATUSES:
            return "ended"
        if status in SUSPENDED_STATUSES:
            return "suspended"
        if self.effective and self.effective > as_of:
            return "upcoming"
        if not self.effective and status in ("announced", "scheduled"):
            return "upcoming"
        return "in-effect"

    def weight(self) -> float:
        w = float(SEVERITY_WEIGHTS[self.severity])
        return w / 2 if self.confidence == "reported" else w


@dataclass(frozen=True)
class MatchedEvent:
    event: Event
    evidence: Tuple[Evidence, ...]
    reason: str
    state: str = "in-effect"  # upcoming | in-effect (| suspended | ended with include_ended), as of the match day
    possible: bool = False  # True when only a declared version range might be affected
    surfaces: Tuple[str, ...] = ()  # the event's surfaces the code uses
    features: Tuple[str, ...] = ()  # the event's features the code uses
    scopes: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()  # (scope key, the user's values it covers)
    conditional_on: Tuple[str, ...] = ()  # scope keys the user has not declared (config key names)

    @property
    def impact(self) -> str:
        return self.event.impact

    @property
    def hit(self) -> bool:
        """An item this team can act on: not informational, not waiting on an undeclared scope."""
        return self.event.impact != "informational" and not self.conditional_on

    @property
    def tied_to_lines(self) -> bool:
        """Whether the match rests on particular lines (models, packages, surfaces, features) rather than
        on every use of a provider."""
        e = self.event
        return bool(e.models or e.packages or e.features
                    or any(s not in ANY_API_SURFACES for s in e.surfaces))


class ProviderRisk(NamedTuple):
    provider: str
    score: float
    events: Tuple[MatchedEvent, ...]


@dataclass(frozen=True)
class Ignore:
    id: str
    reason: str
    until: Optional[date] = None

    def expired(self, as_of: date) -> bool:
        return self.until is not None and self.until < as_of


# ------------------------------------------------------------------ loading


def shipped_paths() -> List[Path]:
    """The shipped event files, in a stable order."""
    base = rules_dir()
    files = sorted((base / "events").glob("*.yaml")) if (base / "events").is_dir() else []
    single = base / "events.yaml"
    return files + ([single] if single.is_file() else [])


def load_events(paths: Optional[Sequence[InputPath]] = None, *, extra: Sequence[InputPath] = (),
                known_providers: Optional[Iterable[str]] = None,
                known_vendors: Optional[Iterable[str]] = None, screen: Optional[bool] = None) -> Tuple[Event, ...]:
    """Load and validate events from ``paths`` (None = shipped files), then the user files ``extra``.

    A directory stands for its ``*.yaml`` files. Each file is read by ``data/safe_read.py`` (a regular file,
    size-capped; a ``Confined`` path, named by the scanned repository, only inside it and through no
    link). Ids must be unique unless a later entry says
    ``override: true``, which replaces the named fields of the earlier event. ``vendors`` may name
    any known provider or known vendor. ``superseded_by`` must name a loaded event. ``screen``: whether
    model patterns go through the regex screen; None screens every file but those of the rules in use
    (``in_use``), True every file (``rules validate``, a bundle being checked).
    """
    known, vendors = known_names(known_providers, known_vendors)
    files: List[InputPath] = []
    for p in list(shipped_paths() if paths is None else paths) + list(extra):
        files.extend(_rule_files(p))
    seen: Dict[str, Tuple[dict, Path, Event, int]] = {}
    for path in files:
        version, entries = _read_entries(path)
        screened = screen if screen is not None else not in_use(path)
        for index, entry in enumerate(entries):
            eid = entry.get("id") if isinstance(entry.get("id"), str) else None
            if entry.get("override") is True and eid is not None:
                if eid not in seen:
                    raise RulesError(path, eid, "override", "no earlier event with this id to override", index)
                base, base_version = seen[eid][0], seen[eid][2].schema_version
                changes = {k: v for k, v in entry.items() if k != "override"}
                if base_version != version:  # one file of each version: merge in version 2 terms
                    base = upgrade_v1(base) if base_version == 1 else base
                    changes = upgrade_v1(changes, partial=True) if version == 1 else changes
                    version = 2
                entry = {**base, **changes}
            elif eid is not None and eid in seen:
                raise RulesError(path, eid, "id", f"duplicate id (first defined in {seen[eid][1]}); "
                                 "use 'override: true' in a later file to replace it", index)
            event = _build(entry, path, index, known, vendors, version, screened)
            seen[event.id] = (entry, path, event, index)
    for _, path, event, index in seen.values():
        if event.superseded_by is not None and event.superseded_by not in seen:
            raise RulesError(path, event.id, "superseded_by", f"no event '{event.superseded_by}'"
                             f"{close_hint(event.superseded_by, seen)}", index)
    return tuple(event for _, _, event, _ in seen.values())


def upgrade_v1(entry: dict, partial: bool = False) -> dict:
    """A version 1 event entry (or, ``partial``, some of its keys) in version 2 terms: ``reported`` is
    ``in-effect``, plain sources are press, ``regions``/``accounts`` are ``jurisdictions``/
    ``customer_types``, the impact follows the kind (``V1_IMPACT``). Invalid values pass through, for
    the version 2 checks to name."""
    out = dict(entry)
    if out.get("status") == "reported":
        out["status"] = "in-effect"
    if isinstance(out.get("sources"), list):
        out["sources"] = [{"url": s, "type": "press"} if isinstance(s, str) else s for s in out["sources"]]
    if isinstance(out.get("applies_to"), dict):
        applies = dict(out["applies_to"])
        for old, new in (("regions", "jurisdictions"), ("accounts", "customer_types")):
            if old in applies:
                applies[new] = applies.pop(old)
        out["applies_to"] = applies
    if not partial:
        out.setdefault("impact", V1_IMPACT.get(out.get("kind"), "breaking"))  # type: ignore[arg-type]
        out.setdefault("status_as_of", None)
    return out


BAD_DATE = object()  # what ``read_yaml`` returns for a file holding an impossible date


def _rule_files(path: InputPath) -> List[InputPath]:
    """``path``, or the ``*.yaml`` files of the folder it names."""
    if isinstance(path, Confined):
        if not is_folder(path):
            return [path]
        try:
            return list(list_folder(path, ".yaml"))
        except InputError as exc:
            raise RulesError(path, None, None, str(exc)) from None
    path = Path(path)
    return sorted(path.glob("*.yaml")) if is_folder(path) else [path]


def in_use(path: InputPath) -> bool:
    """Whether a rules file is one of the rules in use (``resources.in_rules_in_use``): checked before,
    so it is parsed with libyaml and its regexes are not screened again. A repository's file never is."""
    return not isinstance(path, Confined) and in_rules_in_use(Path(path))


def read_yaml(path: InputPath, error: Any) -> Any:
    """A rules file's data (``safe_read``: a regular file, size-capped, a repository's path confined;
    the safe loader, no anchors or aliases); ``error(message)`` makes the loader's exception. Shared by
    the event and lifecycle loaders."""
    try:
        text = read_text(path)
    except InputError as exc:
        raise error(f"cannot read: {exc}") from None
    try:
        return safe_load_yaml(text, shipped=in_use(path)), text
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise error(f"invalid YAML: {where}{problem}") from None
    except ValueError:  # a date-like scalar that is not a real date, e.g. 2025-13-01
        return BAD_DATE, text
    except RecursionError:
        raise error("invalid YAML: nested too deeply") from None


def _read_entries(path: Path) -> Tuple[int, List[dict]]:
    data, text = read_yaml(path, lambda message: RulesError(path, None, None, message))
    if data is BAD_DATE:
        _raise_bad_date(path, text)
    if not isinstance(data, dict):
        raise RulesError(path, None, None, "top level must be a mapping with 'schema_version' and 'events'")
    _unknown_keys(data, ("schema_version", "events"), path, None, None, "")
    version = data.get("schema_version")
    if version not in SCHEMA_VERSIONS or isinstance(version, bool):
        raise RulesError(path, None, "schema_version", f"must be {' or '.join(map(str, SCHEMA_VERSIONS))}")
    entries = data.get("events")
    if not isinstance(entries, list):
        raise RulesError(path, None, "events", "must be a list of events")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise RulesError(path, None, None, "each event must be a mapping", index)
    return version, entries


def _raise_bad_date(path: Path, text: str) -> None:
    """Find the entry and key holding an impossible date (read as plain strings) and report it."""
    data = yaml.load(text, Loader=yaml.BaseLoader)  # strings only: safe, constructs nothing
    entries = data.get("events") if isinstance(data, dict) else None
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict):
            continue
        history = entry.get("history") if isinstance(entry.get("history"), list) else []
        values = [(key, entry.get(key)) for key in _DATE_KEYS]
        values += [(f"history[{i}].date", h.get("date")) for i, h in enumerate(history) if isinstance(h, dict)]
        for key, value in values:
            if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d?-\d\d?", value):
                try:
                    date(*map(int, value.split("-")))
                except ValueError:
                    eid = entry.get("id") if isinstance(entry.get("id"), str) else None
                    raise RulesError(path, eid, key, f"'{value}' is not a valid date", index) from None
    raise RulesError(path, None, None, "invalid date value")


def _unknown_keys(data: dict, allowed: Sequence[str], path: Path, eid: Optional[str],
                  index: Optional[int], prefix: str) -> None:
    for key in data:
        if key not in allowed:
            hint = close_hint(key, allowed) or f"; allowed: {', '.join(allowed)}"
            raise RulesError(path, eid, f"{prefix}{key}", f"unknown key{hint}", index)


def _build(entry: dict, path: Path, index: int, known: frozenset, known_vendors: frozenset, version: int,
           screen: bool = True) -> Event:
    eid = entry.get("id") if isinstance(entry.get("id"), str) else None

    def fail(key: str, message: str) -> RulesError:
        return RulesError(path, eid, key, message, index)

    shape = Shape(fail, screen)
    _unknown_keys(entry, _REQUIRED[version] + _OPTIONAL[version], path, eid, index, "")
    for key in _REQUIRED[version]:
        if key not in entry:
            raise fail(key, "missing required key")
    if eid is None or not _ID_RE.fullmatch(eid):
        raise fail("id", "must be a kebab-case string (a-z, 0-9, '-')")

    def ids(key: str, allowed: frozenset) -> Tuple[str, ...]:
        value = entry.get(key, [])
        required = key == "providers"
        if not isinstance(value, list) or (required and not value):
            raise fail(key, "must be a non-empty list of provider ids" if required else "must be a list of ids")
        return shape.members(value, allowed, key, "provider id" if required else "vendor id")

    references = _sources(entry["sources"], shape, version)
    if "override" in entry:
        shape.boolean(entry["override"], "override")
    announced, effective, ends = shape.day(entry["announced"], "announced"), \
        shape.day(entry["effective"], "effective"), shape.day(entry.get("ends"), "ends")
    start = effective or announced
    if ends and start and ends < start:
        raise fail("ends", f"{ends} is before the event starts ({start})")
    kind = shape.choice(entry["kind"], KINDS, "kind")
    confidence = shape.choice(entry["confidence"], CONFIDENCES, "confidence")
    if version == 1:
        status = shape.choice(entry["status"], V1_STATUSES, "status")
        status = "in-effect" if status == "reported" else status
        impact = V1_IMPACT[kind]
        history: Tuple[StatusChange, ...] = ()
        superseded_by = status_as_of = checked = None
    else:
        status = shape.choice(entry["status"], STATUSES, "status")
        impact = shape.choice(entry["impact"], IMPACTS, "impact")
        status_as_of = shape.day(entry["status_as_of"], "status_as_of")
        checked = shape.day(entry.get("checked"), "checked")
        history = _history(entry.get("history"), shape)
        superseded_by = entry.get("superseded_by")
        if superseded_by is not None and (not isinstance(superseded_by, str) or not _ID_RE.fullmatch(superseded_by)):
            raise fail("superseded_by", "must be the id of another event, or null")
        if superseded_by == eid:
            raise fail("superseded_by", "an event cannot supersede itself")
        if confidence == "verified" and not any(r.type == "official" for r in references):
            raise fail("confidence", "'verified' needs at least one source of type official "
                       "(the vendor's page, a government publication or a court record); else say 'reported'")
    applies = _applies_to(entry.get("applies_to"), shape, path, eid, index, version)
    return Event(
        id=eid, providers=ids("providers", known), kind=kind, title=shape.text(entry["title"], "title"),
        summary=shape.text(entry["summary"], "summary"), announced=announced, effective=effective,
        status=status, confidence=confidence, severity=shape.choice(entry["severity"], SEVERITIES, "severity"),
        mitigation=shape.text(entry["mitigation"], "mitigation"), sources=tuple(r.url for r in references),
        vendors=ids("vendors", known_vendors), ends=ends, impact=impact, status_as_of=status_as_of,
        history=history, superseded_by=superseded_by, checked=checked, references=references,
        schema_version=version, file=printable(str(path)), **applies)


def _sources(value: Any, shape: Shape, version: int) -> Tuple[SourceRef, ...]:
    if not isinstance(value, list) or not value:
        raise shape.fail("sources", "must be a non-empty list of URLs" if version == 1
                         else "must be a non-empty list of {url, type}")
    out = []
    for i, item in enumerate(value):
        if version == 1:
            out.append(SourceRef(shape.url(item, "sources"), "press"))
            continue
        key = f"sources[{i}]"
        if not isinstance(item, dict):
            raise shape.fail(key, "must be a mapping {url, type: official | press}")
        shape.keys(item, _SOURCE_KEYS, _SOURCE_KEYS, key + ".")
        out.append(SourceRef(shape.url(item["url"], key + ".url"),
                             shape.choice(item["type"], SOURCE_TYPES, key + ".type")))
    return tuple(out)


def _history(value: Any, shape: Shape) -> Tuple[StatusChange, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise shape.fail("history", "must be a list of {date, status, note}")
    out: List[StatusChange] = []
    for i, item in enumerate(value):
        key = f"history[{i}]"
        shape.keys(item, _HISTORY_KEYS, ("date", "status"), key + ".")
        day = shape.day(item["date"], key + ".date")
        if day is None:
            raise shape.fail(key + ".date", "must be a date")
        if out and day < out[-1].date:
            raise shape.fail(key + ".date", "history must be oldest first")
        note = item.get("note")
        out.append(StatusChange(day, shape.choice(item["status"], STATUSES, key + ".status"),
                                "" if note is None else shape.text(note, key + ".note")))
    return tuple(out)


def _applies_to(value: Any, shape: Shape, path: Path, eid: str, index: int, version: int) -> Dict[str, Any]:
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise shape.fail("applies_to", "must be a mapping")
    _unknown_keys(value, _APPLIES_KEYS[version], path, eid, index, "applies_to.")

    def strings(key: str) -> Tuple[str, ...]:
        return shape.strings(value.get(key, []), f"applies_to.{key}")

    models = strings("models")
    for i, pattern in enumerate(models):
        shape.pattern(pattern, f"applies_to.models[{i}]", max_length=_MAX_PATTERN)
    raw_packages = value.get("packages", [])
    if not isinstance(raw_packages, list):
        raise shape.fail("applies_to.packages", "must be a list of {ecosystem, name, versions}")
    packages = []
    for i, pkg in enumerate(raw_packages):
        key = f"applies_to.packages[{i}]"
        if not isinstance(pkg, dict):
            raise shape.fail(key, "must be a mapping with ecosystem, name and optional versions")
        _unknown_keys(pkg, _PACKAGE_KEYS, path, eid, index, key + ".")
        eco, name, versions = pkg.get("ecosystem"), pkg.get("name"), pkg.get("versions") or ""
        if eco not in ECOSYSTEMS:
            raise shape.fail(key + ".ecosystem", f"'{eco}' is not one of: {', '.join(ECOSYSTEMS)}")
        shape.text(name, key + ".name")
        if not isinstance(versions, str):
            raise shape.fail(key + ".versions", "must be a version specifier string")
        if versions:
            if eco != "pypi":
                raise shape.fail(key + ".versions", "version ranges are supported for pypi only")
            try:
                SpecifierSet(versions)
            except InvalidSpecifier:
                raise shape.fail(key + ".versions", f"'{versions}' is not a valid version specifier") from None
        packages.append(PackageRule(eco, printable(name), versions))
    out: Dict[str, Any] = {"models": models, "packages": tuple(packages)}
    if version == 1:  # display-only in v1; scopes now
        out["jurisdictions"] = tuple(v.upper() for v in strings("regions"))
        out["customer_types"] = tuple(v.lower() for v in strings("accounts"))
        return out
    out["surfaces"] = shape.members(value.get("surfaces", []), SURFACES, "applies_to.surfaces", "surface")
    out["features"] = shape.members(value.get("features", []), FEATURES, "applies_to.features", "feature")
    for key in ("jurisdictions", "ownership"):
        items = strings(key)
        for item in items:
            if not (_COUNTRY_RE.fullmatch(item) or (key == "jurisdictions" and item == "EU")):
                raise shape.fail(f"applies_to.{key}", f"'{item}' is not an ISO 3166 country code in capitals"
                                 + (" or EU" if key == "jurisdictions" else ""))
        out[key] = items
    customer_types = strings("customer_types")
    for item in customer_types:
        if not _ID_RE.fullmatch(item):
            raise shape.fail("applies_to.customer_types", f"'{item}' is not a kebab-case id")
    out["customer_types"] = customer_types
    return out


def parse_ignores(raw: Any, source: object = "config") -> Tuple[Ignore, ...]:
    """Validate a list of ``{id, reason, until?}`` mappings (e.g. from project config)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise RulesError(source, None, "ignore", "must be a list of {id, reason, until}")
    out = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise RulesError(source, None, None, "each ignore must be a mapping", index)
        eid = item.get("id") if isinstance(item.get("id"), str) else None
        _unknown_keys(item, ("id", "reason", "until"), Path(str(source)), eid, index, "")
        if eid is None or not _ID_RE.fullmatch(eid):
            raise RulesError(source, eid, "id", "must be a kebab-case event id", index)
        reason = item.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise RulesError(source, eid, "reason", "must say why the event is ignored", index)
        until = item.get("until")
        if isinstance(until, str):
            try:
                until = date.fromisoformat(until)
            except ValueError:
                raise RulesError(source, eid, "until", f"'{until}' is not an ISO date", index) from None
        if until is not None and (not isinstance(until, date) or isinstance(until, datetime)):
            raise RulesError(source, eid, "until", f"'{until}' is not an ISO date", index)
        out.append(Ignore(eid, printable(" ".join(reason.split())), until))
    return tuple(out)


def apply_ignores(events: Sequence[Event], ignores: Sequence[Ignore], as_of: date
                  ) -> Tuple[Tuple[Event, ...], Tuple[Tuple[Event, Ignore], ...]]:
    """Split events into (kept, silenced); an ignore past its ``until`` day silences nothing."""
    active = {i.id: i for i in ignores if not i.expired(as_of)}
    kept = tuple(e for e in events if e.id not in active)
    silenced = tuple((e, active[e.id]) for e in events if e.id in active)
    return kept, silenced


def ignore_warnings(events: Sequence[Event], ignores: Sequence[Ignore], as_of: date) -> List[str]:
    """One line per expired ignore or ignore naming no known event."""
    ids = {e.id for e in events}
    out = []
    for i in ignores:
        if i.id not in ids:
            out.append(f"ignore for unknown event '{i.id}'")
        elif i.expired(as_of):
            out.append(f"ignore for event '{i.id}' expired on {i.until.isoformat()}; the event is reported again")
    return out


# ------------------------------------------------------------------ matching


def _norm(ecosystem: str, name: str) -> str:
    if ecosystem == "pypi":
        return canonicalize_name(name)
    if ecosystem == "crates":
        return name.lower().replace("_", "-")
    return name if ecosystem == "go" else name.lower()


def _reaches(ev: Evidence, event: Event) -> bool:
    return _reaches_group(ev.provider, ev.model_vendor, event)


def _reaches_group(provider: Optional[str], vendor: Optional[str], event: Event) -> bool:
    """Whether evidence for ``provider`` with a model of ``vendor`` reaches an event. An event about a
    vendor's models (``vendors``) reaches the platforms it lists only through that vendor's models: Claude
    terms listing Vertex AI do not concern Gemini on Vertex AI."""
    if vendor is not None and vendor in event.vendors:
        return True
    if provider not in event.providers:
        return False
    return not event.vendors or provider in event.vendors


def _model_names(model: str) -> List[str]:
    """The model id and each tail after a '/' or ':' ("anthropic/claude-2.1" -> "claude-2.1")."""
    return [model] + [model[m.end():] for m in _SEPARATOR.finditer(model) if m.end() < len(model)]


_SEPARATOR = re.compile("[/:]")


def _models_hit(event: Event, models: Dict[str, List[str]], index: Dict[str, Set[str]]) -> Set[str]:
    """Those of the distinct model ids (each with its ``_model_names``) that an event's pattern names.
    ``index``: the ids by the first ``_HEAD`` characters of each name, lower-cased (``_model_index``):
    only those whose names start as one of the patterns' literal prefixes are tried."""
    if not event.models:
        return set()
    fullmatch = _any_of(event.models)
    heads = _heads(event.models)
    candidates = models if heads is None else {model for head in heads for model in index.get(head, ())}
    return {model for model in candidates if any(map(fullmatch, models[model]))}


_HEAD = 2


def _model_index(models: Dict[str, List[str]]) -> Dict[str, Set[str]]:
    index: Dict[str, Set[str]] = {}
    for model, names in models.items():
        for name in names:
            index.setdefault(name[:_HEAD].lower(), set()).add(model)
    return index


@lru_cache(maxsize=1024)
def _heads(patterns: Tuple[str, ...]) -> Optional[FrozenSet[str]]:
    """The first ``_HEAD`` characters (lower case) that every match of one of ``patterns`` starts with, or
    None when a pattern has no literal prefix that long. (The patterns ignore the case of ASCII letters
    only, ``MODEL_FLAGS``: a name that matches starts with one of these, lower-cased.)"""
    heads = set()
    for pattern in patterns:
        prefixes = model_pattern_keywords(pattern)
        if not prefixes or any(len(prefix) < _HEAD for prefix in prefixes):
            return None
        heads.update(prefix[:_HEAD] for prefix in prefixes)
    return frozenset(heads)


def prepare(events: Sequence[Event]) -> None:
    """Compile now the model patterns matching will use (``_any_of`` keeps them): a scan does it while
    its workers read files, instead of after."""
    for event in events:
        if event.models:
            _any_of(event.models)
            _heads(event.models)


# Back-references, inline flags, named groups, conditional groups: what a union of patterns would change.
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?[a-zA-Z]|\(\?\(")


@lru_cache(maxsize=1024)
def _any_of(patterns: Tuple[str, ...]) -> Callable[[str], Any]:
    """A test of whether any of ``patterns`` fully matches a name (``MODEL_FLAGS``: the case of ASCII
    letters ignored, as the catalog's model patterns ignore it): one regex for
    them all, so a name costs one match instead of one per pattern. Patterns with back-references,
    conditional groups (``(?(1)a|b)``), named groups or inline flags (whose meaning a union would
    change: group numbers shift) are tried one by one."""
    if len(patterns) == 1:
        return re.compile(patterns[0], MODEL_FLAGS).fullmatch
    if any(_GROUP_REFERENCE.search(p) for p in patterns):
        compiled = [re.compile(p, MODEL_FLAGS).fullmatch for p in patterns]
        return lambda name: any(match(name) for match in compiled)
    return re.compile("|".join(f"(?:{p})" for p in patterns), MODEL_FLAGS).fullmatch


def _package_hit(rule: PackageRule, ev: Evidence) -> Optional[str]:
    """'yes', 'possible' or None for one dependency item against one package rule."""
    eco = ev.ecosystem
    if eco is not None and eco != rule.ecosystem:
        return None
    if _norm(rule.ecosystem, ev.detail) != _norm(rule.ecosystem, rule.name):
        return None
    if not rule.versions:
        return "yes"
    spec = SpecifierSet(rule.versions)
    if ev.version:
        try:
            return "yes" if spec.contains(Version(ev.version), prereleases=True) else None
        except InvalidVersion:
            pass
    return "possible" if _may_overlap(spec, ev.specifier) else None


_CARET = re.compile(r"\s*([\^~])\s*(\d+(?:\.\d+){0,2})\s*")


def _pep440(declared: str) -> str:
    """Poetry's ``^1.2`` / ``~1.2`` as a PEP 440 range (``>=1.2,<2``, ``>=1.2,<1.3``); anything else as is."""
    found = _CARET.fullmatch(declared)
    if not found:
        return declared
    op, text = found.groups()
    parts = [int(p) for p in text.split(".")]
    if op == "^":
        first = next((i for i, p in enumerate(parts) if p), len(parts) - 1)
        upper = parts[:first] + [parts[first] + 1]
    else:
        upper = [parts[0] + 1] if len(parts) == 1 else [parts[0], parts[1] + 1]
    return f">={text},<{'.'.join(map(str, upper))}"


def _may_overlap(affected: SpecifierSet, declared: str) -> bool:
    """Whether a declared range may allow an affected version (True when it cannot be ruled out).

    Heuristic: probe the versions named by either specifier, just above and just below them; the
    declared range is excluded only when no probe satisfies both.
    """
    if not declared.strip():
        return True
    try:
        spec = SpecifierSet(_pep440(declared))
    except InvalidSpecifier:
        return True  # e.g. npm-style ranges: cannot exclude
    probes = {Version("0"), Version("99999")}
    for s in list(spec) + list(affected):
        try:
            v = Version(s.version.rstrip(".*"))
        except InvalidVersion:
            return True
        rel = v.release
        probes.add(v)
        probes.add(Version(".".join(map(str, rel + (0, 1)))))
        for i, part in enumerate(rel):
            if part > 0:
                probes.add(Version(".".join(map(str, rel[:i] + (part - 1, 99999)))))
    return any(spec.contains(p, prereleases=True) and affected.contains(p, prereleases=True) for p in probes)


def _in_window(event: Event, as_of: date, include_ended: bool) -> bool:
    if event.start and event.start > as_of:
        return False
    return include_ended or event.state(as_of) in ("upcoming", "in-effect")


def place_calls(evidence: Sequence[Evidence]) -> List[Evidence]:
    """API-call evidence that names no provider (a bare ``/v1/assistants`` path, a call on a client
    passed in from elsewhere) goes to the providers the same file's clients, imports and dependencies
    reach, else to the one provider the repository's clients reach; else it stays unplaced."""
    by_file: Dict[str, Set[str]] = {}
    clients: Set[str] = set()
    for e in evidence:
        if e.provider and e.kind in ("client", "import", "dependency"):
            by_file.setdefault(e.path, set()).add(e.provider)
            if e.kind == "client":
                clients.add(e.provider)
    out: List[Evidence] = []
    for e in evidence:
        if e.kind == "api-call" and e.provider is None:
            targets = by_file.get(e.path) or (clients if len(clients) == 1 else set())
            out.extend(e.but(provider=p) for p in sorted(targets))
            if not targets:
                out.append(e)
        else:
            out.append(e)
    return out


def match_events(events: Sequence[Event], evidence: Sequence[Evidence], as_of: date,
                 decisive_contexts: Sequence[str] = DECISIVE_CONTEXTS, *,
                 include_ended: bool = False, scopes: Optional[Scopes] = None) -> List[MatchedEvent]:
    """The events that apply to this code as of a day, most impact first (then severity, newest, id).

    Scoped events the user's ``scopes`` rule out are left out; those scoped to a key the user has not
    declared carry ``conditional_on``. ``include_ended=True`` also returns events that were suspended
    or ended as of ``as_of`` (history).
    """
    if not events:
        return []
    scopes = scopes or Scopes()
    prod = place_calls([e for e in evidence if is_production(e, decisive_contexts)])
    model_items = [e for e in prod if e.kind == "model-id" and e.model]
    models = {e.model: _model_names(e.model) for e in model_items}
    index = _model_index(models)
    groups: Dict[Tuple[Optional[str], Optional[str]], List[Evidence]] = {}  # (provider, vendor) -> items
    for e in prod:
        groups.setdefault((e.provider, e.model_vendor), []).append(e)
    out = []
    for event in events:
        if not _in_window(event, as_of, include_ended):
            continue
        reach = [e for (provider, vendor), items in groups.items() if _reaches_group(provider, vendor, event)
                 for e in items]
        if not reach:
            continue
        found = _code_match(event, reach, model_items, models, prod, index)
        if found is None:
            continue
        listed, reasons, possible, surfaces, features = found
        in_scope = _scope_match(event, scopes)
        if in_scope is None:
            continue
        matched_scopes, conditional = in_scope
        if not listed:
            listed = reach
            via = sorted({e.provider or e.model_vendor or "" for e in reach} - {""})
            files = len({e.path for e in reach})
            reasons.append(f"production code reaches {', '.join(via)} ({files} file{'s' if files != 1 else ''})")
        for key, values in matched_scopes:
            reasons.append(f"{CONFIG_KEYS[key]} includes {', '.join(values)}")
        items = tuple(sorted_evidence(listed))
        out.append(MatchedEvent(event, items, "; ".join(reasons), event.state(as_of), possible, surfaces, features,
                                matched_scopes, conditional))
    out.sort(key=lambda m: (IMPACTS.index(m.event.impact), SEVERITIES.index(m.event.severity),
                            -(m.event.effective or m.event.start or date.min).toordinal(), m.event.id))
    return out


_CATEGORIES: List[Dict[str, str]] = []


def _catalog_categories() -> Dict[str, str]:
    """Feature catalog id -> its category, where the category is an event feature; loaded once."""
    if not _CATEGORIES:
        from provider_audit.data.features import load_features

        _CATEGORIES.append({f.id: f.category for f in load_features().features.values() if f.category in FEATURES})
    return _CATEGORIES[0]


def surface_of(e: Evidence) -> Optional[str]:
    """The API surface a piece of evidence shows: its ``surface`` (api-call, agent packages), or for a
    provider-specific feature use, the surface that feature is (``CATALOG_SURFACES``)."""
    if e.kind == "feature":
        return CATALOG_SURFACES.get(e.feature or "")
    return e.surface


def feature_of(e: Evidence) -> Optional[str]:
    """The event feature (``FEATURES``) a piece of evidence shows: an api-call's ``feature``, or for a
    provider-specific feature use, its category in the feature catalog (``rules/features.yaml``)."""
    if e.kind == "feature":
        return _catalog_categories().get(e.feature or "")
    return e.feature if e.kind == "api-call" else None


def _code_match(event: Event, reach: List[Evidence], model_items: List[Evidence], models: Dict[str, List[str]],
                prod: List[Evidence], index: Optional[Dict[str, Set[str]]] = None):
    """What of the code an event's ``models``, ``packages``, ``surfaces`` and ``features`` name (each given
    key must name something): (listed evidence, reasons, possible, surfaces used, features used), or None."""
    listed: List[Evidence] = []
    reasons: List[str] = []
    possible = False
    if event.models:
        named = _models_hit(event, models, _model_index(models) if index is None else index)
        hits = [e for e in model_items if e.model in named and (e.provider is None or _reaches(e, event))]
        if not hits:
            return None
        listed += hits
        reasons.append("names " + ", ".join(sorted({e.model for e in hits if e.model})))
    if event.packages:
        pkg_hits = _package_hits(event, [e for e in prod if e.kind == "dependency"])
        if not pkg_hits:
            return None
        if all(h == "possible" for _, _, h in pkg_hits):
            possible = True
        listed += [e for e, _, _ in pkg_hits]
        reasons.append("depends on " + ", ".join(sorted({_describe_dep(e, r, h) for e, r, h in pkg_hits})))
    surfaces: Tuple[str, ...] = ()
    if event.surfaces:
        used = []
        for surface in event.surfaces:
            if surface in ANY_API_SURFACES:
                if any(surface_of(e) not in NON_API_SURFACES for e in reach):
                    used.append(surface)
                continue
            found = [e for e in reach if surface_of(e) == surface]
            if found:
                used.append(surface)
                listed += found
        if not used:
            return None
        surfaces = tuple(used)
        reasons.append("uses " + ", ".join(surfaces))
    features: Tuple[str, ...] = ()
    if event.features:
        found = [e for e in reach if feature_of(e) in event.features]
        if not found:
            return None
        features = tuple(f for f in event.features if any(feature_of(e) == f for e in found))
        listed += found
        reasons.append("uses " + ", ".join(features))
    return listed, reasons, possible, surfaces, features


def _scope_match(event: Event, scopes: Scopes):
    """(matched scopes, undeclared config keys), or None when a declared scope rules the event out."""
    matched: List[Tuple[str, Tuple[str, ...]]] = []
    conditional: List[str] = []
    for key in SCOPE_KEYS:
        wanted = getattr(event, key)
        if not wanted:
            continue
        if scopes.declared(key) is None:
            conditional.append(CONFIG_KEYS[key])
            continue
        got = scopes.overlap(key, wanted)
        if not got:
            return None
        matched.append((key, got))
    return tuple(matched), tuple(conditional)


def _package_hits(event: Event, deps: Sequence[Evidence]) -> List[Tuple[Evidence, PackageRule, str]]:
    """Dependency items hit by the event's package rules. Where any item of a package has an exact
    version (a lockfile or a pin), exact versions decide and bare ranges for it are ignored."""
    out = []
    for rule in event.packages:
        named = [e for e in deps if _package_hit(PackageRule(rule.ecosystem, rule.name), e)]
        exact = [e for e in named if _valid_version(e.version)]
        for e in (exact if exact and rule.versions else named):
            hit = _package_hit(rule, e)
            if hit:
                out.append((e, rule, hit))
    return out


def _valid_version(text: Optional[str]) -> bool:
    try:
        return bool(text) and Version(text or "") is not None
    except InvalidVersion:
        return False


def _describe_dep(ev: Evidence, rule: PackageRule, hit: str) -> str:
    version = ev.version or ev.specifier or "any version"
    if not rule.versions:
        return f"{ev.detail} {version}".strip()
    if hit == "possible":
        return f"{ev.detail} {version} (may include affected {rule.versions})"
    return f"{ev.detail} {version} (affected: {rule.versions})"


def risk_by_provider(matched: Sequence[MatchedEvent], evidence: Sequence[Evidence],
                     decisive_contexts: Sequence[str] = DECISIVE_CONTEXTS) -> List[ProviderRisk]:
    """Rank providers by matched-event risk: score desc, then provider id.

    An event counts for each provider its listed evidence goes to (so a vendor-wide event counts for
    the cloud platform serving that vendor's model); evidence without a provider counts for the
    event's own providers that production evidence reaches. Providers without events are left out.
    """
    files: Dict[str, set] = {}
    for e in evidence:
        if e.provider and is_production(e, decisive_contexts):
            files.setdefault(e.provider, set()).add(e.path)
    per: Dict[str, List[MatchedEvent]] = {}
    for m in matched:
        hit = {e.provider for e in m.evidence if e.provider in files}
        if any(e.provider is None for e in m.evidence):
            hit |= {p for p in m.event.providers if p in files}
        for p in hit:
            per.setdefault(p, []).append(m)
    ranked = []
    for p, ms in per.items():
        score = sum(m.event.weight() for m in ms) * (1 + math.log2(1 + len(files[p])))
        ranked.append(ProviderRisk(p, round(score, 2), tuple(ms)))
    ranked.sort(key=lambda r: (-r.score, r.provider))
    return ranked
