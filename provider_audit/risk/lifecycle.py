"""Model lifecycle tables (``rules/lifecycle/<platform>.yaml``): loading, validation and matching.

One file per platform (a catalog provider id: the service a request goes to). A date in a file
applies only to requests sent to that platform: Claude on Anthropic's API, on Bedrock and on Vertex
AI retire on different days, and an Azure OpenAI entry never matches a plain OpenAI client (nor the
reverse). The schema (version 1)::

    schema_version: 1
    platform: anthropic                 # catalog provider id; must equal the file name
    source: https://...                 # the official page (default for entries)
    checked: 2026-12-07                 # the day it was read (default for entries)
    models:
      - ids: [claude-3-5-haiku-20241022, claude-3-5-haiku-latest]   # exact ids, lower case
        patterns: []                    # optional regexes (validation.regex_problem, literal prefix of 3+)
        vendor: anthropic               # optional: whose model
        status: retired                 # retired | scheduled | deprecated | active-legacy
        deprecated: 2025-10-28          # announced, or null
        shutdown: 2026-02-19            # requests stop working (or are rerouted), or null
        at_shutdown: error              # error | reroute
        reroute_to: null                # with reroute: the model requests go to (null: not named)
        replacement: claude-haiku-4-5   # the vendor's recommended replacement, or null
        source: null                    # optional: a more precise official URL
        checked: null                   # optional: overrides the file's checked
        notes: null                     # optional, one line
        versions: ["0613"]              # azure-openai only: the model versions affected
    sdks:                               # optional: deprecated SDK packages
      - {ecosystem: pypi, name: google-generativeai, versions: null, status: retired, deprecated: 2025-04-16,
         shutdown: 2025-09-30, replacement: google-genai, source: https://..., notes: null}

Matching (``match_lifecycle``): a production model id (``models.is_production``) whose evidence goes to
the platform (``Evidence.provider``), compared in lower case, whole or after a ``service/`` prefix
(``models/gemini-1.5-pro``, a Bedrock ARN) and, on Bedrock, without a cross-region prefix (``us.``).
As of the scan day:

- past shutdown (``shutdown`` <= as_of, or ``retired`` without a date): **critical**, "this call fails
  today", or "is rerouted to X since D";
- shutdown within ``HORIZON_DAYS`` (90): **high**, with the countdown; later: **medium**;
- deprecated with no date: **medium**; active-legacy: **low**;
- before the ``deprecated`` day nothing is known yet, so nothing is reported.

An Azure entry limited to ``versions`` is a *possible* finding (code names a deployment, not a model
version): shown, never failing a gate. Dependencies on a listed SDK are findings too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from provider_audit.data.resources import rules_dir
from provider_audit.data.validation import Shape, close_hint
from provider_audit.models import DECISIVE_CONTEXTS, Evidence, is_production, sorted_evidence
from provider_audit.redact import PrintableError
from provider_audit.data.catalog import ECOSYSTEMS, MODEL_FLAGS
from provider_audit.risk.events import (BAD_DATE, SEVERITIES, PackageRule, _package_hit, in_use, known_names,
                                        read_yaml)

SCHEMA_VERSION = 1
STATUSES = ("retired", "scheduled", "deprecated", "active-legacy")
AT_SHUTDOWN = ("error", "reroute")
HORIZON_DAYS = 90  # a shutdown this close is high severity
PHASES = ("retired", "scheduled", "deprecated", "legacy")  # as of a day, most urgent first

_TOP_KEYS = ("schema_version", "platform", "source", "checked", "models", "sdks")
_MODEL_KEYS = ("ids", "patterns", "vendor", "status", "deprecated", "shutdown", "at_shutdown", "reroute_to",
               "replacement", "source", "checked", "notes", "versions")
_MODEL_REQUIRED = ("status", "deprecated", "shutdown", "at_shutdown")
_SDK_KEYS = ("ecosystem", "name", "versions", "status", "deprecated", "shutdown", "replacement", "source", "notes")
_SDK_REQUIRED = ("ecosystem", "name", "status", "deprecated", "shutdown")
_ID_CHARS = re.compile(r"[a-z0-9][a-z0-9._:/@+-]*")
_BEDROCK_REGION = re.compile(r"(?:us|eu|apac|us-gov|global|jp|au|ca|ap)\.(?=[a-z])")
_VERSIONED_PLATFORMS = ("azure-openai",)


class LifecycleError(PrintableError):
    """A lifecycle file is invalid; the message names the file, the entry and the key (one printable line)."""

    def __init__(self, file: object, entry: Optional[str], key: Optional[str], message: str) -> None:
        self.file, self.entry, self.key, self.message = str(file), entry, key, message
        parts = [self.file] + ([entry] if entry else []) + ([f"key '{key}'"] if key else [])
        super().__init__(": ".join(parts + [message]))


@dataclass(frozen=True)
class ModelEntry:
    platform: str
    ids: Tuple[str, ...]
    patterns: Tuple[str, ...]
    status: str
    deprecated: Optional[date]
    shutdown: Optional[date]
    at_shutdown: str
    source: str
    checked: date
    vendor: Optional[str] = None
    reroute_to: Optional[str] = None
    replacement: Optional[str] = None
    notes: Optional[str] = None
    versions: Tuple[str, ...] = ()
    file: str = field(default="", compare=False)

    def phase(self, as_of: date) -> Optional[str]:
        return _phase(self.status, self.deprecated, self.shutdown, as_of)


@dataclass(frozen=True)
class SdkEntry:
    platform: str
    ecosystem: str
    name: str
    versions: str  # PEP 440 specifier (pypi), "" = every version
    status: str
    deprecated: Optional[date]
    shutdown: Optional[date]
    source: str
    checked: date
    replacement: Optional[str] = None
    notes: Optional[str] = None
    file: str = field(default="", compare=False)

    def phase(self, as_of: date) -> Optional[str]:
        return _phase(self.status, self.deprecated, self.shutdown, as_of)


def _phase(status: str, deprecated: Optional[date], shutdown: Optional[date], as_of: date) -> Optional[str]:
    """``retired``, ``scheduled``, ``deprecated`` or ``legacy`` as of a day; None before anything was
    announced (an ``--as-of`` before the deprecation notice). The dates decide over the status, so the
    scan day moves an entry from scheduled to retired."""
    if deprecated and as_of < deprecated:
        return None
    if shutdown:
        return "retired" if shutdown <= as_of else "scheduled"
    return {"retired": "retired", "deprecated": "deprecated", "active-legacy": "legacy"}.get(status)


@dataclass(frozen=True)
class LifecycleFinding:
    """A retired or retiring model id (or SDK) that production code sends to a platform."""

    model: str  # the id as written (for an SDK: the package name)
    platform: str
    entry: Any  # ModelEntry or SdkEntry
    evidence: Tuple[Evidence, ...]
    phase: str  # retired | scheduled | deprecated | legacy
    severity: str  # critical | high | medium | low
    days: Optional[int]  # days from the scan day to shutdown (negative: since shutdown); None without a date
    message: str
    step: str  # one concrete step
    possible: bool = False  # only some versions are affected (Azure: the deployment's version decides)
    kind: str = "model"  # model | sdk
    impact: str = "breaking"
    related_events: Tuple[str, ...] = ()  # deprecation events that say the same for this code

    @property
    def rerouted(self) -> bool:
        return self.phase == "retired" and getattr(self.entry, "at_shutdown", "error") == "reroute"

    @property
    def fails_gate_at(self) -> Optional[str]:
        """The severity a ``risk:`` gate sees, or None (possible findings never fail a gate)."""
        return None if self.possible else self.severity


@dataclass(frozen=True)
class LifecycleTable:
    models: Tuple[ModelEntry, ...]
    sdks: Tuple[SdkEntry, ...]
    files: Tuple[str, ...] = ()

    def __post_init__(self) -> None:
        exact: Dict[Tuple[str, str], List[ModelEntry]] = {}
        patterns: Dict[str, List[Tuple[re.Pattern, ModelEntry]]] = {}
        for entry in self.models:
            for model_id in entry.ids:
                exact.setdefault((entry.platform, model_id), []).append(entry)
            for pattern in entry.patterns:
                patterns.setdefault(entry.platform, []).append((re.compile(pattern, MODEL_FLAGS), entry))
        object.__setattr__(self, "_exact", exact)
        object.__setattr__(self, "_patterns", patterns)

    @property
    def platforms(self) -> Tuple[str, ...]:
        return tuple(sorted({e.platform for e in self.models} | {s.platform for s in self.sdks}))

    def lookup(self, platform: str, model: str) -> List[ModelEntry]:
        """The entries for a model id sent to ``platform`` (exact ids first, then patterns)."""
        exact: Dict[Tuple[str, str], List[ModelEntry]] = self._exact  # type: ignore[attr-defined]
        patterns = self._patterns.get(platform, ())  # type: ignore[attr-defined]
        for name in candidates(platform, model):
            found = exact.get((platform, name))
            if found:
                return list(found)
        for name in candidates(platform, model):
            found = [entry for pattern, entry in patterns if pattern.fullmatch(name)]
            if found:
                return found
        return []

    def count_ids(self) -> Dict[str, int]:
        """Exact ids per platform (the table's size)."""
        out: Dict[str, int] = {}
        for entry in self.models:
            out[entry.platform] = out.get(entry.platform, 0) + len(entry.ids)
        return dict(sorted(out.items()))


def candidates(platform: str, model: str) -> List[str]:
    """The forms of an id to look up: lower case, whole, after each '/' (``models/gemini-1.5-pro``, an ARN,
    ``bedrock/anthropic.claude-...``), and on Bedrock without a cross-region prefix (``us.anthropic...``)."""
    text = model.strip().lower()
    out = [text] + [text[i + 1:] for i, ch in enumerate(text) if ch == "/" and i + 1 < len(text)]
    if platform == "aws-bedrock":
        out += [_BEDROCK_REGION.sub("", name, count=1) for name in out if _BEDROCK_REGION.match(name)]
    return list(dict.fromkeys(out))


# ------------------------------------------------------------------ loading

def shipped_paths() -> List[Path]:
    folder = rules_dir() / "lifecycle"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def load_lifecycle(paths: Optional[Sequence[Path]] = None, *, known_providers: Optional[Iterable[str]] = None,
                   known_vendors: Optional[Iterable[str]] = None, screen: Optional[bool] = None) -> LifecycleTable:
    """Load and validate lifecycle files (None = the shipped ones; a folder stands for its ``*.yaml``).
    ``screen``: as for ``events.load_events`` (None: every file but those of the rules in use)."""
    known, vendors = known_names(known_providers, known_vendors)
    files: List[Path] = []
    for p in (shipped_paths() if paths is None else paths):
        p = Path(p)
        files.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
    models: List[ModelEntry] = []
    sdks: List[SdkEntry] = []
    platforms: Dict[str, Path] = {}
    for path in files:
        file_models, file_sdks = _load_file(path, known, vendors, screen if screen is not None else not in_use(path))
        platform = (file_models[0].platform if file_models else file_sdks[0].platform if file_sdks else None)
        if platform is not None:
            if platform in platforms:
                raise LifecycleError(path, None, "platform", f"'{platform}' already has a file ({platforms[platform]})")
            platforms[platform] = path
        models.extend(file_models)
        sdks.extend(file_sdks)
    return LifecycleTable(tuple(models), tuple(sdks), tuple(str(f) for f in files))


def _load_file(path: Path, known: frozenset, vendors: frozenset, screen: bool = True
               ) -> Tuple[List[ModelEntry], List[SdkEntry]]:
    data, _ = read_yaml(path, lambda message: LifecycleError(path, None, None, message))
    if data is BAD_DATE:
        raise LifecycleError(path, None, None, "a date that does not exist (e.g. 2025-02-30)")
    top = Shape(lambda key, message: LifecycleError(path, "top level", key, message))
    top.keys(data, _TOP_KEYS, ("schema_version", "platform", "models"))
    if data["schema_version"] != SCHEMA_VERSION or isinstance(data["schema_version"], bool):
        raise top.fail("schema_version", f"must be {SCHEMA_VERSION}")
    platform = data["platform"]
    if platform not in known:
        raise top.fail("platform", f"unknown provider id '{platform}'{close_hint(platform, known)}")
    if path.stem != platform:
        raise top.fail("platform", f"'{platform}' in a file named {path.name}: name the file {platform}.yaml")
    default_source = top.url(data["source"], "source") if data.get("source") is not None else None
    default_checked = top.day(data.get("checked"), "checked")
    raw_models = data["models"]
    if not isinstance(raw_models, list):
        raise top.fail("models", "must be a list of entries")
    raw_sdks = data.get("sdks") or []
    if not isinstance(raw_sdks, list):
        raise top.fail("sdks", "must be a list of entries")
    models: List[ModelEntry] = []
    seen: Dict[Tuple[str, Tuple[str, ...]], int] = {}
    for index, raw in enumerate(raw_models):
        label = _label(raw, index, "model")
        shape = Shape(lambda key, message, label=label: LifecycleError(path, label, key, message), screen)
        entry = _model(raw, shape, platform, vendors, default_source, default_checked, str(path))
        for model_id in entry.ids:
            versions = entry.versions
            if (model_id, versions) in seen or (model_id, ()) in seen or (not versions and any(
                    k[0] == model_id for k in seen)):
                raise shape.fail("ids", f"'{model_id}' is listed twice in this file for overlapping versions")
            seen[(model_id, versions)] = index
        models.append(entry)
    sdks = []
    for index, raw in enumerate(raw_sdks):
        label = _label(raw, index, "sdk")
        shape = Shape(lambda key, message, label=label: LifecycleError(path, label, key, message))
        sdks.append(_sdk(raw, shape, platform, default_source, default_checked, str(path)))
    return models, sdks


def _label(raw: Any, index: int, what: str) -> str:
    if isinstance(raw, dict):
        ids = raw.get("ids") or raw.get("patterns") or ([raw["name"]] if isinstance(raw.get("name"), str) else None)
        if isinstance(ids, list) and ids and isinstance(ids[0], str):
            return f"{what} '{ids[0]}'"
    return f"{what} #{index + 1}"


def _model(raw: Any, shape: Shape, platform: str, vendors: frozenset, default_source: Optional[str],
           default_checked: Optional[date], file: str) -> ModelEntry:
    shape.keys(raw, _MODEL_KEYS, _MODEL_REQUIRED)
    ids = shape.strings(raw.get("ids"), "ids")
    for model_id in ids:
        if not _ID_CHARS.fullmatch(model_id):
            raise shape.fail("ids", f"'{model_id}' is not an id as sent in requests (lower case, no spaces)")
    patterns = shape.strings(raw.get("patterns"), "patterns")
    for i, pattern in enumerate(patterns):
        if pattern != pattern.lower():
            raise shape.fail(f"patterns[{i}]", "patterns are written in lower case")
        shape.pattern(pattern, f"patterns[{i}]", max_length=199, literal_prefix=3)
    if not ids and not patterns:
        raise shape.fail("ids", "an entry needs at least one id or pattern")
    status = shape.choice(raw["status"], STATUSES, "status")
    deprecated, shutdown = shape.day(raw["deprecated"], "deprecated"), shape.day(raw["shutdown"], "shutdown")
    if deprecated and shutdown and shutdown < deprecated:
        raise shape.fail("shutdown", f"{shutdown} is before the deprecation notice ({deprecated})")
    if status == "scheduled" and shutdown is None:
        raise shape.fail("shutdown", "a scheduled entry needs its shutdown date (else say deprecated)")
    if status in ("deprecated", "active-legacy") and shutdown is not None:
        raise shape.fail("status", f"'{status}' means no shutdown date; with one it is scheduled or retired")
    at_shutdown = shape.choice(raw["at_shutdown"], AT_SHUTDOWN, "at_shutdown")
    reroute_to = _optional_id(raw.get("reroute_to"), shape, "reroute_to")
    if at_shutdown == "error" and reroute_to is not None:
        raise shape.fail("reroute_to", "must be null when at_shutdown is error")
    versions = shape.strings(raw.get("versions"), "versions")
    if versions and platform not in _VERSIONED_PLATFORMS:
        raise shape.fail("versions", f"only for {', '.join(_VERSIONED_PLATFORMS)} (model name + version)")
    vendor = raw.get("vendor")
    if vendor is not None and vendor not in vendors:
        raise shape.fail("vendor", f"unknown vendor '{vendor}'{close_hint(vendor, vendors)}")
    source = shape.url(raw["source"], "source") if raw.get("source") is not None else default_source
    if source is None:
        raise shape.fail("source", "every entry needs an official source (its own or the file's)")
    checked = shape.day(raw.get("checked"), "checked") or default_checked
    if checked is None:
        raise shape.fail("checked", "every entry needs the day its source was read (its own or the file's)")
    return ModelEntry(platform=platform, ids=ids, patterns=patterns, status=status, deprecated=deprecated,
                      shutdown=shutdown, at_shutdown=at_shutdown, source=source, checked=checked,
                      vendor=vendor, reroute_to=reroute_to,
                      replacement=_optional_id(raw.get("replacement"), shape, "replacement"),
                      notes=shape.optional_text(raw.get("notes"), "notes"), versions=versions, file=file)


def _optional_id(value: Any, shape: Shape, key: str) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value.strip()):
        raise shape.fail(key, "must be a model id (no spaces) or null")
    return value.strip()


