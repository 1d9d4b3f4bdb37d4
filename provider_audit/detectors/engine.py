"""The detector engine: ``Source`` holds one file's tokens and the evidence found in them, with the
passes every language detector runs (constants, imports, configs, model positions, constructions).
"""

from __future__ import annotations

import bisect
import re
from itertools import chain, compress
from dataclasses import dataclass
from functools import lru_cache
from typing import AbstractSet, Callable, Container, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from provider_audit.data.catalog import Attribution, Catalog
from provider_audit.detectors import text as text_detector
from provider_audit.detectors.literals import (AZURE_DEPLOYMENTS, ENV_NAME_RE, EndpointText, Hit, classify_string,
                                               evidence_from_hit, hosts_in, named_by_variable, named_endpoint, read_endpoint,
                                               unresolved_client)
from provider_audit.models import Evidence, FileReport, Skip, client_facts
from provider_audit.redact import redact

from provider_audit.detectors.tokenizer import (ID, MAX_SCOPE_TOKENS, OP, STR, TPL, Tok, Tokens, match_brackets)

# -- shared evidence helpers -----------------------------------------------------------------------

# Keys and setter/builder names that carry a model id, compared after normalising (lower case,
# without _ - and a with/set/get prefix): `model: "x"`, `.modelName("x")`, `WithModel("x")`.
_MODEL_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_MODEL_TAILS = {("model",), ("models",), ("llm",), ("deployment",), ("engine",), ("model", "name"),
                ("model", "id"), ("deployment", "name"), ("deployment", "id"), ("model", "version")}
# Calls whose first argument is a model id or a deployment name.
MODEL_CALLS = frozenset({"getchatclient", "getembeddingclient", "getimageclient", "getaudioclient",
                         "getopenairesponseclient", "getresponsesclient", "chatclient", "embeddingclient",
                         "generativemodel", "getgenerativemodel", "languagemodel", "textembeddingmodel",
                         "chatmodel", "embeddingmodel", "imagemodel", "transcriptionmodel", "speechmodel"})
# Keys that point a client at an endpoint (normalised the same way).
ENDPOINT_KEYS = frozenset({"baseurl", "baseuri", "apibase", "uribase", "endpoint", "host", "serverurl",
                           "basepath", "openaiapibase", "apiurl", "url", "apiendpoint", "azureendpoint",
                           "endpointoverride", "baseaddress", "openaibaseurl"})
_POSITIONAL_URL_CALLS = frozenset({"Uri", "URI", "URL"})
_ASSIGN_OPS = frozenset({":", "=", "=>", ":="})
_DEFAULT_OPS = frozenset({"??", "||", "?:", "or"})
_MODEL_POSITION_OPS = _ASSIGN_OPS | _DEFAULT_OPS | {"("}  # what may stand before a model id
_ASSIGNMENTS = frozenset({"=", ":="})
# Values that the passes of every file look for (assignments, the module words, the calls and API
# surfaces of JavaScript): their positions are listed in one pass over a file's tokens (``Source.find``),
# not one pass each.
INDEXED = frozenset({"=", ":=", "from", "import", "export", "require", "new", "process", "Bun", "beta", "threads",
                     "responses", "batches", "fineTuning", "fine_tuning", "realtime", "embeddings", "images", "audio",
                     "vectorStores", "vector_stores", "evals", "files", "moderations", "completions", "chat",
                     "messages", "models", "live", "tunings"})
_LITERALS = frozenset({STR, TPL})
_STRINGS = frozenset({STR})  # (a set's __contains__ is read in C faster than str.__eq__)
_TYPE_TOKENS = frozenset({"&", "<", ">", "[", "]", "?", ".", "'", ",", "::"})
# Front-end build tools expose variables under a prefix: VITE_OPENAI_API_KEY is OPENAI_API_KEY.
ENV_PREFIXES = ("NEXT_PUBLIC_", "VITE_", "REACT_APP_", "EXPO_PUBLIC_", "NUXT_PUBLIC_", "NUXT_", "PUBLIC_",
                "GATSBY_", "VUE_APP_")


def _words(name: str) -> List[str]:
    return [w.lower() for w in _MODEL_WORDS.findall(name.lstrip("_$@:"))]


