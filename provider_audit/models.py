"""The data that flows through a scan: dependencies, evidence, skips and the result."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import compress
from operator import attrgetter, eq
from sys import intern
from typing import Iterable, List, Optional, Sequence, Set, Tuple

# Evidence kinds, in the order reports list them. ``feature``: a provider-specific feature the code uses
# (``rules/features.yaml``; ``feature`` holds its id). ``api-call``: a call of a particular API surface
# (``client.beta.assistants.create``) or one asking for a provider feature (``stream=True``); it carries
# ``surface``/``feature`` (a risk-event surface and feature name) and matters to risk events only.
KINDS = ("dependency", "import", "client", "endpoint", "env-var", "model-id", "feature", "api-call")

# File contexts. Only DECISIVE_CONTEXTS decide the verdict by default. ``auxiliary``: code beside the main
# app (eval/benchmark harnesses, legacy copies, one-off scripts); ``data``: results, recorded responses, dumps.
CONTEXTS = ("source", "config", "manifest", "test", "example", "docs", "auxiliary", "data")
DECISIVE_CONTEXTS = ("source", "config", "manifest")

CONFIDENCES = ("high", "medium", "low")


@dataclass(frozen=True)
class Dependency:
    """One package named by a manifest or lockfile, as the extractor read it."""

    name: str
    ecosystem: str  # pypi, npm, go, maven, crates, nuget, rubygems, composer
    line: int = 1
    column: int = 1
    specifier: str = ""  # the version constraint as written ("" when none)
    version: Optional[str] = None  # an exact pinned or locked version
    direct: bool = True  # False for lockfile entries not known to be declared by the project
    group: Optional[str] = None  # dev, optional, a named group...
    extras: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence that the code reaches an LLM provider or an agnostic layer."""

    kind: str
    path: str  # relative to the scan root, POSIX
    line: int
    column: int
    context: str
    provider: Optional[str]  # the API service the request goes to; None for a pure layer
    model_vendor: Optional[str] = None  # whose model it is, where known
    layer: Optional[str] = None  # the provider-agnostic layer in the path, if any
    detail: str = ""  # package, import, class, host or variable name
    model: Optional[str] = None
    version: Optional[str] = None  # pinned/locked SDK version, dependency evidence only
    specifier: str = ""  # declared version constraint, dependency evidence only
    confidence: str = "high"
    snippet: str = ""  # the source line, trimmed and redacted
    # Structured facts, so later stages never re-parse ``detail`` or the path:
    ecosystem: Optional[str] = None  # dependency evidence: the package ecosystem (pypi, npm, go...)
    package: Optional[str] = None  # dependency evidence: the package name; clients: the SDK root they come from
    endpoint: Optional[str] = None  # clients: the host they are pointed at, "<configurable>" or "<unknown host>"
    surface: Optional[str] = None  # the API surface a call uses (assistants, responses, batch...), where known
    feature: Optional[str] = None  # a provider-specific feature the call depends on, where known
    default_of: Optional[str] = None  # model ids: the environment variable that replaces this default when set

    def but(self, **changes: object) -> "Evidence":
        """A copy with ``changes``: ``dataclasses.replace`` without re-running ``__init__`` (ten times
        faster; attribution re-places tens of thousands of items in a large tree)."""
        copy = object.__new__(Evidence)
        copy.__dict__.update(self.__dict__, **changes)
        return copy

    def sort_key(self) -> tuple:
        return (self.path, self.line, self.column, self.kind, self.provider or "", self.layer or "",
                self.detail, self.model or "")


_PRIMARY = attrgetter("path", "line", "column", "kind")  # the head of Evidence.sort_key, read in C


IMPORTED_PREFIX = "imported "  # a model-id reference to another file, resolved by scanning/imported.py


def imported_reference(target: str, name: str) -> str:
    """The detail of a model-id reference: ``name`` as ``target`` (a path below the scan root, without
    extension) exports it. Never left in a result: the scan replaces it by the id or drops it."""
    return f"{IMPORTED_PREFIX}{target}#{name}"


def is_imported_reference(e: "Evidence") -> bool:
    return e.kind == "model-id" and e.model is None and e.detail.startswith(IMPORTED_PREFIX)


def sdk_root(detail: str) -> str:
    """The SDK a detail names: ``openai`` for ``openai.OpenAI base_url=...``; npm, Go and Maven names whole."""
    head = detail.split(" ", 1)[0]
    if head.startswith("@") or "/" in head or ":" in head:  # npm scopes, Go modules, Maven coordinates
        return head
    return re.split(r"[.\[]", head, 1)[0].lower()


def client_facts(kind: str, detail: str) -> dict:
    """The structured fields of import and client evidence, read once where the detail is built: the SDK root and
    the endpoint written after ``key=`` (a host, ``<configurable>`` or ``<unknown host>``)."""
    if kind == "import":
        return {"package": sdk_root(detail)}
    if kind != "client":
        return {}
    endpoint = detail.split("=", 1)[1] if " " in detail and "=" in detail.split(" ", 1)[1] else None
    return {"package": sdk_root(detail), "endpoint": endpoint}


def sdk_of(e: Evidence) -> str:
    """The SDK (package root) that dependency, import or client evidence comes from."""
    return sdk_root(e.package or e.detail)