def _sdk(raw: Any, shape: Shape, platform: str, default_source: Optional[str], default_checked: Optional[date],
         file: str) -> SdkEntry:
    shape.keys(raw, _SDK_KEYS, _SDK_REQUIRED)
    ecosystem = shape.choice(raw["ecosystem"], ECOSYSTEMS, "ecosystem")
    name = shape.text(raw["name"], "name")
    versions = raw.get("versions") or ""
    if not isinstance(versions, str):
        raise shape.fail("versions", "must be a version specifier string or null")
    if versions:
        if ecosystem != "pypi":
            raise shape.fail("versions", "version ranges are supported for pypi only")
        try:
            SpecifierSet(versions)
        except InvalidSpecifier:
            raise shape.fail("versions", f"'{versions}' is not a valid version specifier") from None
    status = shape.choice(raw["status"], STATUSES, "status")
    deprecated, shutdown = shape.day(raw["deprecated"], "deprecated"), shape.day(raw["shutdown"], "shutdown")
    if status == "scheduled" and shutdown is None:
        raise shape.fail("shutdown", "a scheduled entry needs its shutdown date")
    source = shape.url(raw["source"], "source") if raw.get("source") is not None else default_source
    if source is None or default_checked is None:
        raise shape.fail("source", "every entry needs an official source and the file's checked date")
    return SdkEntry(platform=platform, ecosystem=ecosystem, name=name, versions=versions, status=status,
                    deprecated=deprecated, shutdown=shutdown, source=source, checked=default_checked,
                    replacement=shape.optional_text(raw.get("replacement"), "replacement"),
                    notes=shape.optional_text(raw.get("notes"), "notes"), file=file)