@lru_cache(maxsize=4096)
def model_key(name: str) -> bool:
    """Whether a key, variable or setter named ``name`` holds a model id."""
    words = _words(name)
    if words[:1] in (["with"], ["set"], ["get"], ["default"], ["use"]):
        words = words[1:]
    if not words:
        return False
    return tuple(words[-1:]) in _MODEL_TAILS or tuple(words[-2:]) in _MODEL_TAILS


@lru_cache(maxsize=4096)
def endpoint_key(name: str) -> bool:
    flat = name.lstrip("_$@:").replace("_", "").replace("-", "").lower()
    for prefix in ("with", "set"):
        if flat.startswith(prefix) and flat[len(prefix):] in ENDPOINT_KEYS:
            return True
    return flat in ENDPOINT_KEYS


def string_hits(value: str, catalog: Catalog, expected: bool) -> Sequence[Hit]:
    """What a string literal nothing else interpreted names (``classify_string``, hosts written with a
    placeholder in place of the hosts they cover), remembered per value: files share most of their
    strings ("user", "content", "gpt-4o"...)."""
    if len(value) > _MEMO_STRING:
        return _string_hits(value, catalog, expected)
    memo = catalog.__dict__.setdefault("_string_hits", {})  # one memo per catalog
    if len(memo) >= _MEMO_STRINGS:
        memo.clear()
    key = (value, expected)
    hits = memo.get(key)
    if hits is None:
        hits = memo[key] = _string_hits(value, catalog, expected)
    return hits


def _string_hits(value: str, catalog: Catalog, expected: bool) -> Tuple[Hit, ...]:
    found = classify_string(value, catalog, expect_model=expected)
    placeholders = [h for h, _ in text_detector.placeholder_hosts(value, catalog)]
    if placeholders:
        found = [h for h in found if not text_detector.covered_by_placeholder(h, placeholders)] + placeholders
    return tuple(found)


_MEMO_STRING = 200  # longer strings are not remembered (the memo stays under a few MB)
_MEMO_STRINGS = 20_000


def endpoint_keys(names: AbstractSet[str]) -> Set[str]:
    """Those of ``names`` that are ``endpoint_key``s. Each name is asked once per process (files share
    most of their names): the answers are kept in two sets, and a file's names are split by set operations."""
    new = names - _ENDPOINT_NAMES - _OTHER_NAMES
    if new:
        if len(_OTHER_NAMES) > _MAX_NAMES:
            _OTHER_NAMES.clear()
        for name in new:
            (_ENDPOINT_NAMES if endpoint_key(name) else _OTHER_NAMES).add(name)
    return names & _ENDPOINT_NAMES


_ENDPOINT_NAMES: Set[str] = set()
_OTHER_NAMES: Set[str] = set()
_MAX_NAMES = 200_000


@dataclass(frozen=True)
class Endpoint:
    """Where a client is pointed: a known host, an unknown URL, or something only known at run time."""

    key: str
    state: str  # "host", "unknown" or "configurable"
    hit: Optional[Hit] = None
    token: Optional[int] = None  # the string literal holding the URL
    host: str = ""  # an unknown host, as written


def catalog_packages(catalog: Catalog, ecosystem: str) -> Tuple[str, ...]:
    """Every package name the catalog lists for ``ecosystem`` (for Java/.NET namespace prefix matching)."""
    return catalog.packages(ecosystem)