def is_production(e: Evidence, contexts: Sequence[str] = DECISIVE_CONTEXTS) -> bool:
    """The one definition of *production evidence*, the evidence that decides the verdict, the findings
    and which risk events apply: found in a decisive context (``decisive-contexts``) and not at low
    confidence."""
    return e.context in contexts and e.confidence != "low"


def decisive_evidence(evidence: Sequence[Evidence], contexts: Sequence[str] = DECISIVE_CONTEXTS) -> List[Evidence]:
    """The production evidence that shows its provider really reached: not a dependency alone, and a model
    id, a feature use or an API call only when a client of its provider, or an agnostic layer, is in the same file (a
    model table or a constant nothing sends is not a request). The verdict, the footprint and the risk
    check count providers by this; the rest is "mentioned, not reached".

    For a tuple (which cannot change), the answer for the last one asked is kept: judging asks it of
    the same evidence several times."""
    global _LAST_DECISIVE
    if type(evidence) is tuple:
        last = _LAST_DECISIVE  # read once, replaced whole: threads judging at once never mix two answers
        if last[0] is evidence and last[1] == tuple(contexts):
            return list(last[2])
        found = _decisive(evidence, contexts)
        _LAST_DECISIVE = (evidence, tuple(contexts), tuple(found))
        return found
    return _decisive(evidence, contexts)


_LAST_DECISIVE: tuple = (None, None, ())  # the tuple last asked about, its contexts, the answer


def forget_decisive() -> None:
    """Let go of the evidence ``decisive_evidence`` last kept (once judging is done with it)."""
    global _LAST_DECISIVE
    _LAST_DECISIVE = (None, None, ())


def _decisive(evidence: Sequence[Evidence], contexts: Sequence[str]) -> List[Evidence]:
    production = [e for e in evidence if e.context in contexts and e.confidence != "low"]  # is_production, inlined
    clients = {(e.path, e.provider) for e in production if e.kind == "client" and e.provider}
    layer_files = {e.path for e in production if e.layer and e.kind in ("import", "client")}

    def reaches(e: Evidence) -> bool:
        if e.kind == "dependency":
            return False
        if e.kind not in ("model-id", "feature", "api-call"):
            return True
        return (e.path, e.provider) in clients or e.path in layer_files or e.layer is not None

    return [e for e in production if e.provider and reaches(e)]


def reached_providers(evidence: Sequence[Evidence], contexts: Sequence[str] = DECISIVE_CONTEXTS) -> Set[str]:
    return {e.provider for e in decisive_evidence(evidence, contexts) if e.provider}


def sorted_evidence(items: Iterable[Evidence]) -> List[Evidence]:
    """The distinct ``items`` in ``Evidence.sort_key`` order, several times faster than ``sorted(set(items),
    key=Evidence.sort_key)`` on tens of thousands: sorted by the key's head with a key read in C, then
    only the rare runs of items tied on it are ordered by the whole key."""
    unique = list(items)
    heads = list(map(_PRIMARY, unique))
    order = sorted(range(len(unique)), key=heads.__getitem__)
    result = [unique[i] for i in order]
    heads = [heads[i] for i in order]
    tied = list(compress(range(len(heads) - 1), map(eq, heads, heads[1:])))
    runs = []
    start = 0
    while start < len(tied):  # each run of consecutive ties: positions tied[start]..tied[end] + 1
        end = start
        while end + 1 < len(tied) and tied[end + 1] == tied[end] + 1:
            end += 1
        runs.append((tied[start], tied[end] + 2))
        start = end + 1
    # Equal items share their head, so each stands in a run of ties: duplicates are dropped there (hashing
    # those few, not every item), the last run first so that the earlier positions stay put.
    for first, last in reversed(runs):
        result[first:last] = dict.fromkeys(sorted(result[first:last], key=Evidence.sort_key))
    return result


def interned(values: Iterable[object]) -> list:
    """``values`` with their short strings interned. Evidence read from the cache holds a separate copy
    of each path, kind and provider (a fresh scan shares them); shared, they compare and hash by
    identity, and sorting, grouping and matching tens of thousands of items take half the time."""
    return [intern(v) if type(v) is str and len(v) < 200 else v for v in values]


@dataclass(frozen=True)
class Skip:
    """A file the scan could not read or understand, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class Suppression:
    """An inline ``provider-audit: ignore[...]`` comment."""

    path: str
    line: int  # where the comment is
    target: int  # the line it covers
    codes: Tuple[str, ...]  # empty: every code


@dataclass(frozen=True)
class FileReport:
    """What one detector found in one file."""

    evidence: Tuple[Evidence, ...] = ()
    skips: Tuple[Skip, ...] = ()
    includes: Tuple[str, ...] = ()  # other files this one pulls in (requirements -r)
    suppressions: Tuple[Suppression, ...] = ()
    digest: str = ""  # of the bytes analysed (``cache.content_digest``); "" when the file was not read


@dataclass
class ScanResult:
    root: str
    files_scanned: int = 0
    evidence: list = field(default_factory=list)
    skips: list = field(default_factory=list)
    suppressions: list = field(default_factory=list)
    files_light: int = 0  # files read with the light pass (keyword lines only: ``scanning/analysis.light_pass``)