def stale_entries(table: LifecycleTable, today: date) -> List[Any]:
    """Entries still saying ``scheduled`` although their shutdown day has passed: the data is out of date."""
    return [e for e in list(table.models) + list(table.sdks)
            if e.status == "scheduled" and e.shutdown is not None and e.shutdown < today]


# ------------------------------------------------------------------ matching

def match_lifecycle(table: LifecycleTable, evidence: Sequence[Evidence], as_of: date,
                    contexts: Sequence[str] = DECISIVE_CONTEXTS,
                    names: Optional[Dict[str, str]] = None) -> List[LifecycleFinding]:
    """Findings for production model ids (and SDK dependencies) in the table, most urgent first.

    One finding per platform, entry and id as written, with every place it is written. ``names``: display
    names of platforms (catalog ``display_name``), for the messages."""
    names = names or {}
    grouped: Dict[Tuple[str, str, int], List[Evidence]] = {}
    entries: Dict[Tuple[str, str, int], Any] = {}
    for e in evidence:
        if not e.provider or not is_production(e, contexts):
            continue
        if e.kind == "model-id" and e.model:
            found = [entry for entry in table.lookup(e.provider, e.model) if entry.phase(as_of)]
            # Several entries for one name (Azure model versions): the most urgent one speaks.
            for entry in sorted(found, key=lambda x: PHASES.index(x.phase(as_of) or "legacy"))[:1]:
                key = (e.provider, e.model, id(entry))
                grouped.setdefault(key, []).append(e)
                entries[key] = entry
        elif e.kind == "dependency" and e.ecosystem:
            for sdk in table.sdks:
                if sdk.ecosystem == e.ecosystem and _package_hit(PackageRule(sdk.ecosystem, sdk.name, sdk.versions), e):
                    key = (sdk.platform, sdk.name, id(sdk))
                    grouped.setdefault(key, []).append(e)
                    entries[key] = sdk
    out = []
    for key, items in grouped.items():
        platform, model, _ = key
        entry = entries[key]
        finding = _finding(model, platform, entry, tuple(sorted_evidence(items)), as_of,
                           names.get(platform, platform), table)
        if finding is not None:
            out.append(finding)
    out.sort(key=lambda f: (f.possible, SEVERITIES.index(f.severity), PHASES.index(f.phase),
                            f.days if f.days is not None else 10 ** 6, f.platform, f.model))
    return out


