"""The catalog of provider-specific features (``rules/features.yaml``): loading, validation, look-ups.

A *feature* is something a codebase uses at one provider that does not move with a model id or a
base URL: state the provider keeps (Assistants threads, stored Responses, fine-tuned models, uploaded
files), data tied to it (vector stores, knowledge bases, embeddings stored next to the call), a cost
model (prompt caching, batch APIs), a capability (grounding with search, computer use, realtime
audio) or a format (tool definitions, strict schemas). Each entry says how the detectors recognise it
per language, how big a move off it is (its ``kind``) and where else something comparable exists.

The file is data, validated when it is loaded in the style of ``catalog.py`` (every error names the
file, the entry and the key; regexes go through the catalog's regex-safety screen). It is read with
a safe loader, and YAML anchors and aliases are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

import yaml

from provider_audit._compat import safe_load_yaml
from provider_audit.data.catalog import Catalog, CatalogError, _Validator
from provider_audit.data.resources import rules_dir

# How much a move off a feature involves, from most to least: the switching estimate reads these.
FEATURE_KINDS = ("provider-held-state", "data-lock-in", "cost-model", "capability", "format")
# Kinds that leave state or data to migrate: they make a switch "large" (and ``--fail-on new-provider-state``).
STATE_KINDS = ("provider-held-state", "data-lock-in")
LANGUAGES = ("python", "js", "go", "jvm")
# The generic names the risk-event database scopes events by (``applies_to.features``).
CATEGORIES = ("streaming", "reasoning-summaries", "image-generation", "web-search", "file-search",
              "code-interpreter", "computer-use", "function-calling", "structured-outputs", "prompt-caching")
ANY_PROVIDER = "any"
# The confidence a detector gives a feature use: from a gated rule, or from a standalone one.
# ``judging/features.py`` reads it when it attributes the use, and sets the confidence reported.
GATED, STANDALONE = "medium", "high"

_TOP_KEYS = {"schema_version", "features"}
_FEATURE_KEYS = {"id", "name", "kind", "providers", "category", "languages", "keywords", "detect", "standalone",
                 "by_language", "near", "portability", "sources", "notes"}
_RULE_KEYS = {"calls", "arguments", "names", "strings", "model_capability"}
_ARGUMENT_KEYS = {"name", "value", "has_key", "within"}
_STRING_KEYS = {"pattern", "model", "key"}
_NEAR_KEYS = {"python", "js"}
_PORTABILITY_KEYS = {"equivalents", "move"}
_EQUIVALENT_KEYS = {"provider", "feature", "note"}
_CHAIN_RE = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")
_NAME_RE = re.compile(r"^[A-Za-z_$][\w$]*$")
_KEYWORD_RE = re.compile(r"^[a-z0-9_.:/()\-]{5,60}$")
MAX_STRING_PATTERN = 200


class FeatureCatalogError(CatalogError):
    """The feature catalog is invalid; the message names the file, the entry and the key."""


@dataclass(frozen=True)
class Argument:
    """A keyword argument, dict or object key, struct field or builder method named ``name``; with
    ``value``, only when that literal is given; with ``has_key``, only when the value is a mapping
    (or builder) holding that key; with ``within``, only inside a call matching one of those chains."""

    name: str
    value: Optional[str] = None  # compared lower case: "true", "24h"
    has_key: Optional[str] = None
    within: Tuple[str, ...] = ()


@dataclass(frozen=True)
class StringRule:
    pattern: "re.Pattern[str]"
    model: bool = False  # the string is a model id: the evidence carries it
    key: Optional[str] = None  # only as the value of this key: {"type": "file_search"}


@dataclass(frozen=True)
class Rules:
    """One set of detection rules (see ``rules/README.md``)."""

    calls: Tuple[str, ...] = ()
    arguments: Tuple[Argument, ...] = ()
    names: Tuple[str, ...] = ()
    strings: Tuple[StringRule, ...] = ()
    model_capability: Optional[str] = None  # string literals that are model ids of this capability

    def __bool__(self) -> bool:
        return bool(self.calls or self.arguments or self.names or self.strings or self.model_capability)

    def plus(self, other: "Rules") -> "Rules":
        return Rules(self.calls + other.calls, self.arguments + other.arguments, self.names + other.names,
                     self.strings + other.strings, self.model_capability or other.model_capability)


@dataclass(frozen=True)
class Equivalent:
    provider: str
    feature: str  # that provider's name for it
    note: str = ""


@dataclass(frozen=True)
class Feature:
    id: str
    name: str
    kind: str
    providers: Tuple[str, ...]  # empty: any provider (the one the site reaches)
    category: Optional[str]
    languages: Tuple[str, ...]
    keywords: Tuple[str, ...]
    detect: Rules  # reported where the file reaches one of ``providers``
    standalone: Rules  # reported even where it reaches none of them (attributed to the first)
    by_language: Mapping[str, Tuple[Rules, Rules]]  # language -> (detect, standalone) extras
    near: Mapping[str, Tuple[str, ...]]  # language -> imports that must be in the same file
    equivalents: Tuple[Equivalent, ...]
    move: str
    sources: Tuple[str, ...]
    notes: str = ""

    @property
    def any_provider(self) -> bool:
        return not self.providers

    @property
    def holds_state(self) -> bool:
        return self.kind in STATE_KINDS

    def rules(self, language: str) -> Tuple[Rules, Rules]:
        """(gated, standalone) rules for ``language``; empty when the feature claims no detection there."""
        if language not in self.languages:
            return Rules(), Rules()
        extra = self.by_language.get(language)
        if extra is None:
            return self.detect, self.standalone
        return self.detect.plus(extra[0]), self.standalone.plus(extra[1])

    def equivalent_at(self, provider: str) -> Optional[Equivalent]:
        return next((e for e in self.equivalents if e.provider == provider), None)


class FeatureCatalog:
    """The features, by id, in file order."""

    def __init__(self, data: Mapping, source: str = "<features>", catalog: Optional[Catalog] = None,
                 screen: bool = True):
        self.source = source
        self.features: Dict[str, Feature] = {f.id: f for f in _FeatureValidator(data, source, catalog, screen).run()}

    def __iter__(self):
        return iter(self.features.values())

    def __len__(self) -> int:
        return len(self.features)

    def get(self, feature_id: Optional[str]) -> Optional[Feature]:
        return self.features.get(feature_id or "")

    def for_language(self, language: str) -> List[Feature]:
        return [f for f in self.features.values() if language in f.languages]

    @property
    def keywords(self) -> Tuple[str, ...]:
        """Texts whose presence makes a file worth reading even where it names no provider."""
        return tuple(sorted({k for f in self.features.values() for k in f.keywords}))


class _FeatureValidator(_Validator):
    """The catalog's checks (keys, strings, identifiers, the regex-safety screen) for ``features.yaml``."""

    def __init__(self, data: Mapping, source: str, catalog: Optional[Catalog], screen: bool = True):
        super().__init__(data, source, screen)
        self.catalog = catalog

    def fail(self, entry: str, key: str, message: str) -> None:
        raise FeatureCatalogError(f"{self.source}: {entry}: key '{key}': {message}")

    def run(self) -> List[Feature]:  # type: ignore[override]
        self.keys(self.data, _TOP_KEYS, "top level", required=("schema_version", "features"))
        if self.data["schema_version"] != 1:
            self.fail("top level", "schema_version", "unsupported version (expected 1)")
        entries = self.data["features"]
        if not isinstance(entries, list):
            self.fail("top level", "features", "expected a list")
        ids: set = set()
        return [self.feature(entry, index, ids) for index, entry in enumerate(entries)]

    def feature(self, entry: object, index: int, ids: set) -> Feature:
        label = f"feature '{entry.get('id')}'" if isinstance(entry, dict) and entry.get("id") else f"feature #{index + 1}"
        self.keys(entry, _FEATURE_KEYS, label, required=("id", "name", "kind", "providers", "languages", "detect",
                                                          "portability", "sources"))
        assert isinstance(entry, dict)
        self.identifier(entry["id"], ids, label)
        self.text(entry["name"], label, "name")
        if entry["kind"] not in FEATURE_KINDS:
            self.fail(label, "kind", f"expected one of {', '.join(FEATURE_KINDS)}")
        providers = entry["providers"]
        if providers == ANY_PROVIDER:
            providers = []
        else:
            self.strings(providers, label, "providers")
            if not providers:
                self.fail(label, "providers", f"expected at least one provider id, or '{ANY_PROVIDER}'")
            for provider in providers:
                self.provider(provider, label, "providers")
        category = entry.get("category")
        if category is not None and category not in CATEGORIES:
            self.fail(label, "category", f"expected one of {', '.join(CATEGORIES)}")
        self.strings(entry["languages"], label, "languages")
        for language in entry["languages"]:
            if language not in LANGUAGES:
                self.fail(label, "languages", f"unknown language {language!r} (one of {', '.join(LANGUAGES)})")
        keywords = entry.get("keywords", [])
        self.strings(keywords, label, "keywords")
        for keyword in keywords:
            if not _KEYWORD_RE.match(keyword):
                self.fail(label, "keywords", f"{keyword!r}: expected 5-60 lower-case characters as they appear "
                                             "in lower-cased source text")
        detect = self.rules(entry["detect"], label, "detect")
        standalone = self.rules(entry.get("standalone", {}), label, "standalone")
        by_language: Dict[str, Tuple[Rules, Rules]] = {}
        extras = entry.get("by_language", {})
        self.keys(extras, set(LANGUAGES), label)
        for language, block in extras.items():
            if language not in entry["languages"]:
                self.fail(label, f"by_language.{language}", "rules for a language not listed in 'languages'")
            self.keys(block, {"detect", "standalone"}, label)
            by_language[language] = (self.rules(block.get("detect", {}), label, f"by_language.{language}.detect"),
                                     self.rules(block.get("standalone", {}), label,
                                                f"by_language.{language}.standalone"))
        alone_anywhere = bool(standalone) or any(extra[1] for extra in by_language.values())
        if alone_anywhere and any_provider(providers):
            self.fail(label, "standalone", "a feature of any provider cannot be attributed without one")
        if alone_anywhere != bool(keywords):
            self.fail(label, "keywords" if alone_anywhere else "standalone",
                      "standalone rules need keywords (files naming no provider are read only when they contain one)"
                      if alone_anywhere else "keywords serve only standalone rules")
        for language in entry["languages"]:
            gated, alone = detect, standalone
            if language in by_language:
                gated, alone = gated.plus(by_language[language][0]), alone.plus(by_language[language][1])
            if not (gated or alone):
                self.fail(label, "languages", f"claims {language} but has no rule for it")
        near = self.near(entry.get("near", {}), label)
        if detect.model_capability and not near:
            self.fail(label, "detect.model_capability", "only with 'near' (a model id alone is not a feature)")
        equivalents, move = self.portability(entry["portability"], label, providers)
        self.strings(entry["sources"], label, "sources")
        for url in entry["sources"]:
            if not url.startswith("https://"):
                self.fail(label, "sources", f"{url!r}: expected an https:// URL (an official page)")
        if "notes" in entry:
            self.text(entry["notes"], label, "notes")
        return Feature(
            id=entry["id"], name=" ".join(entry["name"].split()), kind=entry["kind"], providers=tuple(providers),
            category=category, languages=tuple(entry["languages"]), keywords=tuple(keywords), detect=detect,
            standalone=standalone, by_language=by_language, near=near, equivalents=equivalents, move=move,
            sources=tuple(entry["sources"]), notes=" ".join(str(entry.get("notes", "")).split()))

    def text(self, value: object, label: str, key: str) -> None:
        if not isinstance(value, str) or not value.strip():
            self.fail(label, key, "expected a non-empty string")

    def provider(self, value: object, label: str, key: str) -> None:
        if self.catalog is not None and value not in self.catalog.providers:
            self.fail(label, key, f"unknown provider {value!r}")

    def rules(self, block: object, label: str, key: str) -> Rules:
        self.keys(block, _RULE_KEYS, label)
        assert isinstance(block, dict)
        calls = block.get("calls", [])
        self.strings(calls, label, f"{key}.calls")
        for chain in calls:
            if not _CHAIN_RE.match(chain):
                self.fail(label, f"{key}.calls", f"{chain!r}: expected a dotted chain of names")
        names = block.get("names", [])
        self.strings(names, label, f"{key}.names")
        for name in names:
            if not _NAME_RE.match(name):
                self.fail(label, f"{key}.names", f"{name!r}: expected an identifier")
        arguments = tuple(self.argument(item, label, f"{key}.arguments") for item in _list(
            block.get("arguments", []), self, label, f"{key}.arguments"))
        strings = tuple(self.string_rule(item, label, f"{key}.strings") for item in _list(
            block.get("strings", []), self, label, f"{key}.strings"))
        capability = block.get("model_capability")
        if capability is not None:
            known = {c.id for c in self.catalog.capabilities} if self.catalog is not None else {capability}
            if capability not in known:
                self.fail(label, f"{key}.model_capability", f"unknown capability {capability!r}")
        return Rules(tuple(calls), arguments, tuple(names), strings, capability)

    def argument(self, item: object, label: str, key: str) -> Argument:
        if isinstance(item, str):
            item = {"name": item}
        self.keys(item, _ARGUMENT_KEYS, label, required=("name",))
        assert isinstance(item, dict)
        if not isinstance(item["name"], str) or not _NAME_RE.match(item["name"]):
            self.fail(label, f"{key}.name", f"{item['name']!r}: expected an identifier")
        value = item.get("value")
        if value is not None and not isinstance(value, (str, bool, int)):
            self.fail(label, f"{key}.value", "expected a string, a number or a boolean")
        has_key = item.get("has_key")
        if has_key is not None and (not isinstance(has_key, str) or not _NAME_RE.match(has_key)):
            self.fail(label, f"{key}.has_key", "expected an identifier")
        within = item.get("within", [])
        self.strings(within, label, f"{key}.within")
        for chain in within:
            if not _CHAIN_RE.match(chain):
                self.fail(label, f"{key}.within", f"{chain!r}: expected a dotted chain of names")
        text = None if value is None else (str(value).lower() if not isinstance(value, bool) else
                                           ("true" if value else "false"))
        return Argument(item["name"], text, has_key, tuple(within))

    def string_rule(self, item: object, label: str, key: str) -> StringRule:
        if isinstance(item, str):
            item = {"pattern": item}
        self.keys(item, _STRING_KEYS, label, required=("pattern",))
        assert isinstance(item, dict)
        pattern = item["pattern"]
        self.pattern(pattern, label, key)  # the catalog's regex-safety screen
        if len(pattern) > MAX_STRING_PATTERN:
            self.fail(label, key, f"pattern longer than {MAX_STRING_PATTERN} characters")
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            self.fail(label, key, f"pattern {pattern!r} does not compile: {exc}")
        if compiled.search(""):
            self.fail(label, key, f"pattern {pattern!r} matches the empty string")
        if not isinstance(item.get("model", False), bool):
            self.fail(label, f"{key}.model", "expected true or false")
        owner = item.get("key")
        if owner is not None and (not isinstance(owner, str) or not _NAME_RE.match(owner)):
            self.fail(label, f"{key}.key", "expected an identifier")
        return StringRule(compiled, bool(item.get("model", False)), owner)

    def near(self, block: object, label: str) -> Dict[str, Tuple[str, ...]]:
        self.keys(block, _NEAR_KEYS, label)
        assert isinstance(block, dict)
        for language, modules in block.items():
            self.strings(modules, label, f"near.{language}")
        return {language: tuple(modules) for language, modules in block.items()}

    def portability(self, block: object, label: str, providers: List[str]) -> Tuple[Tuple[Equivalent, ...], str]:
        self.keys(block, _PORTABILITY_KEYS, label, required=("equivalents", "move"))
        assert isinstance(block, dict)
        self.text(block["move"], label, "portability.move")
        items = _list(block["equivalents"], self, label, "portability.equivalents")
        equivalents = []
        seen: set = set()
        for item in items:
            self.keys(item, _EQUIVALENT_KEYS, label, required=("provider", "feature"))
            self.provider(item["provider"], label, "portability.equivalents.provider")
            self.text(item["feature"], label, "portability.equivalents.feature")
            if item["provider"] in providers:
                self.fail(label, "portability.equivalents.provider",
                          f"{item['provider']!r} is one of the feature's own providers")
            if item["provider"] in seen:
                self.fail(label, "portability.equivalents.provider", f"{item['provider']!r} listed twice")
            seen.add(item["provider"])
            equivalents.append(Equivalent(item["provider"], " ".join(item["feature"].split()),
                                          " ".join(str(item.get("note", "")).split())))
        return tuple(equivalents), " ".join(block["move"].split())


