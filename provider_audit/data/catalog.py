"""The provider catalog (``rules/providers.yaml``): loading, validation and look-ups.

The catalog is data. This module turns it into indexes that answer, cheaply, the questions the
detectors ask: which provider does this package, import, client class, host, environment variable or
model id point at?
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import AbstractSet, Dict, FrozenSet, Iterable, Iterator, List, Mapping, NoReturn, Optional, Sequence, Set, Tuple, Union

import ahocorasick_rs
import yaml

try:  # the regex parser, to learn which literal text a model pattern starts with
    from re import _constants as _sre_constants, _parser as _sre_parse  # Python 3.11+
except ImportError:  # pragma: no cover
    import sre_constants as _sre_constants  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

from provider_audit._compat import canonicalize_name, safe_load_yaml
from provider_audit.data.resources import rules_dir
from provider_audit.data.safe_read import InputError, read_text
from provider_audit.redact import PrintableError
from provider_audit.data.validation import close_hint, regex_problem

ECOSYSTEMS = ("pypi", "npm", "go", "maven", "crates", "nuget", "rubygems", "composer")
PROVIDER_KINDS = ("api", "platform", "router", "local")
# The provider id of an OpenAI-compatible endpoint set at run time or on a host the catalog does not know.
COMPATIBLE = "openai-compatible"

_PROVIDER_KEYS = {
    "id", "name", "kind", "vendor", "packages", "weak_packages", "python", "hosts", "env", "weak_env",
    "models", "ambiguous_models", "platform_models", "alternatives", "notes",
}
_LAYER_KEYS = {"id", "name", "packages", "python", "hosts", "env", "integrations", "notes"}
_INTEGRATION_KEYS = {"provider", "packages", "python_imports", "python_clients", "notes"}
_PYTHON_KEYS = {"imports", "clients", "utilities"}
_CLIENT_KEYS = {"path", "provider", "vendor"}
_PLATFORM_MODEL_KEYS = {"pattern", "vendor"}
_TOP_KEYS = {"schema_version", "providers", "layers", "model_prefixes", "base_url_env", "python_services",
             "capabilities"}
_CAPABILITY_KEYS = {"id", "name", "markers", "providers"}

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_PATTERN_LENGTH = 300
# Strings longer than this are never model ids; it also bounds the cost of every model regex.
MAX_MODEL_LENGTH = 160


class CatalogError(PrintableError):
    """The catalog file is invalid; the message names the file, the entry and the key."""


@dataclass(frozen=True)
class Attribution:
    """Where a piece of evidence points: the provider reached, the model vendor, the layer in the path."""

    provider: Optional[str]
    vendor: Optional[str] = None
    layer: Optional[str] = None
    confidence: str = "high"


@dataclass(frozen=True)
class ModelMatch:
    model: str
    vendor: Optional[str]
    provider: Optional[str]  # set when the id's own form names the provider (Bedrock, Vertex ids)
    ambiguous: bool = False
    # The service a "prefix/model" or "prefix:model" names (litellm's "bedrock/...", "groq/..."). Only
    # an agnostic layer reads the prefix as a service; elsewhere "openai/whisper-large-v3" is just a
    # Hugging Face repo name, so the scan decides (attribution.py).
    prefix_provider: Optional[str] = None


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    kind: str
    vendor: Optional[str]
    hosts: Tuple[str, ...]
    alternatives: Tuple[str, ...]


@dataclass(frozen=True)
class Capability:
    id: str
    name: str
    markers: Tuple[str, ...]
    providers: Tuple[str, ...]


@dataclass(frozen=True)
class Layer:
    id: str
    name: str


class Catalog:
    """Indexes over the catalog data; built once per process (``load_catalog``)."""

    def __init__(self, data: Mapping, source: str = "<catalog>", screen: bool = True):
        self.source = source
        _Validator(data, source, screen).run()
        self.providers: Dict[str, Provider] = {}
        self.layers: Dict[str, Layer] = {}
        self._packages: Dict[Tuple[str, str], Attribution] = {}
        self._modules: Dict[str, Attribution] = {}
        self._clients: Dict[str, Attribution] = {}
        self._hosts: Dict[str, Attribution] = {}
        self._wild_hosts: List[Tuple[str, Attribution]] = []
        self._env: Dict[str, Attribution] = {}
        self._model_patterns: List[Tuple[str, Optional[str], Optional[str], str]] = []  # pattern, vendor, provider, entry
        self._ambiguous: Dict[str, str] = {}
        self._model_memo: Dict[Tuple[str, bool], Optional[ModelMatch]] = {}
        self._capability_memo: Dict[Optional[str], Optional[Capability]] = {}
        self.model_prefixes: Dict[str, str] = dict(data.get("model_prefixes") or {})
        self.base_url_env: Dict[str, str] = dict(data.get("base_url_env") or {})
        self.python_services: Dict[str, str] = dict(data.get("python_services") or {})
        self.capabilities: Tuple[Capability, ...] = tuple(
            Capability(c["id"], c["name"], tuple(m.lower() for m in c.get("markers") or ()), tuple(c["providers"]))
            for c in data.get("capabilities") or ())
        keywords: set = set()
        # Scoped npm package names ("@ai-sdk/openai"), kept apart from the other keywords: where no other
        # keyword contains one, it counts only where the name ends (``whole_names``).
        self._scoped: Set[str] = set()

        for entry in data.get("providers") or ():
            self._add_provider(entry, keywords)
        for entry in data.get("layers") or ():
            self._add_layer(entry, keywords)
        keywords.update(f"{k.lower()}{sep}" for k in self.model_prefixes for sep in "/:")
        keywords.update(k.lower() for k in self.base_url_env)
        keywords.update(k.lower() for k in self.python_services)
        self.model_vendors = tuple(sorted({v for _, v, _, _ in self._model_patterns if v} | set(self._ambiguous.values())))
        self._vendor_default = {p.vendor: p.id for p in self.providers.values() if p.kind == "api" and p.vendor}
        self._model_heads: Optional[FrozenSet[str]] = None  # set by _join_models (``_match_model``)
        self._head_lengths: Tuple[int, ...] = ()
        self._model_regex = self._join_models(keywords)
        self._any_model: Optional[re.Pattern] = None  # compiled on first use: a scan may never need it
        self._other_words = keywords
        self._keyword_set = keywords | self._scoped
        self._keywords: Optional[Tuple[str, ...]] = None  # both built on first use (``load_catalog`` adds
        self._prefilter: Optional[Prefilter] = None  # the feature catalog's keywords before any scan)
        # Variable-name prefixes that name a provider (DEEPSEEK_, TOGETHER_AI_, AZURE_OPENAI_...): provider ids
        # and routing prefixes, without the words that name a cloud or a vendor rather than an API.
        self._env_prefixes: Dict[str, str] = {
            name.upper().replace("-", "_"): provider
            for name, provider in [*((pid, pid) for pid in self.providers), *self.model_prefixes.items()]
            if name.lower() not in _GENERIC_ENV_PREFIXES and self.providers.get(provider) is not None}
        # A variable named after a provider (``env_var``) holds its prefix and an underscore: a keyword too
        # (QWEN_API_KEY, GOOGLE_VERTEX_API_KEY spell no other one).
        derived = {prefix.lower() + "_" for prefix in self._env_prefixes}
        self._other_words = self._other_words | derived
        self._keyword_set = self._keyword_set | derived

    # -- building ---------------------------------------------------------------------------------

    def _add_provider(self, entry: Mapping, keywords: set) -> None:
        pid = entry["id"]
        vendor = entry.get("vendor")
        hosts = tuple(entry.get("hosts") or ())
        self.providers[pid] = Provider(pid, entry["name"], entry["kind"], vendor, hosts,
                                       tuple(entry.get("alternatives") or ()))
        own = Attribution(pid, vendor)
        self._index_packages(entry.get("packages"), own, keywords)
        self._index_packages(entry.get("weak_packages"), Attribution(pid, vendor, confidence="low"), keywords)
        python = entry.get("python") or {}
        for module in python.get("imports") or ():
            self._modules[module] = own
            keywords.add(_module_keyword(module))
        for client in python.get("clients") or ():
            target = client.get("provider", pid)
            self._clients[client["path"]] = Attribution(target, client.get("vendor", vendor if target == pid else None))
        for host in hosts:
            self._index_host(host, own, keywords)
        for name in entry.get("env") or ():
            self._env[name] = own
            keywords.add(name.lower())
        for name in entry.get("weak_env") or ():
            self._env[name] = Attribution(pid, vendor, confidence="low")
            keywords.add(name.lower())
        for pattern in entry.get("models") or ():
            self._add_model_pattern(pattern, vendor, None, f"provider '{pid}'")
        for item in entry.get("platform_models") or ():
            self._add_model_pattern(item["pattern"], item.get("vendor"), pid, f"provider '{pid}'")
        for word in entry.get("ambiguous_models") or ():
            self._ambiguous[word.lower()] = vendor or pid

    def _add_layer(self, entry: Mapping, keywords: set) -> None:
        lid = entry["id"]
        self.layers[lid] = Layer(lid, entry["name"])
        own = Attribution(None, None, lid)
        self._index_packages(entry.get("packages"), own, keywords)
        # A layer's core Java package (org.springframework.ai.chat.client) never spells its artifact name.
        keywords.update(name.split(":")[0].lower() for name in ((entry.get("packages") or {}).get("maven") or ())
                        if name.count(".") >= 2)
        python = entry.get("python") or {}
        for module in python.get("imports") or ():
            self._modules[module] = own
            keywords.add(_module_keyword(module))
        for client in python.get("clients") or ():
            self._clients[client["path"]] = own
        for module in python.get("utilities") or ():  # the layer's own parts that route no request
            self._modules[module] = Attribution(None, None, lid, confidence="low")
        for host in entry.get("hosts") or ():
            self._index_host(host, own, keywords)
        for name in entry.get("env") or ():
            self._env[name] = own
            keywords.add(name.lower())
        for integration in entry.get("integrations") or ():
            via = Attribution(integration["provider"], None, lid)
            self._index_packages(integration.get("packages"), via, keywords)
            for module in integration.get("python_imports") or ():
                self._modules[module] = via
                keywords.add(_module_keyword(module))
            for path in integration.get("python_clients") or ():
                self._clients[path] = via

    def _index_packages(self, packages: Optional[Mapping], attribution: Attribution, keywords: set) -> None:
        for ecosystem, names in (packages or {}).items():
            for name in names:
                self._packages[(ecosystem, normalize_package(ecosystem, name))] = attribution
                if ecosystem == "npm" and name.startswith("@") and "/" in name:
                    self._scoped.add(name.lower())
                elif ecosystem == "npm" and len(name) < _MIN_KEYWORD:
                    keywords.update(_short_name_forms(name.lower()))
                else:
                    keywords.add(_package_keyword(ecosystem, name))

    def _index_host(self, host: str, attribution: Attribution, keywords: set) -> None:
        host = host.lower()
        if host.startswith("*."):
            self._wild_hosts.append((host[1:], attribution))
            keywords.add(host[2:])
        else:
            self._hosts[host] = attribution
            keywords.add(host)
            if host.startswith("localhost:"):  # a local server's port, on any loopback name (``host``)
                keywords.update(name + host[len("localhost"):] for name in _LOOPBACK if name not in ("localhost", "::1"))

    def _add_model_pattern(self, pattern: str, vendor: Optional[str], provider: Optional[str], entry: str) -> None:
        self._model_patterns.append((pattern, vendor, provider, entry))

    def _join_models(self, keywords: set) -> Optional[str]:
        """All model patterns as one regex, one named group each: one match call per string. Parsed here
        (its literal prefixes are prefilter keywords; a syntax error is the catalog's), compiled on first
        use (``_compiled_models``)."""
        if not self._model_patterns:
            return None
        # A platform's own id forms first: Groq's llama-3.3-70b-versatile is Groq's before it is a Llama id.
        self._model_patterns.sort(key=lambda item: item[2] is None)
        joined = "|".join(f"(?P<m{i}>{p})" for i, (p, _, _, _) in enumerate(self._model_patterns))
        try:
            parsed = _sre_parse.parse(joined, MODEL_FLAGS)
        except (re.error, RecursionError, OverflowError):
            self._refuse_models()
        heads: Set[str] = set()
        # One BRANCH of (?P<mN>...) subpatterns (with a single pattern, that subpattern alone).
        branches = parsed[0][1][1] if parsed[0][0] is _sre_constants.BRANCH else [list(parsed)]
        for branch in branches:
            prefixes = [p.lower() for p in _expand(list(branch), [""])[0]]
            keywords.update(prefixes)
            heads.update(p[:_HEAD] for p in prefixes)
        # Every model id starts with one of its pattern's prefixes, and so with one of these heads: a string
        # that starts with none is no model id, without a pass of the combined pattern. Only ASCII heads
        # (the pattern ignores the case of ASCII letters only, ``MODEL_FLAGS``: where it matches, the
        # head's characters are ASCII and lower-case as the heads were). (A pattern without a literal
        # prefix would start with "": every string is tried.)
        if "" not in heads and all(head.isascii() for head in heads):
            self._model_heads = frozenset(heads)
            self._head_lengths = tuple(sorted({len(h) for h in heads}))
        return joined

    def compile(self) -> None:
        """Compile now what is otherwise compiled on first use (before forking workers that all need it)."""
        self._compiled_models()
        self.prefilter  # noqa: B018 - built here, shared by the forked workers

    def _compiled_models(self) -> Optional[re.Pattern]:
        if self._any_model is None and self._model_regex is not None:
            try:
                self._any_model = re.compile(self._model_regex, MODEL_FLAGS)
            except (re.error, RecursionError, OverflowError):
                self._refuse_models()
        return self._any_model

    def _refuse_models(self) -> NoReturn:
        """The CatalogError for model patterns that do not compile, naming the pattern where one alone does not."""
        for pattern, _, _, entry in self._model_patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise CatalogError(f"{self.source}: {entry}: key 'models': pattern {pattern!r} "
                                   f"does not compile: {exc}") from None
        raise CatalogError(f"{self.source}: model patterns: they do not compile together "
                           "(a named group (?P<...>) or a backreference?)") from None

    # -- look-ups ---------------------------------------------------------------------------------

    def package(self, ecosystem: str, name: str) -> Optional[Attribution]:
        return self._packages.get((ecosystem, normalize_package(ecosystem, name)))

    def packages(self, ecosystem: str) -> Tuple[str, ...]:
        """Every package name listed for ``ecosystem``, normalised (for prefix matching of namespaces)."""
        return tuple(sorted(name for eco, name in self._packages if eco == ecosystem))

    def sdk_owner(self, name: str) -> Optional[Attribution]:
        """The provider whose SDK ``name`` is, in whichever ecosystem lists it (layers excluded)."""
        for ecosystem in ECOSYSTEMS:
            found = self.package(ecosystem, name)
            if found is not None and found.provider and found.layer is None:
                return found
        return None

    def python_module(self, dotted: str) -> Optional[Attribution]:
        """The attribution of a module or any of its parents (``google.genai.types`` -> ``google.genai``)."""
        parts = dotted.split(".")
        for end in range(len(parts), 0, -1):
            found = self._modules.get(".".join(parts[:end]))
            if found is not None:
                return found
        return None

    def python_client(self, dotted: str) -> Optional[Attribution]:
        return self._clients.get(dotted)

    def host(self, hostname: str, port: Optional[int] = None) -> Optional[Attribution]:
        hostname = hostname.lower().rstrip(".")
        if hostname in _LOOPBACK:
            return self._hosts.get(f"localhost:{port}") if port else None
        found = self._hosts.get(hostname)
        if found is not None:
            return found
        for suffix, attribution in self._wild_hosts:
            if hostname.endswith(suffix):
                return attribution
        return None

    def env_var(self, name: str) -> Optional[Attribution]:
        """The provider a variable belongs to: listed in the catalog, or named ``<PROVIDER>_API_KEY``,
        ``<PROVIDER>_KEY``, ``<PROVIDER>_BASE_URL``, ``<PROVIDER>_HOST``... after a provider id or routing
        prefix (``FIREWORKS_KEY``, ``DEEPSEEK_BASE_URL``, ``OLLAMA_BASE_URLS``)."""
        found = self._env.get(name)
        if found is not None or len(name) > 80:
            return found
        match = _DERIVED_ENV_RE.fullmatch(name)
        provider = self._env_prefixes.get(match.group(1)) if match else None
        if match is None or provider is None:
            return None
        # OPENAI_API_BASE_URL, like OPENAI_BASE_URL, points the OpenAI SDK anywhere: a hint only.
        redirect = provider in self.base_url_env.values() and bool(_ENDPOINT_NAME_RE.search(match.group(2)))
        return Attribution(provider, self.providers[provider].vendor, confidence="low" if redirect else "high")

    def redirects(self, name: str) -> Optional[str]:
        """The provider whose SDK an endpoint variable points elsewhere (``OPENAI_BASE_URL``,
        ``OPENAI_API_BASE_URLS`` -> openai), or None."""
        if name in self.base_url_env:
            return self.base_url_env[name]
        match = _DERIVED_ENV_RE.fullmatch(name) if len(name) <= 80 else None
        if match is None or not _ENDPOINT_NAME_RE.search(match.group(2)):
            return None
        provider = self._env_prefixes.get(match.group(1))
        return provider if provider in self.base_url_env.values() else None

    def endpoint_env(self, name: str) -> Optional[str]:
        """The provider an endpoint variable's NAME points at (``AZURE_OPENAI_ENDPOINT`` -> azure-openai,
        ``OLLAMA_HOST`` -> ollama, ``DEEPSEEK_BASE_URL`` -> deepseek, ``OPENAI_BASE_URL`` -> openai: unset, the
        SDK's own default is used); None for names that say nothing (``LLM_BASE_URL``)."""
        if name in self.base_url_env:
            return self.base_url_env[name]
        listed = self._env.get(name)
        if listed is not None and listed.provider and listed.confidence != "low" and listed.layer is None:
            return listed.provider if _ENDPOINT_NAME_RE.search(name) else None
        match = _DERIVED_ENV_RE.fullmatch(name)
        if match is None or not _ENDPOINT_NAME_RE.search(match.group(2)):
            return None
        return self._env_prefixes.get(match.group(1))

    def model(self, text: str, expected: bool = False) -> Optional[ModelMatch]:
        """The model id ``text`` is, if any. ``expected``: the string sits where a model id goes."""
        if not text or len(text) > MAX_MODEL_LENGTH:
            return None
        if not expected and text[0].isupper() and "/" not in text:
            return None  # "GPT-4o" in a UI label; code writes ids in lower case, or passes them as model=
        # Memoised: the same strings ("id", "gpt-4o", "content"...) come back in every file, and one
        # answer costs a pass of the combined model regex. Bounded, so memory stays flat.
        key = (text, expected)
        memo = self._model_memo
        if key in memo:
            return memo[key]
        found = self._model(_ROUTING_SUFFIX.sub("", text), text, expected, depth=0) if _MODEL_CHARS.fullmatch(text) else None
        if len(memo) >= _MODEL_MEMO_SIZE:
            memo.clear()
        memo[key] = found
        return found

    def _model(self, text: str, original: str, expected: bool, depth: int) -> Optional[ModelMatch]:
        found = self._match_model(text)
        if found is not None:
            return ModelMatch(original, found.vendor, found.provider)
        for sep in ("/", ":"):
            head, _, tail = text.partition(sep)
            service = self.model_prefixes.get(head.lower()) if tail else None
            if service is None:
                continue
            inner = self._model(tail, original, False, depth + 1) if depth < 2 else None
            if inner is not None:
                return ModelMatch(original, inner.vendor, inner.provider, prefix_provider=service)
            if expected:
                vendor = self.providers[service].vendor if service in self.providers else None
                return ModelMatch(original, vendor, None, prefix_provider=service)
        if expected and text.lower() in self._ambiguous:
            vendor = self._ambiguous[text.lower()]
            return ModelMatch(original, vendor, None, ambiguous=True)
        return None

    def _match_model(self, text: str) -> Optional[ModelMatch]:
        heads = self._model_heads
        if heads is not None:
            head = text[:_HEAD].lower()
            if not any(head[:n] in heads for n in self._head_lengths):
                return None
        compiled = self._compiled_models()
        found = compiled.fullmatch(text) if compiled is not None else None
        if found is None:
            return None
        index = next(int(name[1:]) for name, value in found.groupdict().items() if value is not None)
        _, vendor, provider, _ = self._model_patterns[index]
        return ModelMatch(text, vendor, provider)

    def vendor_ids(self) -> FrozenSet[str]:
        """Every model vendor the catalog names: providers' vendors and the vendors of model-id patterns."""
        vendors = {p.vendor for p in self.providers.values() if p.vendor}
        return frozenset(vendors | {v for v in self.model_vendors if v})

    def default_provider(self, vendor: Optional[str]) -> Optional[str]:
        """The vendor's own API (``anthropic`` for Claude ids) when nothing else says where it goes."""
        return self._vendor_default.get(vendor) if vendor else None

    def capability_of(self, model: Optional[str]) -> Optional[Capability]:
        """What a model id does (embeddings, speech-to-text...), by the markers in its name; chat otherwise
        (remembered: advice and switching costs ask it of every model id, several times)."""
        memo = self._capability_memo
        if model not in memo:
            if len(memo) >= 1 << 14:
                memo.clear()
            memo[model] = self._capability(model)
        return memo[model]

    def _capability(self, model: Optional[str]) -> Optional[Capability]:
        lowered = (model or "").lower()
        default = None
        for capability in self.capabilities:
            if not capability.markers:
                default = default or capability
            elif any(marker in lowered for marker in capability.markers):
                return capability
        return default

    def alternatives(self, provider: str, capability: Optional[Capability] = None, limit: int = 4) -> List[str]:
        """Other providers offering the capability: the provider's own listed alternatives first."""
        info = self.providers.get(provider)
        preferred = list(info.alternatives) if info else []
        offering = list(capability.providers) if capability else preferred
        ordered = [p for p in preferred if p in offering] + [p for p in offering if p not in preferred]
        return [p for p in ordered if p != provider][:limit]

    def is_router(self, provider: Optional[str]) -> bool:
        info = self.providers.get(provider or "")
        return info is not None and info.kind == "router"

    def add_keywords(self, words: Iterable[str]) -> None:
        """More texts that make a file worth reading (the feature catalog's, ``data/features.py``)."""
        added = {w.lower() for w in words}
        self._keyword_set = self._keyword_set | added
        self._other_words = self._other_words | added
        self._keywords = self._prefilter = None

    @property
    def keywords(self) -> Tuple[str, ...]:
        """The texts that make a file worth reading, none containing another (the shorter one finds it)."""
        if self._keywords is None:
            self._keywords = tuple(sorted(_minimal_keywords(self._keyword_set)))
        return self._keywords

    @property
    def prefilter(self) -> "Prefilter":
        if self._prefilter is None:
            self._prefilter = Prefilter(self.keywords, self.whole_names())
        return self._prefilter

    def whole_names(self) -> FrozenSet[str]:
        """The keywords that stand for scoped npm package names only: no other keyword (an SDK's module, a
        model-id prefix, a feature's text, another package) contains one. Such a keyword counts only where
        the name ends: ``@ai-sdk/provider`` names nothing in ``from "@ai-sdk/provider-utils"``, which is
        another package (one the catalog does not list, or its own name would contain the keyword)."""
        everything = self._keyword_set
        return frozenset(k for k in self.keywords if k in self._scoped and k not in self._other_words
                         and not any(k in word for word in everything if word != k))

    def display_name(self, ident: Optional[str]) -> str:
        if ident in self.providers:
            return self.providers[ident].name
        if ident in self.layers:
            return self.layers[ident].name
        return ident or "unknown"


_MODEL_MEMO_SIZE = 20_000
# <PREFIX>_<SUFFIX>: a key or an endpoint variable named after its provider.
_DERIVED_ENV_RE = re.compile(r"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*?)_((?:API_)?KEY|(?:API_|ACCESS_)?TOKEN|SECRET_KEY|"
                             r"(?:API_)?BASE(?:_URLS?)?|BASE_URLS?|(?:API_)?URLS?|(?:API_)?HOST|(?:API_)?ENDPOINT)")
_ENDPOINT_NAME_RE = re.compile(r"BASE|URL|HOST|ENDPOINT")
# Prefixes that name a cloud, a vendor or nothing in particular rather than an API: GOOGLE_API_KEY serves
# Maps too, AZURE_KEY any Azure service, META_TOKEN anything.
_GENERIC_ENV_PREFIXES = frozenset({"google", "meta", "amazon", "aws", "azure", "llama", "alibaba", "openai-compatible",
                                   "vertexai", "vertex_ai", "vertex-ai", "zai"})
_LOOPBACK = {"localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1", "host.docker.internal"}
# OpenRouter and Hugging Face routing suffixes: "anthropic/claude-3.5-sonnet:free".
_ROUTING_SUFFIX = re.compile(r":(?:free|nitro|beta|extended|floor|online|thinking|exacto)$")
_MODEL_CHARS = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:/@+-]*")