class Source:
    """One file's tokens, and the evidence found in them so far."""

    def __init__(self, path: str, text: str, context: str, catalog: Catalog, toks: Tokens):
        self.path = path
        self.text = text
        self.context = context
        self.catalog = catalog
        self.toks = toks
        self.n = len(toks)
        # Every token's kind and value, for passes that look for a few values among all the tokens.
        self.kinds: List[str] = toks.kinds
        self.values: List[str] = toks.values
        self.pair = match_brackets(self.kinds, self.values)
        self.evidence: List[Evidence] = []
        self.skips: List[Skip] = []
        self.used: Set[int] = set()  # string tokens already interpreted
        self.expected: Set[int] = set()  # string tokens standing where a model id goes
        self.constants: Dict[str, int] = {}  # NAME -> index of the string literal assigned to it
        self.configs: Dict[str, Endpoint] = {}  # variable -> the endpoint its value names
        self._starts: Optional[List[int]] = None
        self._marks: Optional[List[int]] = None
        self._distinct: Optional[Set[str]] = None
        self._assignments: Optional[List[int]] = None
        self._index: Optional[Dict[str, List[int]]] = None  # INDEXED value -> its positions
        self._strings: Optional[List[int]] = None
        self._snippets: Dict[Tuple[int, int], str] = {}

    # -- tokens -----------------------------------------------------------------------------------

    def find(self, values: AbstractSet[str], kinds: Container[str] = (ID,), start: int = 0) -> List[int]:
        """Indices (from ``start``, in order) of the tokens of ``kinds`` whose value is in ``values``: the
        few tokens a pass looks at, found without a Python step per token (values the file does not hold
        are not looked for)."""
        if self.distinct().isdisjoint(values):
            return []
        if all(value in INDEXED for value in values):
            index = self.index()
            lists = [index[value] for value in values if value in index]
            found = lists[0] if len(lists) == 1 else sorted(chain.from_iterable(lists))
            if start:
                found = found[bisect.bisect_left(found, start):]
            return list(compress(found, map(kinds.__contains__, map(self.kinds.__getitem__, found))))
        tail = self.values[start:] if start else self.values
        found = list(compress(range(start, self.n), map(values.__contains__, tail)))
        return list(compress(found, map(kinds.__contains__, map(self.kinds.__getitem__, found)))) if found else found

    def index(self) -> Dict[str, List[int]]:
        """The positions of each ``INDEXED`` value the file holds, in order (listed once)."""
        if self._index is None:
            index: Dict[str, List[int]] = {}
            values = self.values
            for i in compress(range(self.n), map(INDEXED.__contains__, values)):
                value = values[i]
                if value in index:
                    index[value].append(i)
                else:
                    index[value] = [i]
            self._index = index
        return self._index

    def string_tokens(self) -> List[int]:
        """The positions of the string literals (listed once: the model-position and feature passes read them)."""
        if self._strings is None:
            self._strings = list(compress(range(self.n), map(_STRINGS.__contains__, self.kinds)))
        return self._strings

    def assignments(self) -> List[int]:
        """The "=" and ":=" operators (``find``, once: two passes read them)."""
        if self._assignments is None:
            self._assignments = self.find(_ASSIGNMENTS, (OP,), 1)
        return self._assignments

    def distinct(self) -> Set[str]:
        """The distinct token values (computed once)."""
        if self._distinct is None:
            self._distinct = set(self.values)
        return self._distinct

    def at(self, i: int) -> Optional[Tok]:
        return self.toks[i] if 0 <= i < self.n else None

    def op(self, i: int, *values: str) -> bool:
        return 0 <= i < self.n and self.kinds[i] == OP and (not values or self.values[i] in values)

    def ident(self, i: int, *values: str) -> bool:
        return 0 <= i < self.n and self.kinds[i] == ID and (not values or self.values[i] in values)

    def string(self, i: int) -> bool:
        return 0 <= i < self.n and self.kinds[i] == STR

    def newline_between(self, i: int, j: int) -> bool:
        n = self.n
        return 0 <= i < n and 0 <= j < n and self.text.find("\n", self.toks.ends[i], self.toks.starts[j]) >= 0

    def close(self, i: int) -> int:
        """The partner of the bracket at ``i``, or a bounded stand-in when it has none."""
        j = self.pair[i] if 0 <= i < self.n else -1
        return j if j >= 0 else min(self.n, i + MAX_SCOPE_TOKENS)

    def scope(self, paren: int, chain: bool = True, initializer: bool = False) -> Tuple[int, int]:
        """Token range of a call's arguments (``paren`` is its "(") plus the method chain after it."""
        if not self.op(paren, "("):
            return paren, paren
        lo = paren + 1
        hi = self.close(paren)
        k = hi + 1
        if initializer and self.op(k, "{"):  # C#: new X(...) { Endpoint = ... }
            hi = self.close(k)
            k = hi + 1
        while chain and k + 2 < self.n and hi - lo < MAX_SCOPE_TOKENS:
            if self.op(k, ".", "?.", "->", "::") and self.ident(k + 1):
                if self.op(k + 2, "("):
                    hi = self.close(k + 2)
                    k = hi + 1
                    continue
                if self.op(k + 2, ".", "?.", "->", "::"):  # a property in the chain: x.y.z()
                    k += 2
                    continue
            break
        return lo, min(hi, lo + MAX_SCOPE_TOKENS)

    def statement_end(self, i: int) -> int:
        """Index just past the statement or expression that starts at ``i`` (bounded)."""
        k = i
        limit = min(self.n, i + 600)
        kinds, values, starts, ends, find = self.kinds, self.values, self.toks.starts, self.toks.ends, self.text.find
        while k < limit:
            kind, value = kinds[k], values[k]
            if kind == OP:
                if value in ("(", "[", "{"):
                    j = self.pair[k]
                    if j < 0:
                        return limit
                    k = j  # on the closer: the newline check below applies to what follows it
                    kind, value = kinds[k], values[k]
                elif value in (";", ")", "]", "}", ","):
                    return k
            if k + 1 < self.n and find("\n", ends[k], starts[k + 1]) >= 0:
                continues = (kinds[k + 1] == OP and values[k + 1] in (".", "?.", "->", "::", "+", "?", ":", "&&", "||")) or (
                    kind == OP and value not in (")", "]", "}", "++", "--"))
                if not continues:
                    return k + 1
            k += 1
        return k

    # -- positions and snippets -------------------------------------------------------------------

    def where(self, offset: int) -> Tuple[int, int]:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1

    def snippet(self, line: int, column: int) -> str:
        key = (line, column if self._long_line(line) else 0)
        found = self._snippets.get(key)
        if found is None:
            start = self._starts[line - 1]
            end = self.text.find("\n", start)
            raw = self.text[start:] if end < 0 else self.text[start:end]
            if len(raw) > 400:  # a long (minified) line: show the part around the evidence
                raw = raw[max(0, column - 60):column + 300]
            found = self._snippets[key] = redact(raw.strip()[:2000])
        return found

    def _long_line(self, line: int) -> bool:
        assert self._starts is not None
        start = self._starts[line - 1]
        end = self._starts[line] if line < len(self._starts) else len(self.text)
        return end - start > 400

    # -- evidence ---------------------------------------------------------------------------------

    def add(self, kind: str, i: int, attribution: Attribution, detail: str, confidence: str = "high",
            **facts: Optional[str]) -> None:
        line, column = self.where(self.toks[i].start)
        self.evidence.append(Evidence(
            kind, self.path, line, column, self.context, attribution.provider, attribution.vendor,
            attribution.layer, detail=detail, confidence="low" if attribution.confidence == "low" else confidence,
            snippet=self.snippet(line, column), **{**client_facts(kind, detail), **facts}))

    def add_hits(self, hits: Iterable[Hit], i: int, confidence: Optional[str] = None) -> None:
        for hit in hits:
            line, column = self.where(self.toks[i].start)
            self.evidence.append(evidence_from_hit(hit, self.path, line, column, self.context,
                                                   self.snippet(line, column), confidence))

    def env(self, name: str, i: int) -> bool:
        """An environment variable read by name (``process.env.X``); evidence when the catalog knows it."""
        found = self.catalog.env_var(name)
        if found is None:
            for prefix in ENV_PREFIXES:
                if name.startswith(prefix):
                    found = self.catalog.env_var(name[len(prefix):])
                    if found is not None:
                        break
        if found is not None:
            self.add_hits([Hit("env-var", name, found)], i)
        return found is not None

    def client(self, i: int, attribution: Attribution, detail: str, lo: int = 0, hi: int = 0,
               confidence: str = "high", layer_only: bool = False) -> Attribution:
        """Client evidence at token ``i``, re-attributed by an endpoint found in tokens [lo, hi).

        A construction that reaches no provider and names no endpoint (a layer's in-process embedding
        model, its chat facade) is not a provider client: nothing is reported unless ``layer_only``.
        The layer itself is evidenced by the import."""
        endpoint = self.find_endpoint(lo, hi) if hi > lo else None
        if endpoint is not None:
            attribution, detail, confidence = self.apply_endpoint(attribution, detail, endpoint)
        elif attribution.provider is None and not layer_only:
            return attribution
        self.add("client", i, attribution, detail, confidence)
        return attribution

    def apply_endpoint(self, attribution: Attribution, detail: str, endpoint: Endpoint) -> Tuple[Attribution, str, str]:
        if endpoint.state == "host" and endpoint.hit is not None and endpoint.hit.attribution is not None:
            target = endpoint.hit.attribution
            if named_by_variable(endpoint.hit, attribution):
                attribution = Attribution(target.provider, target.vendor, target.layer or attribution.layer,
                                          attribution.confidence)
            if endpoint.token is not None and endpoint.token not in self.used:
                self.used.add(endpoint.token)
                self.add_hits([endpoint.hit], endpoint.token)
            return attribution, f"{detail} {endpoint.key}={endpoint.hit.detail}", "high"
        if endpoint.token is not None:
            self.used.add(endpoint.token)
        label = EndpointText(endpoint.state, host=endpoint.host).label
        return unresolved_client(attribution, detail, self.catalog), f"{detail} {endpoint.key}={label}", "medium"

    # -- endpoints --------------------------------------------------------------------------------

    def _endpoint_marks(self) -> List[int]:
        """Indices of tokens that can start an endpoint (a key, a setter, ``Uri(``), computed once."""
        if self._marks is None:
            keys = endpoint_keys(self.distinct())
            self._marks = [k for k in self.find(keys | _POSITIONAL_URL_CALLS, (ID, STR))
                           if self.values[k] in keys or self.kinds[k] == ID]
        return self._marks

    def find_endpoint(self, lo: int, hi: int, variables: bool = True) -> Optional[Endpoint]:
        """The first endpoint named in tokens [lo, hi): a key with a value, a setter call, ``new Uri(...)``,
        or (``variables``) a variable known to hold one."""
        hi = min(hi, self.n, lo + MAX_SCOPE_TOKENS)
        marks = self._endpoint_marks()
        found: Optional[Tuple[int, Endpoint]] = None
        for m in range(bisect.bisect_left(marks, lo), len(marks)):
            k = marks[m]
            if k >= hi:
                break
            endpoint = self._endpoint_at(k)
            if endpoint is not None:
                found = (k, endpoint)
                break
        if variables and self.configs:
            for k in range(lo, found[0] if found else hi):
                t = self.toks[k]
                if t.kind == ID and t.value in self.configs and not self.op(k - 1, ".", "->", "?.") \
                        and not self.op(k + 1, ".", ":", "->", "=", "?."):
                    return self.configs[t.value]
        return found[1] if found else None

    def _endpoint_at(self, k: int) -> Optional[Endpoint]:
        t = self.toks[k]
        if t.kind == ID and t.value in _POSITIONAL_URL_CALLS:
            if self.op(k + 1, "(") or (self.op(k + 1, ".") and self.ident(k + 2) and self.op(k + 3, "(")):
                found = self.endpoint_value("endpoint", k)
                return found if found.state != "configurable" else None
            return None
        if self.op(k - 1, ".", "->", "?.") and not self.op(k + 1, "("):
            return None  # other.baseURL: a read, not this client's setting
        if self.op(k + 1, *_ASSIGN_OPS) and not self.op(k - 1, "?"):
            return self.endpoint_value(t.value, k + 2)
        if t.kind == ID and self.op(k + 1, "("):
            return self.endpoint_value(t.value, k + 2)
        if t.kind == ID and t.value in self.constants and self.op(k + 1, ",", "}", ")"):
            return self.endpoint_value(t.value, k)  # shorthand { baseURL } or a positional constant
        return None

    def endpoint_value(self, key: str, j: int) -> Endpoint:
        """The value at token ``j``: a literal, a constant, ``new Uri("...")``, a JavaScript template; else,
        in the expression it starts, a default (``x || "https://..."``, ``os.Getenv("X")`` beside a URL)
        or the name of the variable it reads when that names a provider (``AZURE_OPENAI_ENDPOINT``);
        else configurable."""
        index = self.literal_at(j)
        if index is not None:
            found = self.endpoint_literal(key, index)
            if found.state != "configurable":
                return found
        end = self.expression_end(j)
        names: List[str] = []
        for k in range(j, end):
            kind = self.kinds[k]
            if kind == ID and self.values[k] in self.constants and not self.op(k + 1, ".", "(", "["):
                found = self.endpoint_literal(key, self.constants[self.values[k]])
            elif kind in _LITERALS and k != index:
                found = self.endpoint_literal(key, k)
            else:
                found = None
            if found is not None and found.state != "configurable":
                return found
            value = self.values[k]
            if (kind == STR or (kind == ID and self.op(k - 1, "."))) and ENV_NAME_RE.fullmatch(value):
                names.append(value)
        for name in names:
            hit = named_endpoint(name, self.catalog)
            if hit is not None:
                return Endpoint(key, "host", hit, None)
        return Endpoint(key, "configurable")

    def endpoint_literal(self, key: str, index: int) -> Endpoint:
        template = self.toks[index].kind == TPL
        value = self.template_text(index) if template else self.toks[index].value
        read = read_endpoint(value, self.catalog)
        if read.state == "host" and read.hit is not None:
            token = index if read.hit.detail != AZURE_DEPLOYMENTS else None
            return Endpoint(key, "host", read.hit, token)
        return Endpoint(key, read.state, None, index if read.state == "unknown" else None, read.host)

    def expression_end(self, j: int, limit: int = 60) -> int:
        """Index just past the value expression starting at ``j``: up to a ``,``, ``;`` or closing bracket
        at its own depth (bounded)."""
        k = j
        stop = min(self.n, j + limit)
        while k < stop:
            if self.kinds[k] == OP:
                value = self.values[k]
                if value in ("(", "[", "{"):
                    close = self.pair[k]
                    if close < 0:
                        return stop
                    k = close + 1
                    continue
                if value in (",", ";", ")", "]", "}"):
                    return k
            if k > j and self.newline_between(k - 1, k) and self.kinds[k - 1] != OP and self.kinds[k] != OP:
                return k
            k += 1
        return k

    def literal_at(self, j: int) -> Optional[int]:
        """Index of the string literal a value expression at ``j`` reduces to, if any."""
        t = self.at(j)
        if t is None:
            return None
        if t.kind == STR or (t.kind == TPL and self.text.startswith("`", t.start)):
            return j
        if t.kind == ID and t.value in self.constants and not self.op(j + 1, ".", "(", "[", "->", "::"):
            return self.constants[t.value]
        # new Uri("..."), URI.create("..."), String::from("..."), &"..."
        k = j
        while k < j + 8 and k < self.n:
            tok = self.toks[k]
            if tok.kind == ID or (tok.kind == OP and tok.value in (".", "::", "\\", "&", "@", "*")):
                k += 1
                continue
            break
        if k > j and self.op(k, "(") and self.string(k + 1):
            return k + 1
        return None

    # -- generic passes ---------------------------------------------------------------------------

    def run(self, imports: Callable[[], None], *constructions: Callable[[], None]) -> None:
        """Every language's passes, in the order they depend on each other: constants, the language's
        imports, configuration objects (which may name imported classes), model-id positions, then
        its client constructions (which read all of these)."""
        self.collect_constants()
        imports()
        self.collect_configs()
        self.mark_model_positions()
        for construction in constructions:
            construction()

    def collect_constants(self) -> None:
        """``NAME = "literal"`` (with or without a declaration keyword or a type) -> constants."""
        kinds = self.kinds
        for i in self.assignments():
            i += 1  # the token after the operator
            if i >= self.n or kinds[i] != STR:
                continue
            if self.op(i + 1, "+", ".", "(", "[", "?", "??", "||"):  # "a" + b is not a constant
                continue
            key = self.assigned_name(i - 1)
            if key is not None and key not in self.constants:
                self.constants[key] = i

    def assigned_name(self, op_index: int) -> Optional[str]:
        """The variable an assignment operator at ``op_index`` assigns to (skipping a type annotation)."""
        j = op_index - 1
        t = self.at(j)
        if t is None or t.kind != ID:
            return None
        if self.op(j - 1, ".", "->", "?."):
            return None
        back = j
        for _ in range(6):
            if self.op(back - 1, ":") and self.ident(back - 2):  # NAME: Type = ...
                return self.toks[back - 2].value
            prev = self.at(back - 1)
            if prev is None or not (prev.kind == ID or (prev.kind == OP and prev.value in _TYPE_TOKENS)):
                break
            back -= 1
        return t.value

    def collect_configs(self) -> None:
        """Variables whose value names an endpoint: ``config.BaseURL = "..."``, ``options = {...}``."""
        marks = self._endpoint_marks()
        if not marks:
            return
        kinds, values = self.kinds, self.values
        for i in self.assignments():
            i -= 1  # the token before the operator
            if kinds[i] != ID:
                continue
            value = values[i]
            if self.op(i - 1, ".", "->") and endpoint_key(value) and self.ident(i - 2):
                # V.BaseURL = value
                self.configs[values[i - 2]] = self.endpoint_value(value, i + 2)
                continue
            if self.op(i - 1, ".", "->", "?."):
                continue
            nearest = bisect.bisect_left(marks, i + 2)
            if nearest >= len(marks) or marks[nearest] > i + 600:
                continue
            end = self.statement_end(i + 2)
            found = self.find_endpoint(i + 2, end, variables=False) if end > i + 2 else None
            if found is not None:
                self.configs[value] = found

    def mark_model_positions(self) -> None:
        """Strings standing where a model id goes: ``model: "x"``, ``.modelName("x")``, ``MODEL = "x"``."""
        kinds, values = self.kinds, self.values
        # Read from each candidate back to the operator before it: the string literals and the names of
        # string constants are fewer than the operators (every "(" and ":") that can precede one.
        candidates = list(self.string_tokens())
        if self.constants:
            candidates += self.find(self.constants.keys())
        for i in candidates:
            if i < 2:  # an operator, and a token before it
                continue
            a_kind, a_value = kinds[i - 1], values[i - 1]
            if a_value not in _MODEL_POSITION_OPS or not (a_kind == OP or (a_kind == ID and a_value == "or")):
                continue
            t_kind = kinds[i]
            target = i if t_kind == STR else self.constants.get(values[i])
            if target is None or (t_kind == ID and self.op(i + 1, ".", "(", "[")):
                continue
            b_kind, b_value = kinds[i - 2], values[i - 2]
            if a_value in _ASSIGN_OPS or a_value in _DEFAULT_OPS:
                if b_kind in (ID, STR) and model_key(b_value):
                    if not (a_value == ":" and self.display_label(i, b_value)):
                        self.expected.add(target)
                elif a_value == "=" and b_kind in (ID, OP):
                    name = self.assigned_name(i - 1)
                    if name is not None and model_key(name):
                        self.expected.add(target)
            elif a_value == "(" and b_kind == ID and (model_key(b_value) or b_value.lower() in MODEL_CALLS):
                self.expected.add(target)

    def display_label(self, i: int, key: str) -> bool:
        """``modelName: "GPT-4o"`` in an object literal that also has a ``modelId``/``id`` key: a label for
        people (capitalised, no org prefix), not the id the API gets."""
        value = self.toks[i].value
        if self.toks[i].kind != STR or not value[:1].isupper() or "/" in value or _words(key)[-2:] != ["model", "name"]:
            return False
        depth = 0
        for k in range(i - 1, max(-1, i - 400), -1):  # the enclosing "{"
            t = self.toks[k]
            if t.kind == OP and t.value in ("}", ")", "]"):
                depth += 1
            elif t.kind == OP and t.value in ("{", "(", "["):
                if depth == 0:
                    if t.value != "{" or self.pair[k] < 0:
                        return False
                    return any(self.op(j + 1, ":") and self.toks[j].kind in (ID, STR)
                               and _words(self.toks[j].value) in (["model", "id"], ["id"])
                               for j in range(k + 1, min(self.pair[k], k + 400)))
                depth -= 1
        return False

    def report(self) -> FileReport:
        """Classify every string nothing else has interpreted, and return the file's evidence."""
        kinds, values, used = self.kinds, self.values, self.used
        for i in compress(range(self.n), map(_LITERALS.__contains__, kinds)):
            value = values[i]
            if i in used or not value:
                continue
            if kinds[i] == TPL:  # part of a template with substitutions: only a host can be read from it
                hits = [h for h in hosts_in(value, self.catalog)] if "." in value or "://" in value else []
                if not hits and self.text.startswith("`", self.toks.starts[i]):  # a template's first part: the whole
                    hits = [h for h, _ in text_detector.placeholder_hosts(self.template_text(i), self.catalog)]
            else:
                hits = string_hits(value, self.catalog, i in self.expected)
            if hits:
                self.add_hits(hits, i)
        return FileReport(tuple(self.evidence), tuple(self.skips))

    def template_text(self, i: int) -> str:
        """The text parts of the JavaScript template whose first part is token ``i``, with ``{}`` for each
        substitution (bounded; a nested template stops the join)."""
        parts = [self.toks[i].value]
        k = i + 1
        while k < min(self.n, i + 200):
            last = self.toks[k - 1]
            if last.kind == TPL and last.end - 1 > last.start and self.text.startswith("`", last.end - 1):
                break  # the closing part
            t = self.toks[k]
            if t.kind in (STR, TPL) and self.text.startswith("`", t.start):
                break  # another template starts inside a substitution
            if t.kind == TPL:
                parts.append(t.value)
            k += 1
        return "{}".join(parts)


