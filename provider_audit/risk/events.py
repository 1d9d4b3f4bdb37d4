"""Provider-risk events: the rule schema, a strict loader, and the matching engine.

Rule files (``rules/events/*.yaml``; user files use the same format)::

    schema_version: 1
    events:
      - id: anthropic-2025-09-china-ownership-terms  # kebab-case, unique across all files
        providers: [anthropic, aws-bedrock, vertex-ai]  # API services hit (known provider ids)
        vendors: [anthropic]        # optional: model vendors hit wherever their models are served
        kind: terms-change          # see KINDS
        title: one line
        summary: 1-3 sentences
        announced: 2025-09-05       # ISO date or null (key required)
        effective: 2025-09-05       # ISO date or null (key required)
        ends: null                  # optional: when it was lifted or ended
        status: in-effect           # announced | in-effect | lifted | reported (state when researched)
        confidence: verified        # verified | reported
        severity: critical          # critical | high | medium | low
        applies_to:                 # optional narrowing
          models: ['claude-2\\.1']   # regexes, full match, case-insensitive, <= 200 chars
          packages:                 # dependency names; versions (SpecifierSet) for pypi only
            - {ecosystem: pypi, name: openai, versions: "<1.0"}
          regions: [CN, RU]         # informational
          accounts: [free-tier]     # informational
        mitigation: concrete step(s)
        sources: [https://...]      # one or more http(s) URLs
        override: true              # user files only: replace fields of an earlier event with this id

Matching (``match_events``): an event applies when

1. its window holds: start (``announced``, else ``effective``) <= as_of, and it has not ended
   (``ends`` < as_of, or ``status: lifted`` without ``ends``); an event with no dates has no window;
2. production evidence (context in ``decisive_contexts``, confidence not low) reaches it:
   ``evidence.provider`` in ``providers`` or ``evidence.model_vendor`` in ``vendors``;
3. with ``applies_to.models``: a production model-id item's ``model`` (or its tail after any '/' or
   ':', so "anthropic/claude-2.1" counts as "claude-2.1") full-matches a pattern; the item must itself
   reach the event or have no provider;
4. with ``applies_to.packages``: a production dependency item names the package (pypi names
   canonicalised; the ecosystem is read from the manifest's file name, unknown files match any) and
   its locked/pinned ``version`` is in ``versions``. Exact versions win: only when no item of that
   package has one does a declared ``specifier`` that may overlap ``versions`` (or none at all) make a
   *possible* match (``MatchedEvent.possible``); a range that cannot overlap does not match.

``risk_by_provider`` scores each provider reached by production evidence:
``sum(weight) * (1 + log2(1 + files))``, weight = critical 8, high 4, medium 2, low 1, halved for
``confidence: reported``; ``files`` = distinct files with production evidence for that provider.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple
from urllib.parse import urlparse

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from provider_audit.models import DECISIVE_CONTEXTS, Evidence, is_production, sorted_evidence
from provider_audit._compat import safe_load_yaml
from provider_audit.data.resources import rules_dir
from provider_audit.data.safe_read import Confined, InputError, InputPath, is_folder, list_folder, read_text
from provider_audit.redact import printable

try:  # the regex parser moved in 3.11; the old name warns there
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - Python < 3.11
    import sre_parse as _sre_parse  # type: ignore[no-redef]

SCHEMA_VERSION = 1
KINDS = ("access-restriction", "verification-requirement", "regional-block", "export-control",
         "government-ban", "deprecation", "pricing-change", "rate-limit", "terms-change",
         "regulatory-action", "outage", "legal-dispute")
STATUSES = ("announced", "in-effect", "lifted", "reported")
CONFIDENCES = ("verified", "reported")
SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_WEIGHTS = {"critical": 8, "high": 4, "medium": 2, "low": 1}
STATES = ("upcoming", "in-effect", "ended")
ECOSYSTEMS = ("pypi", "npm", "go", "maven", "crates", "nuget", "rubygems", "composer")
DEFAULT_PROVIDERS = frozenset((
    "openai", "anthropic", "google", "azure-openai", "aws-bedrock", "vertex-ai", "mistral", "cohere",
    "deepseek", "alibaba-qwen", "moonshot", "minimax", "zhipu", "xai", "groq", "together", "fireworks",
    "perplexity", "openrouter", "meta", "huggingface", "ollama", "vllm", "cerebras", "deepinfra"))
DEFAULT_VENDORS = DEFAULT_PROVIDERS | {"amazon", "ai21", "writer"}  # model vendors without an API of their own here

_REQUIRED = ("id", "providers", "kind", "title", "summary", "announced", "effective", "status",
             "confidence", "severity", "mitigation", "sources")
_OPTIONAL = ("vendors", "ends", "applies_to", "override")
_APPLIES_KEYS = ("models", "packages", "regions", "accounts")
_PACKAGE_KEYS = ("ecosystem", "name", "versions")
_ID_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_MAX_PATTERN = 200


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
    sources: Tuple[str, ...]
    vendors: Tuple[str, ...] = ()
    ends: Optional[date] = None
    models: Tuple[str, ...] = ()
    packages: Tuple[PackageRule, ...] = ()
    regions: Tuple[str, ...] = ()
    accounts: Tuple[str, ...] = ()
    file: str = field(default="", compare=False)

    @property
    def start(self) -> Optional[date]:
        """From when the event is known: its announcement, else its effective day. An event recorded
        as announced ahead of an effective day, with no announcement date captured, is known before it."""
        if self.announced or self.status == "announced":
            return self.announced
        return self.effective

    def state(self, as_of: date) -> str:
        """``upcoming``, ``in-effect`` or ``ended`` as of a day."""
        if (self.ends and self.ends < as_of) or (self.status == "lifted" and not self.ends):
            return "ended"
        if self.effective and self.effective > as_of:
            return "upcoming"
        if not self.effective and self.status == "announced":
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
    state: str = "in-effect"  # upcoming | in-effect | ended, as of the match day
    possible: bool = False  # True when only a declared version range might be affected


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
                known_vendors: Optional[Iterable[str]] = None) -> Tuple[Event, ...]:
    """Load and validate events from ``paths`` (None = shipped files), then the user files ``extra``.

    A directory stands for its ``*.yaml`` files. Each file is read by ``data/safe_read.py`` (a regular file,
    size-capped; a ``Confined`` path, named by the scanned repository, only inside it and through no
    link). Ids must be unique unless a later entry says
    ``override: true``, which replaces the named fields of the earlier event. ``vendors`` may name
    any known provider or known vendor.
    """
    known = frozenset(known_providers) if known_providers is not None else DEFAULT_PROVIDERS
    vendors = known | (frozenset(known_vendors) if known_vendors is not None else DEFAULT_VENDORS)
    files: List[InputPath] = []
    for p in list(shipped_paths() if paths is None else paths) + list(extra):
        files.extend(_rule_files(p))
    seen: Dict[str, Tuple[dict, Path, Event]] = {}
    for path in files:
        for index, entry in enumerate(_read_entries(path)):
            eid = entry.get("id") if isinstance(entry.get("id"), str) else None
            if entry.get("override") is True and eid is not None:
                if eid not in seen:
                    raise RulesError(path, eid, "override", "no earlier event with this id to override", index)
                entry = {**seen[eid][0], **{k: v for k, v in entry.items() if k != "override"}}
            elif eid is not None and eid in seen:
                raise RulesError(path, eid, "id", f"duplicate id (first defined in {seen[eid][1]}); "
                                 "use 'override: true' in a later file to replace it", index)
            event = _build(entry, path, index, known, vendors)
            seen[event.id] = (entry, path, event)
    return tuple(event for _, _, event in seen.values())


def _is_shipped(path: Path) -> bool:
    try:
        path.resolve().relative_to(rules_dir().resolve())
    except ValueError:
        return False
    return True


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


def _read_entries(path: InputPath) -> List[dict]:
    try:
        text = read_text(path)
    except InputError as exc:
        raise RulesError(path, None, None, str(exc)) from None
    try:
        data = safe_load_yaml(text, shipped=not isinstance(path, Confined) and _is_shipped(Path(path)))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RulesError(path, None, None, f"invalid YAML: {where}{problem}") from None
    except ValueError:  # a date-like scalar that is not a real date, e.g. 2025-13-01
        _raise_bad_date(path, text)
        raise
    except RecursionError:
        raise RulesError(path, None, None, "invalid YAML: nested too deeply") from None
    if not isinstance(data, dict):
        raise RulesError(path, None, None, "top level must be a mapping with 'schema_version' and 'events'")
    _unknown_keys(data, ("schema_version", "events"), path, None, None, "")
    if data.get("schema_version") != SCHEMA_VERSION:
        raise RulesError(path, None, "schema_version", f"must be {SCHEMA_VERSION}")
    entries = data.get("events")
    if not isinstance(entries, list):
        raise RulesError(path, None, "events", "must be a list of events")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise RulesError(path, None, None, "each event must be a mapping", index)
    return entries


def _raise_bad_date(path: Path, text: str) -> None:
    """Find the entry and key holding an impossible date (read as plain strings) and report it."""
    data = yaml.load(text, Loader=yaml.BaseLoader)  # strings only: safe, constructs nothing
    entries = data.get("events") if isinstance(data, dict) else None
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if not isinstance(entry, dict):
            continue
        for key in ("announced", "effective", "ends"):
            value = entry.get(key)
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
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; allowed: {', '.join(allowed)}"
            raise RulesError(path, eid, f"{prefix}{key}", f"unknown key{hint}", index)


def _build(entry: dict, path: Path, index: int, known: frozenset, known_vendors: frozenset) -> Event:
    eid = entry.get("id") if isinstance(entry.get("id"), str) else None

    def fail(key: str, message: str) -> RulesError:
        return RulesError(path, eid, key, message, index)

    _unknown_keys(entry, _REQUIRED + _OPTIONAL, path, eid, index, "")
    for key in _REQUIRED:
        if key not in entry:
            raise fail(key, "missing required key")
    if eid is None or not _ID_RE.fullmatch(eid):
        raise fail("id", "must be a kebab-case string (a-z, 0-9, '-')")

    def text(key: str) -> str:
        value = entry[key]
        if not isinstance(value, str) or not value.strip():
            raise fail(key, "must be a non-empty string")
        return printable(" ".join(value.split()))  # one line, no escape sequences, in every format

    def choice(key: str, allowed: Sequence[str]) -> str:
        value = entry[key]
        if value not in allowed:
            close = difflib.get_close_matches(str(value), allowed, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise fail(key, f"'{value}' is not one of: {', '.join(allowed)}{hint}")
        return value

    def day(key: str) -> Optional[date]:
        value = entry.get(key)
        if value is None:
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise fail(key, f"'{value}' is not an ISO date (YYYY-MM-DD) or null")

    def ids(key: str, allowed: frozenset) -> Tuple[str, ...]:
        value = entry.get(key, [])
        required = key == "providers"
        if not isinstance(value, list) or (required and not value):
            raise fail(key, "must be a non-empty list of provider ids" if required else "must be a list of ids")
        for item in value:
            if not isinstance(item, str) or item not in allowed:
                close = difflib.get_close_matches(str(item), sorted(allowed), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise fail(key, f"unknown {'provider' if required else 'vendor'} id '{item}'{hint}")
        return tuple(dict.fromkeys(value))

    sources = entry["sources"]
    if not isinstance(sources, list) or not sources:
        raise fail("sources", "must be a non-empty list of URLs")
    for url in sources:
        parsed = urlparse(url) if isinstance(url, str) else None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise fail("sources", f"'{url}' is not an http(s) URL")
    if "override" in entry and not isinstance(entry["override"], bool):
        raise fail("override", "must be true or false")

    announced, effective, ends = day("announced"), day("effective"), day("ends")
    start = effective or announced
    if ends and start and ends < start:
        raise fail("ends", f"{ends} is before the event starts ({start})")
    models, packages, regions, accounts = _applies_to(entry.get("applies_to"), fail, path, eid, index)
    return Event(
        id=eid, providers=ids("providers", known), kind=choice("kind", KINDS), title=text("title"),
        summary=text("summary"), announced=announced, effective=effective,
        status=choice("status", STATUSES), confidence=choice("confidence", CONFIDENCES),
        severity=choice("severity", SEVERITIES), mitigation=text("mitigation"),
        sources=tuple(map(printable, sources)), vendors=ids("vendors", known_vendors), ends=ends, models=models,
        packages=packages, regions=regions, accounts=accounts, file=printable(str(path)))


def _applies_to(value: Any, fail, path: Path, eid: str, index: int):
    if value is None:
        return (), (), (), ()
    if not isinstance(value, dict):
        raise fail("applies_to", "must be a mapping")
    _unknown_keys(value, _APPLIES_KEYS, path, eid, index, "applies_to.")

    def strings(key: str) -> Tuple[str, ...]:
        items = value.get(key, [])
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise fail(f"applies_to.{key}", "must be a list of non-empty strings")
        return tuple(map(printable, items))

    models = strings("models")
    for i, pattern in enumerate(models):
        problem = regex_problem(pattern)
        if problem:
            raise fail(f"applies_to.models[{i}]", problem)
    raw_packages = value.get("packages", [])
    if not isinstance(raw_packages, list):
        raise fail("applies_to.packages", "must be a list of {ecosystem, name, versions}")
    packages = []
    for i, pkg in enumerate(raw_packages):
        key = f"applies_to.packages[{i}]"
        if not isinstance(pkg, dict):
            raise fail(key, "must be a mapping with ecosystem, name and optional versions")
        _unknown_keys(pkg, _PACKAGE_KEYS, path, eid, index, key + ".")
        eco, name, versions = pkg.get("ecosystem"), pkg.get("name"), pkg.get("versions") or ""
        if eco not in ECOSYSTEMS:
            raise fail(key + ".ecosystem", f"'{eco}' is not one of: {', '.join(ECOSYSTEMS)}")
        if not isinstance(name, str) or not name.strip():
            raise fail(key + ".name", "must be a non-empty string")
        if not isinstance(versions, str):
            raise fail(key + ".versions", "must be a version specifier string")
        if versions:
            if eco != "pypi":
                raise fail(key + ".versions", "version ranges are supported for pypi only")
            try:
                SpecifierSet(versions)
            except InvalidSpecifier:
                raise fail(key + ".versions", f"'{versions}' is not a valid version specifier") from None
        packages.append(PackageRule(eco, printable(name), versions))
    return models, tuple(packages), strings("regions"), strings("accounts")


def regex_problem(pattern: str) -> Optional[str]:
    """Why a model pattern is unacceptable (too long, invalid, or prone to catastrophic backtracking)."""
    if len(pattern) > _MAX_PATTERN:
        return f"pattern longer than {_MAX_PATTERN} characters"
    try:
        re.compile(pattern, re.IGNORECASE)
        parsed = _sre_parse.parse(pattern, re.IGNORECASE)
    except (re.error, RecursionError) as exc:
        return f"invalid regex: {exc}"
    if _risky(parsed, False):
        return "regex may backtrack catastrophically (nested quantifier or ambiguous repeated alternation)"
    if _long_repeats(parsed) > _MAX_LONG_REPEATS:
        # ".*.*.*.*x" backtracks polynomially: n**4 steps on a 160-character model id is minutes.
        return (f"regex may backtrack catastrophically (more than {_MAX_LONG_REPEATS} unbounded or long "
                "repeats such as .*, +, {n,})")
    return None


_MAX_LONG_REPEATS = 2
_LONG_REPEAT = 16  # a repeat allowing more than this many matches counts as unbounded


_REPEATS = tuple(getattr(_sre_parse, n) for n in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                 if hasattr(_sre_parse, n))


def _children(op, av) -> list:
    """The nested sub-patterns of one parsed regex node."""
    if op in _REPEATS:
        return [av[2]]
    if op is _sre_parse.SUBPATTERN:
        return [av[-1]]
    if op is _sre_parse.BRANCH:
        return list(av[1])
    if isinstance(av, _sre_parse.SubPattern):  # atomic group
        return [av]
    if isinstance(av, tuple):  # assertions, conditional groups
        return [x for x in av if isinstance(x, _sre_parse.SubPattern)]
    return []


def _risky(items, in_repeat: bool) -> bool:
    """A repeat (even ``?``: ``(a?){30}a{30}``) inside a repeat with max > 1, or alternation with
    overlapping starts under one."""
    for op, av in items:
        many = op in _REPEATS and (av[1] is _sre_parse.MAXREPEAT or av[1] > 1)
        if op in _REPEATS and in_repeat:
            return True
        if op is _sre_parse.BRANCH and in_repeat:
            firsts = [_first(b) for b in av[1]]
            if any(a is None or b is None or a & b for i, a in enumerate(firsts) for b in firsts[i + 1:]):
                return True
        if any(_risky(sub, in_repeat or many) for sub in _children(op, av)):
            return True
    return False


def _long_repeats(items) -> int:
    """How many repeats allowing more than ``_LONG_REPEAT`` matches the pattern has, nested ones too."""
    count = 0
    for op, av in items:
        if op in _REPEATS and (av[1] is _sre_parse.MAXREPEAT or av[1] > _LONG_REPEAT):
            count += 1
        count += sum(_long_repeats(sub) for sub in _children(op, av))
    return count


def _first(items) -> Optional[frozenset]:
    """The literal characters a sequence can start with; None when unknown or possibly empty."""
    for op, av in items:
        if op is _sre_parse.LITERAL:
            return frozenset((chr(av).lower(),))
        if op is _sre_parse.SUBPATTERN:
            return _first(av[-1])
        return None
    return None


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
    return ev.provider in event.providers or (ev.model_vendor is not None and ev.model_vendor in event.vendors)


def _model_names(model: str) -> List[str]:
    """The model id and each tail after a '/' or ':' ("anthropic/claude-2.1" -> "claude-2.1")."""
    return [model] + [model[m.end():] for m in _SEPARATOR.finditer(model) if m.end() < len(model)]


_SEPARATOR = re.compile("[/:]")


def _models_hit(event: Event, models: Dict[str, List[str]]) -> Set[str]:
    """Those of the distinct model ids (each with its ``_model_names``) that an event's pattern names."""
    patterns = [re.compile(p, re.IGNORECASE) for p in event.models]
    return {model for model, names in models.items()
            if any(pattern.fullmatch(name) for name in names for pattern in patterns)}


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