def normalize_package(ecosystem: str, name: str) -> str:
    if ecosystem == "pypi":
        return canonicalize_name(name)
    if ecosystem == "crates":
        return name.lower().replace("_", "-")  # crates.io treats - and _ as the same
    if ecosystem in ("nuget", "composer", "maven", "rubygems"):
        return name.lower()
    return name  # npm and Go names are case-sensitive


def _package_keyword(ecosystem: str, name: str) -> str:
    """Text that any file naming the package contains."""
    name = name.lower()
    if ecosystem == "maven":
        return name.split(":")[-1]
    if ecosystem == "pypi":
        # "google-genai" may be written google_genai or Google.GenAI; its words are always there.
        return _distinctive(re.split(r"[-_.]", name), name)
    return name


def _short_name_forms(name: str) -> List[str]:
    """Keywords for an npm package whose name is too short to be one (``ai``, the Vercel AI SDK): the name
    as imports and manifests write it, quoted or with a version, a subpath or a lockfile's path around it
    (a yarn v1 entry starts a line unquoted, and names its tarball: ``/ai/-/ai-4.0.0.tgz``). No keyword
    holds a line break: each is a line's text (``keyword_lines``; ``rg -F -f`` in ``bench.py``)."""
    return [f'"{name}"', f"'{name}'", f'"{name}/', f"'{name}/", f'/{name}"', f'"{name}@', f"/{name}@", f" {name}@",
            f"/{name}/-/{name}-", f":{name}@", f':{name}"', f" {name}:"]