def any_provider(providers: Iterable[str]) -> bool:
    return not list(providers)


def _list(value: object, validator: _Validator, label: str, key: str) -> list:
    if not isinstance(value, list):
        validator.fail(label, key, "expected a list")
    return value  # type: ignore[return-value]


def _refuse_aliases(text: str, path: Path, shipped: bool = False) -> None:
    """Anchors and aliases would let one entry silently share another's rules: refused. The shipped
    file's events come from libyaml (trusted input, see ``safe_load_yaml``): a sixth of the time."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader) if shipped else yaml.SafeLoader
    for event in yaml.parse(text, Loader=loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            raise FeatureCatalogError(f"{path}: line {mark.line + 1}: YAML anchors and aliases are not allowed")


def load_features_file(path: Path, catalog: Optional[Catalog] = None, shipped: bool = False,
                       screen: bool = True) -> FeatureCatalog:
    """``shipped`` and ``screen`` as for ``catalog.load_catalog_file``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FeatureCatalogError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        if screen:  # the rules in use were checked for anchors before (``resources.in_rules_in_use``)
            _refuse_aliases(text, path, shipped)
        data = safe_load_yaml(text, shipped)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise FeatureCatalogError(f"{path}: invalid YAML{where}") from None
    if not isinstance(data, dict):
        raise FeatureCatalogError(f"{path}: top level: key '-': expected a mapping")
    return FeatureCatalog(data, str(path), catalog, screen)


def features_path() -> Path:
    return rules_dir() / "features.yaml"


_SHIPPED: List[FeatureCatalog] = []


def shipped_features(catalog: Catalog) -> FeatureCatalog:
    """The shipped feature catalog, checked against ``catalog`` (the shipped provider catalog) the first time."""
    if not _SHIPPED:
        _SHIPPED.append(load_features_file(features_path(), catalog, shipped=True, screen=False))  # screened before
    return _SHIPPED[0]


def load_features() -> FeatureCatalog:
    """The shipped feature catalog, loaded once per process (``load_catalog`` loads it for its keywords)."""
    from provider_audit.data.catalog import load_catalog

    return shipped_features(load_catalog())