def current_replacement(table: LifecycleTable, platform: str, replacement: Optional[str], as_of: date
                        ) -> Tuple[Optional[str], List[str]]:
    """The replacement to recommend: the named one, or, when that one is itself retired on the platform,
    its own replacement (up to 5 steps); with the retired ids passed over."""
    skipped: List[str] = []
    while replacement and len(skipped) < 5:
        found = [e for e in table.lookup(platform, replacement) if e.phase(as_of) == "retired" and e.replacement
                 and not e.versions]
        if not found or found[0].replacement in skipped + [replacement]:
            break
        skipped.append(replacement)
        replacement = found[0].replacement
    return replacement, skipped


def _finding(model: str, platform: str, entry: Any, evidence: Tuple[Evidence, ...], as_of: date,
             where: str, table: LifecycleTable) -> Optional[LifecycleFinding]:
    phase = entry.phase(as_of)
    if phase is None:
        return None
    sdk = isinstance(entry, SdkEntry)
    if sdk:  # only declared ranges that may include an affected version
        rule = PackageRule(entry.ecosystem, entry.name, entry.versions)
        possible = all(_package_hit(rule, e) == "possible" for e in evidence)
    else:  # an Azure entry for some model versions: the deployment's version decides
        possible = bool(entry.versions)
    days = (entry.shutdown - as_of).days if entry.shutdown else None
    on = entry.shutdown.isoformat() if entry.shutdown else None
    replacement = entry.replacement
    if sdk:
        severity = {"retired": "medium", "scheduled": "high" if days is not None and days <= HORIZON_DAYS else "medium",
                    "deprecated": "medium", "legacy": "low"}[phase]
        what = f"the {entry.name} package"
        if phase == "retired":
            message = f"{what} is no longer supported" + (f" since {on}" if on else "")
        elif phase == "scheduled":
            message = f"{what} loses support in {days} days ({on})"
        elif phase == "deprecated":
            message = f"{what} is deprecated; no end date yet"
        else:
            message = f"{what} is a legacy version, kept without a retirement plan"
        step = f"move to {replacement}" if replacement and replacement != entry.name else \
            f"upgrade {entry.name}" + (f" outside {entry.versions}" if entry.versions else "")
        return LifecycleFinding(entry.name, platform, entry, evidence, phase, severity, days, message,
                                step, possible, "sdk")
    if phase == "retired":
        severity = "critical"
        if entry.at_shutdown == "reroute":
            target = entry.reroute_to or "another model the platform chooses"
            message = (f"{model} is rerouted to {target} on {where}" + (f" since {on}" if on else "")
                       + f", at {'that' if entry.reroute_to is None else entry.reroute_to + chr(39) + 's'} price")
        else:
            message = f"this call fails today: {model} was shut down on {where}" + (f" on {on}" if on else "")
    elif phase == "scheduled":
        severity = "high" if days is not None and days <= HORIZON_DAYS else "medium"
        then = ("then requests go to " + (entry.reroute_to or "another model")) if entry.at_shutdown == "reroute" \
            else "then calls fail"
        message = f"{model} shuts down on {where} in {days} day{'s' if days != 1 else ''} ({on}); {then}"
    elif phase == "deprecated":
        severity = "medium"
        since = f" since {entry.deprecated.isoformat()}" if entry.deprecated else ""
        message = f"{model} is deprecated on {where}{since}; no shutdown date yet"
    else:
        severity = "low"
        message = f"{model} is a legacy model on {where}, with no retirement date yet"
    if possible:  # the deployment's model version decides
        message = f"if the deployment runs version {' or '.join(entry.versions)}: {message}"
    overrides = sorted({e.default_of for e in evidence if e.default_of})
    if overrides and len(overrides) == len({(e.path, e.line) for e in evidence}):  # every place is a default
        unless = " or ".join(overrides)
        if message.startswith("this call fails today: "):
            message = f"calls fail today unless {unless} is set: the default " + message[len("this call fails today: "):]
        else:
            message += f" (the default, used unless {unless} is set)"
    replacement, passed = current_replacement(table, platform, replacement, as_of)
    if replacement:
        step = f"replace {model} with {replacement}"
        if passed:
            step += f" ({', '.join(passed)}, the vendor's named replacement, is itself retired)"
    else:
        step = f"choose a current model for {model} (see {entry.source})"
    return LifecycleFinding(model, platform, entry, evidence, phase, severity, days, message, step, possible)