def _module_keyword(module: str) -> str:
    """``genai`` for ``google.genai`` (``from google import genai`` never spells the dotted name)."""
    return _distinctive(module.lower().split("."), module.lower())


# Words too common to pick files out by themselves.
_GENERIC_WORDS = frozenset({
    "ai", "api", "sdk", "client", "core", "python", "llm", "llms", "index", "llama", "google", "cloud",
    "azure", "aws", "amazon", "meta", "inference", "projects", "embeddings", "enterprise", "any", "slim",
    "kernel", "semantic", "pydantic", "chat", "models", "community", "helpers", "hub", "gateway", "agents",
    "provider", "providers", "converse", "vertex", "generative", "js", "go", "net", "java", "cpp",
})


def _distinctive(words: List[str], whole: str) -> str:
    kept = [w for w in words if w not in _GENERIC_WORDS and len(w) >= 3]
    return max(kept, key=len) if kept else whole


def model_pattern_keywords(pattern: str) -> List[str]:
    """Literal texts one of which every match of ``pattern`` starts with (what the prefilter looks for).

    Follows literals, small character sets, groups and alternations; stops at the first repeat or
    anything else, or when expanding further would give too many prefixes.
    """
    try:
        parsed = _sre_parse.parse(pattern, MODEL_FLAGS)
    except (re.error, OverflowError, RecursionError):
        return []
    prefixes, _ = _expand(list(parsed), [""])
    return sorted({p.lower() for p in prefixes})