def _may_overlap(affected: SpecifierSet, declared: str) -> bool:
    """Whether a declared range may allow an affected version (True when it cannot be ruled out).

    Heuristic: probe the versions named by either specifier, just above and just below them; the
    declared range is excluded only when no probe satisfies both.
    """
    if not declared.strip():
        return True
    try:
        spec = SpecifierSet(declared)
    except InvalidSpecifier:
        return True  # e.g. poetry '^1.2' or npm-style ranges: cannot exclude
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
    return include_ended or event.state(as_of) != "ended"


def match_events(events: Sequence[Event], evidence: Sequence[Evidence], as_of: date,
                 decisive_contexts: Sequence[str] = DECISIVE_CONTEXTS, *,
                 include_ended: bool = False) -> List[MatchedEvent]:
    """The events that apply to this evidence as of a day, most severe first (then newest, id).

    ``include_ended=True`` also returns events that ended before ``as_of`` (history).
    """
    if not events:
        return []
    prod = [e for e in evidence if is_production(e, decisive_contexts)]
    model_items = [e for e in prod if e.kind == "model-id" and e.model]
    models = {e.model: _model_names(e.model) for e in model_items}
    groups: Dict[Tuple[Optional[str], Optional[str]], List[Evidence]] = {}  # (provider, vendor) -> items
    for e in prod:
        groups.setdefault((e.provider, e.model_vendor), []).append(e)
    out = []
    for event in events:
        if not _in_window(event, as_of, include_ended):
            continue
        reach = [e for (provider, vendor), items in groups.items()
                 if provider in event.providers or (vendor is not None and vendor in event.vendors) for e in items]
        if not reach:
            continue
        listed: List[Evidence] = []
        reasons: List[str] = []
        possible = False
        if event.models:
            named = _models_hit(event, models)
            hits = [e for e in model_items if e.model in named and (e.provider is None or _reaches(e, event))]
            if not hits:
                continue
            listed += hits
            reasons.append("names " + ", ".join(sorted({e.model for e in hits if e.model})))
        if event.packages:
            pkg_hits = _package_hits(event, [e for e in prod if e.kind == "dependency"])
            if not pkg_hits:
                continue
            if all(h == "possible" for _, _, h in pkg_hits):
                possible = True
            listed += [e for e, _, _ in pkg_hits]
            reasons.append("depends on " + ", ".join(sorted({_describe_dep(e, r, h) for e, r, h in pkg_hits})))
        if not listed:
            listed = reach
            via = sorted({e.provider or e.model_vendor or "" for e in reach} - {""})
            files = len({e.path for e in reach})
            reasons.append(f"production code reaches {', '.join(via)} ({files} file{'s' if files != 1 else ''})")
        items = tuple(sorted_evidence(listed))
        out.append(MatchedEvent(event, items, "; ".join(reasons), event.state(as_of), possible))
    out.sort(key=lambda m: (SEVERITIES.index(m.event.severity),
                            -(m.event.effective or m.event.start or date.min).toordinal(), m.event.id))
    return out


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