def _expand(items: list, prefixes: List[str]) -> Tuple[List[str], bool]:
    """Extend ``prefixes`` through ``items``; the flag says whether all of ``items`` was consumed."""
    c = _sre_constants
    for op, arg in items:
        if op is c.LITERAL:
            grown = [p + chr(arg) for p in prefixes]
        elif op is c.IN:
            chars = []
            for kind, value in arg:
                if kind is c.LITERAL:
                    chars.append(chr(value))
                elif kind is c.RANGE and value[1] - value[0] < 10:
                    chars.extend(chr(v) for v in range(value[0], value[1] + 1))
                else:
                    return prefixes, False
            grown = [p + ch for p in prefixes for ch in chars]
        elif op is c.SUBPATTERN:
            grown, complete = _expand(list(arg[-1]), prefixes)
            if not complete:
                return (grown if len(grown) <= _MAX_PREFIXES else prefixes), False
        elif op is c.BRANCH:
            grown, complete = [], True
            for branch in arg[1]:
                part, done = _expand(list(branch), prefixes)
                grown.extend(part)
                complete = complete and done
            if not complete:
                return (grown if len(grown) <= _MAX_PREFIXES else prefixes), False
        elif op in (c.ASSERT, c.ASSERT_NOT):
            continue
        elif op is c.MAX_REPEAT and arg[0] == 0 and arg[1] == 1:  # x? : with and without x
            part, complete = _expand(list(arg[2]), prefixes)
            grown = prefixes + part
            if not complete:
                return (grown if len(grown) <= _MAX_PREFIXES else prefixes), False
        else:
            return prefixes, False
        if len(grown) > _MAX_PREFIXES:
            return prefixes, False
        prefixes = grown
    return prefixes, True


_MAX_PREFIXES = 32
# Model ids are ASCII: the patterns ignore the case of ASCII letters only, and their \w and \d are ASCII
# ("\u017fonnet" with a long s or a Kelvin sign "K" is no model id; the Unicode-wide flags would take them
# for "s" and "k", and the combined pattern compiles in a third of the time without them).
MODEL_FLAGS = re.IGNORECASE | re.ASCII
_MIN_KEYWORD = 3  # shorter texts occur in nearly every file
_HEAD = 4  # model-id prefixes are compared by their first characters (``Catalog._match_model``)
_HEX_RE = re.compile(r"[0-9a-f]+")


def _minimal_keywords(words: Iterable[str]) -> List[str]:
    """Drop every keyword that contains another one: the shorter one already finds the file."""
    candidates = {w for w in words if len(w) >= _MIN_KEYWORD}
    if not candidates:
        return []
    ordered = sorted(candidates)
    automaton = ahocorasick_rs.AhoCorasick(ordered, matchkind=ahocorasick_rs.MatchKind.Standard)
    return [w for w in ordered if all(ordered[index] == w for index, _, _ in
                                      automaton.find_matches_as_indexes(w, overlapping=True))]


class Prefilter:
    """Does a lower-cased text contain any catalog keyword, and where? Aho-Corasick passes (ahocorasick-rs,
    its DFA: a few nanoseconds a character), a window of ``WINDOW`` characters at a time, so that a file
    dense with keywords never holds more than one window's matches, and ``has`` stops at the first window
    holding one. Every file is asked this before any parser runs, so it must cost about one read of it.

    The texts are lower-cased str, or lower-cased bytes of an ASCII text (one byte a character, the same
    offsets: nothing to decode first). Keywords are minimal (none contains another, ``_minimal_keywords``):
    of two overlapping matches the one that starts first also ends first, so ends come in order.
    """

    WINDOW = 1 << 18
    FIRST = 1 << 13

    def __init__(self, words: Sequence[str], whole: AbstractSet[str] = frozenset()):
        self._words = tuple(words)
        self._whole = frozenset(whole)
        # A keyword that counts only where the character after it is not one of these (``_counted``):
        # "abab5" (MiniMax) also occurs inside lockfile hashes, so a hex-like keyword counts only where a hex
        # run ends; a scoped package name (``whole``), only where a package name ends.
        self._stops: Dict[int, FrozenSet[str]] = {}
        for i, word in enumerate(self._words):
            if word in self._whole:
                self._stops[i] = _NAME_CHARS
            elif _HEX_RE.fullmatch(word):
                self._stops[i] = _HEX_DIGITS
        self._byte_stops = {i: frozenset(ord(c) for c in chars) for i, chars in self._stops.items()}
        self._reach = max((len(word) for word in self._words), default=1) - 1  # how far a match outlasts its start
        self._automaton = ahocorasick_rs.AhoCorasick(
            self._words, matchkind=ahocorasick_rs.MatchKind.Standard,
            implementation=ahocorasick_rs.Implementation.DFA) if self._words else None
        # ASCII keywords sit at the same offsets in a lower-cased line and in the lower-cased text
        # around it (when lower-casing keeps the length): ``ends`` may then serve a whole file. And an
        # ASCII file may be asked as bytes.
        self.ascii = all(word.isascii() for word in self._words)
        self._bytes = ahocorasick_rs.BytesAhoCorasick(
            [word.encode("ascii") for word in self._words], matchkind=ahocorasick_rs.MatchKind.Standard,
            implementation=ahocorasick_rs.Implementation.DFA) if self._words and self.ascii else None

    def __reduce__(self) -> tuple:  # the automaton does not pickle: a spawned worker builds its own
        return Prefilter, (self._words, self._whole)

    def __call__(self, lowered: Union[str, bytes]) -> bool:
        return self.has(lowered)

    def has(self, lowered: Union[str, bytes]) -> bool:
        """Whether ``lowered`` holds a keyword that counts (the search stops at the first window with one;
        the first is ``FIRST`` characters: source names its provider in its first lines, its imports)."""
        return any(self._windows(lowered, self.FIRST))

    def ends(self, lowered: Union[str, bytes]) -> List[int]:
        """The offset of the last character of each keyword in ``lowered``, in order (overlapping ones too)."""
        return [end for window in self._windows(lowered) for end in window]

    def line_ends(self, lowered: Union[str, bytes], ends: Optional[Sequence[int]] = None) -> List[int]:
        """``ends``, but only the first keyword of each line ("\\n" ends one): ``ends`` on a line's text
        gives the same first. ``ends``: ``self.ends(lowered)``, if the caller has it (else each window's
        matches are read and dropped in turn)."""
        first: List[int] = []
        line_end = -1
        find = lowered.find
        newline = b"\n" if isinstance(lowered, bytes) else "\n"
        for window in (ends,) if ends is not None else self._windows(lowered):
            for end in window:
                if end > line_end:
                    first.append(end)
                    line_end = find(newline, end)  # type: ignore[arg-type]
                    if line_end < 0:
                        return first
        return first

    def _windows(self, lowered: Union[str, bytes], first: int = 0) -> Iterator[List[int]]:
        """The counted keyword ends of each window of ``lowered`` that has any, sorted, in order. A window
        is searched with ``_reach`` characters more, and keeps the matches that start inside it. The
        first window is ``first`` characters long, if given; the others ``WINDOW``."""
        if isinstance(lowered, bytes):
            automaton, stops = self._bytes, self._byte_stops
            if automaton is None:
                if self._words:
                    yield from self._windows(lowered.decode("ascii"), first)
                return
        else:
            automaton, stops = self._automaton, self._stops
            if automaton is None:
                return
        size, start, window = len(lowered), 0, first or self.WINDOW
        while start < size:
            whole = start == 0 and size <= window
            chunk = lowered if whole else lowered[start:start + window + self._reach]
            try:
                matches = automaton.find_matches_as_indexes(chunk, overlapping=True)
            except UnicodeEncodeError:  # a lone surrogate (not UTF-8): one character for one, offsets kept
                matches = automaton.find_matches_as_indexes(_SURROGATE_RE.sub("\ufffd", chunk), overlapping=True)
            if not whole:
                matches = [m for m in matches if m[1] < window]  # the others start in the next window
            found = self._counted(matches, lowered, stops, start)
            if found:
                yield found
            start, window = start + window, self.WINDOW

    def _counted(self, matches: List[Tuple[int, int, int]], lowered: Union[str, bytes],
                 stops: Dict[int, FrozenSet], offset: int) -> List[int]:
        """The last offsets in ``lowered`` of the matches (found ``offset`` into it) that count (a keyword
        with stop characters only where none follows it: ``__init__``), sorted."""
        if not matches:
            return []
        if stops and not stops.keys().isdisjoint([index for index, _, _ in matches]):
            size = len(lowered)
            return sorted(offset + end - 1 for index, _, end in matches if index not in stops
                          or offset + end >= size or lowered[offset + end] not in stops[index])
        return sorted(offset + end - 1 for _, _, end in matches)


_HEX_DIGITS = frozenset("0123456789abcdef")
# What continues an npm package name (lower-cased) into a longer one ("." too, but a sentence may end
# with a name: a dot does not stop it).
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


class _Validator:
    """Checks the catalog's shape; every error names the file, the entry and the key."""

    def __init__(self, data: Mapping, source: str, screen: bool = True):
        self.data = data
        self.source = source
        self.screen = screen  # False for the rules in use: screened before (``resources.in_rules_in_use``)
        self._known: Optional[set] = None  # the provider ids (``reference``)

    def fail(self, entry: str, key: str, message: str) -> None:
        raise CatalogError(f"{self.source}: {entry}: key '{key}': {message}")

    def keys(self, mapping: object, allowed: set, entry: str, required: Sequence[str] = ()) -> None:
        if not isinstance(mapping, dict):
            self.fail(entry, "-", "expected a mapping")
        for key in mapping:
            if key not in allowed:
                hint = close_hint(key, allowed)
                self.fail(entry, str(key), "unknown key" + (f" ({hint[2:]})" if hint else ""))
        for key in required:
            if key not in mapping:
                self.fail(entry, key, "missing")

    def strings(self, value: object, entry: str, key: str) -> None:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.fail(entry, key, "expected a list of non-empty strings")

    def pattern(self, value: object, entry: str, key: str) -> None:
        # The same screen as event and lifecycle patterns (``validation.regex_problem``); a leading .*
        # would also make every string a candidate for the prefilter.
        problem = regex_problem(value, max_length=MAX_PATTERN_LENGTH) if self.screen else None  # type: ignore[arg-type]
        if problem is None and value.startswith((".*", ".+")):  # type: ignore[union-attr]
            problem = "a pattern must not start with .* or .+"
        if problem:
            self.fail(entry, key, f"pattern {value!r}: {problem}")

    def packages(self, value: object, entry: str, key: str) -> None:
        if not isinstance(value, dict):
            self.fail(entry, key, "expected a mapping of ecosystem to package names")
        for ecosystem, names in value.items():
            if ecosystem not in ECOSYSTEMS:
                self.fail(entry, f"{key}.{ecosystem}", f"unknown ecosystem (one of {', '.join(ECOSYSTEMS)})")
            self.strings(names, entry, f"{key}.{ecosystem}")

    def run(self) -> None:
        self.keys(self.data, _TOP_KEYS, "top level", required=("schema_version", "providers"))
        if self.data["schema_version"] != 1:
            self.fail("top level", "schema_version", "unsupported version (expected 1)")
        providers = self.data["providers"]
        if not isinstance(providers, list):
            self.fail("top level", "providers", "expected a list")
        ids: set = set()
        for index, entry in enumerate(providers):
            label = f"provider '{entry.get('id')}'" if isinstance(entry, dict) and entry.get("id") else f"provider #{index + 1}"
            self.keys(entry, _PROVIDER_KEYS, label, required=("id", "name", "kind"))
            self.identifier(entry["id"], ids, label)
            if entry["kind"] not in PROVIDER_KINDS:
                self.fail(label, "kind", f"expected one of {', '.join(PROVIDER_KINDS)}")
            self.common(entry, label)
            for key in ("hosts", "env", "weak_env", "ambiguous_models", "alternatives"):
                if key in entry:
                    self.strings(entry[key], label, key)
            for pattern in entry.get("models") or ():
                self.pattern(pattern, label, "models")
            for item in entry.get("platform_models") or ():
                self.keys(item, _PLATFORM_MODEL_KEYS, label, required=("pattern",))
                self.pattern(item["pattern"], label, "platform_models.pattern")
        layers = self.data.get("layers") or []
        if not isinstance(layers, list):
            self.fail("top level", "layers", "expected a list")
        for index, entry in enumerate(layers):
            label = f"layer '{entry.get('id')}'" if isinstance(entry, dict) and entry.get("id") else f"layer #{index + 1}"
            self.keys(entry, _LAYER_KEYS, label, required=("id", "name"))
            self.identifier(entry["id"], ids, label)
            self.common(entry, label)
            for integration in entry.get("integrations") or ():
                self.keys(integration, _INTEGRATION_KEYS, label, required=("provider",))
                if "packages" in integration:
                    self.packages(integration["packages"], label, "integrations.packages")
                self.reference(integration["provider"], label, "integrations.provider")
        self.references(providers)
        capabilities = self.data.get("capabilities") or []
        if not isinstance(capabilities, list):
            self.fail("top level", "capabilities", "expected a list")
        for index, entry in enumerate(capabilities):
            label = f"capability '{entry.get('id')}'" if isinstance(entry, dict) and entry.get("id") else f"capability #{index + 1}"
            self.keys(entry, _CAPABILITY_KEYS, label, required=("id", "name", "providers"))
            self.strings(entry["providers"], label, "providers")
            if entry.get("markers"):
                self.strings(entry["markers"], label, "markers")
            for provider in entry["providers"]:
                self.reference(provider, label, "providers")

    def identifier(self, value: object, seen: set, label: str) -> None:
        if not isinstance(value, str) or not _ID_RE.match(value):
            self.fail(label, "id", "expected a kebab-case identifier")
        if value in seen:
            self.fail(label, "id", "duplicate id")
        seen.add(value)

    def common(self, entry: Mapping, label: str) -> None:
        for key in ("packages", "weak_packages"):
            if key in entry:
                self.packages(entry[key], label, key)
        python = entry.get("python")
        if python is not None:
            self.keys(python, _PYTHON_KEYS, label)
            for key in ("imports", "utilities"):
                if key in python:
                    self.strings(python[key], label, f"python.{key}")
            for client in python.get("clients") or ():
                self.keys(client, _CLIENT_KEYS, label, required=("path",))

    def reference(self, value: object, label: str, key: str) -> None:
        if self._known is None:
            self._known = {p.get("id") for p in self.data["providers"] if isinstance(p, dict)}
        if value not in self._known:
            self.fail(label, key, f"unknown provider {value!r}")

    def references(self, providers: list) -> None:
        for entry in providers:
            label = f"provider '{entry['id']}'"
            for client in (entry.get("python") or {}).get("clients") or ():
                if "provider" in client:
                    self.reference(client["provider"], label, "python.clients.provider")
            for alternative in entry.get("alternatives") or ():
                self.reference(alternative, label, "alternatives")
        for mapping_key in ("model_prefixes", "base_url_env", "python_services"):
            mapping = self.data.get(mapping_key) or {}
            if not isinstance(mapping, dict):
                self.fail("top level", mapping_key, "expected a mapping")
            for prefix, provider in mapping.items():
                self.reference(provider, mapping_key, str(prefix))


def read_rules_file(path: Path, shipped: bool, error: type) -> object:
    """The data of a rules file in ``rules/`` (``safe_read``: a regular file, size-capped; the safe
    loader, no anchors or aliases), or ``error("<path>: ...")`` raised with one line."""
    try:
        text = read_text(path)
    except InputError as exc:
        raise error(f"{path}: cannot read: {exc}") from None
    try:
        return safe_load_yaml(text, shipped)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise error(f"{path}: invalid YAML{where}") from None


def load_catalog_file(path: Path, shipped: bool = False, screen: bool = True) -> Catalog:
    """The catalog in ``path``; ``shipped``: a file of the rules in use, parsed with libyaml; ``screen``:
    its regexes go through the safety screen (see ``resources.in_rules_in_use`` for when they need not)."""
    data = read_rules_file(path, shipped, CatalogError)
    if not isinstance(data, dict):
        raise CatalogError(f"{path}: top level: key '-': expected a mapping")
    return Catalog(data, str(path), screen)


@lru_cache(maxsize=None)
def load_catalog() -> Catalog:
    """The shipped catalog, loaded once per process, with the feature catalog's keywords in its prefilter."""
    from provider_audit.data.features import shipped_features  # it checks its provider ids against this catalog

    # The rules in use were screened before this scan (``resources.in_rules_in_use``): not again.
    from provider_audit.detectors.surfaces import path_keywords  # the REST paths an api-call names

    catalog = load_catalog_file(rules_dir() / "providers.yaml", shipped=True, screen=False)
    catalog.add_keywords(shipped_features(catalog).keywords + path_keywords())
    return catalog
